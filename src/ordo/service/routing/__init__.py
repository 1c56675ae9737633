"""Routing after intake (C6): the router's catalog view, stored decision snapshots read
and written, explanation, re-routes and warehouse outages.

The scoring itself is pure and lives in :mod:`ordo.domain.routing`; this package only
feeds it and stores what it decided.
"""

__all__ = ["context", "decisions", "expand", "snapshots"]
