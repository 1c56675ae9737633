"""The breaker (熔断): roll a freshly published version back when its live metrics go too far.

Owns :func:`check_breakers`, which a scheduler, the demo or an operator calls. The watched
version is the one the last publish named (``rule_state.watch_version``); its metrics come
from ``rule_outcomes`` since the publish (the rows :func:`ordo.service.rules.rulebook.apply_rules`
writes): hold rate, discount per order, incident rate (``exception_rate``), each compared with
the bound its draft set. Past a bound (and with at least ``min_orders`` orders), a canary is withdrawn
(the active version keeps every order) or an active version is replaced by the one it
replaced; the author and approver are told through a ``rules.rolled_back`` event and the
audit log says why. Once ``watch_s`` has passed calmly the watch ends. Time is the
injected clock's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ordo.domain.access import Role
from ordo.service.rules.versions import Actor, BreakerBounds, switch_to
from ordo.service.runtime.app import Ordo

BREAKER = Actor("breaker", Role.ADMIN)
NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Trip:
    version: int
    to_version: int | None
    metric: str
    value: float
    bound: float
    orders: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "to_version": self.to_version,
            "metric": self.metric,
            "value": self.value,
            "bound": self.bound,
            "orders": self.orders,
        }


def breached(bounds: BreakerBounds, m: dict[str, int]) -> tuple[str, float, float] | None:
    """The first metric past its bound, its value and the bound; None while all are within."""
    n = m["orders"]
    # The discount budget is never crossed (intake withholds the discount that would cross
    # it): an order refused its discount by the budget is the trip, however few orders came.
    cap = bounds.max_discount_total_fen
    if cap is not None and (m.get("over_budget", 0) or m["discount_fen"] >= cap):
        return "discount_total_fen", float(m["discount_fen"]), float(cap)
    if n < max(1, bounds.min_orders):
        return None
    checks: list[tuple[str, float, float | None]] = [
        ("hold_rate", m["held"] / n, bounds.max_hold_rate),
        ("discount_per_order_fen", m["discount_fen"] / n, bounds.max_discount_per_order_fen),
        ("exception_rate", m["exceptions"] / n, bounds.max_exception_rate),
    ]
    for name, value, bound in checks:
        if bound is not None and value > bound:
            return name, round(value, 6), float(bound)
    return None


def check_breakers(app: Ordo) -> list[Trip]:
    """Check the watched version now; roll it back if a live metric is past its bound."""

    def work() -> list[Trip]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            state = uow.rules.state(lock=True)
            version, since = state["watch_version"], state["watch_since_ns"]
            if version is None or since is None:
                return []
            row = uow.rules.version(version)
            if row is None:
                return []
            bounds = BreakerBounds.from_dict(row["breaker"])
            metrics = uow.rules.outcome_metrics(version, since)
            hit = breached(bounds, metrics)
            if hit is None:
                if now - since > bounds.watch_s * NS:
                    uow.rules.set_state(now, watch_version=None, watch_since_ns=None)
                    uow.commit()
                return []
            metric, value, bound = hit
            canary = state["canary_version"] == version
            to = state["active_version"] if canary else state["fallback_version"]
            notify = sorted({row["author"], *([row["approver"]] if row["approver"] else [])})
            note = (
                f"熔断：{metric} = {value} 超过上限 {bound}，版本 {version} 已自动回滚 / "
                f"breaker: {metric} = {value} is past its bound {bound}; version {version} rolled back"
            )
            details = {
                "automatic": True,
                "version": version,
                "canary": canary,
                "metric": metric,
                "value": value,
                "bound": bound,
                "metrics": metrics,
                "author": row["author"],
                "approver": row["approver"],
                "notify": notify,
            }
            switch_to(uow, app, BREAKER, to, note=note, details=details)
            uow.commit()
        return [Trip(version, to, metric, value, bound, metrics["orders"])]

    trips = app.retrying(work)
    if trips:
        app.caches.rulebook.invalidate()
        app.notifier.notify()
    return trips
