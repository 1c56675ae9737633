"""Repositories: every read and write of the store, one module per kind of row.

Each is handed the unit of work's connection (:mod:`ordo.adapters.store.uow`) and
speaks SQLAlchemy Core. Nothing here commits, sleeps, reads the clock or knows about
HTTP; callers outside the store reach these only through ``uow.<repository>``.
"""

__all__ = [
    "access",
    "catalog",
    "channel_stock",
    "channels",
    "claims",
    "cold_chain",
    "holds",
    "identity",
    "incidents",
    "order_rows",
    "orders",
    "outbound",
    "outbox",
    "overview",
    "parcels",
    "risk",
    "routing",
    "rules",
    "rules_history",
    "stock",
]
