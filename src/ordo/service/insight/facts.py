"""What questions read, kept current: the analytics facts and their day sums follow the outbox
(the store recomputes each order an event names from the shipped view). The ``projector``
background job calls :func:`catch_up`; :func:`ordo.service.insight.ask.ask` calls it too, so an
answer counts every order committed before the question. :func:`rebuild` is the backfill: after
an upgrade it runs by itself on the first catch-up; after orders were loaded beside Ordo, run
``ordo db rebuild-analytics``.
"""

from __future__ import annotations

from typing import Any

from ordo.service.runtime.app import Ordo


def catch_up(app: Ordo) -> int:
    """Apply the events committed since the analytics cursor; returns how many were applied."""
    analytics = app.store.analytics()
    return app.retrying(lambda: analytics.catch_up(app.clock.now_ns()))


def rebuild(app: Ordo) -> dict[str, Any]:
    """Recompute every fact and day sum from the stored orders."""
    analytics = app.store.analytics()
    return app.retrying(lambda: analytics.rebuild(app.clock.now_ns()))
