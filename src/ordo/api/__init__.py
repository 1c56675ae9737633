"""The HTTP API (FastAPI): thin routers over the service layer, under ``/api/v1``."""

from __future__ import annotations

from ordo.api.app import create_app

__all__ = ["create_app"]
