"""The SQL store: SQLite by default (WAL), PostgreSQL by URL, one schema, one contract."""

from __future__ import annotations

from ordo.adapters.store.engine import Store, open_store
from ordo.adapters.store.uow import UnitOfWork

__all__ = ["Store", "UnitOfWork", "open_store"]
