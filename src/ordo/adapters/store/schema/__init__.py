"""The schema: table definitions (SQLAlchemy Core) on one shared ``metadata``.

The Alembic migrations in ``migrations/`` must match these tables; nothing here reads
or writes rows.
"""

__all__ = [
    "channels",
    "core",
    "identity",
    "incidents",
    "inventory",
    "outbound",
    "overview",
    "people",
    "risk",
    "routing",
    "rules",
]
