"""Geography from registry data: China's administrative divisions with coordinates."""

from __future__ import annotations

from ordo.adapters.geo.divisions import Division, Divisions, load_divisions

__all__ = ["Division", "Divisions", "load_divisions"]
