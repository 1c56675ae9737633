"""Routing a batch inside its transaction: one wave through the router, one decision row each.

Owns the step between the rules and the reservation: the routable orders of a batch
become ``RouteRequest``s (with the directives their routing rules set), the stock rows
they need are locked and routed as one wave by ``ordo.domain.routing.route``, and each
plan gets its ``routing_decisions`` row. An order whose delivery deadline no warehouse
can meet is routed once more without it: late is better than never shipped, and its
second decision is the one stored; one held for stock may ship substitute SKUs instead
(``intake_substitutes``: the table is the policy), with that decision stored. The capacity
the wave used is counted in the routing cache only once the caller has committed
(:meth:`RoutedBatch.committed`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ordo.domain.events import Event
from ordo.domain.orders.model import Order
from ordo.domain.routing import Directives, Plan, PlanStatus, RouteRequest, route
from ordo.service.orders.intake_rules import Ruled
from ordo.service.orders.intake_substitutes import substitute_held
from ordo.service.ports import UnitOfWork
from ordo.service.routing.context import INTAKE_MAX_PARCELS, Catalog, RoutingCache
from ordo.service.routing.snapshots import decision_rows
from ordo.service.runtime.collector import gc_paused

INTAKE = "intake"


@dataclass(slots=True)
class RoutedBatch:
    #: One per order of the batch; None for an order that was not routed (held before routing).
    plans: list[Plan | None]
    rows: list[dict[str, Any]]
    _on_commit: Callable[[], None] = field(default=lambda: None)
    #: Orders (by position in the batch) whose out-of-stock lines ship as substitutes: as they ship.
    orders: dict[int, Order] = field(default_factory=dict)
    #: Their ``order.substituted`` events, for the batch's outbox.
    events: list[Event] = field(default_factory=list)

    def committed(self) -> None:
        self._on_commit()


def route_batch(
    cache: RoutingCache,
    cat: Catalog,
    uow: UnitOfWork,
    orders: Sequence[Order],
    holds: Sequence[str | None],
    ruled: Sequence[Ruled] | None,
    now_ns: int,
) -> RoutedBatch:
    """Route the orders whose hold is None, as one wave against the stock locked in ``uow``."""
    plans: list[Plan | None] = [None] * len(orders)
    todo = [n for n, h in enumerate(holds) if h is None]
    if not todo:
        return RoutedBatch(plans, [])
    none = Directives()
    weights = cat.weights_g
    of_order = RouteRequest.of_order
    reqs = [of_order(orders[n], weights, directives=ruled[n].directives if ruled else none) for n in todo]
    ctx, start = cache.context(
        uow, cat, {s for r in reqs for s, _ in r.lines}, now_ns, max_parcels=INTAKE_MAX_PARCELS
    )
    with gc_paused():  # a wave's plans are many young objects and no cycles
        routed = route(reqs, ctx)
        late = [
            k
            for k, p in enumerate(routed)
            if p.status is PlanStatus.UNROUTABLE and reqs[k].deadline_ns is not None
        ]
        if late:
            again = route([dataclasses.replace(reqs[k], deadline_ns=None) for k in late], ctx)
            for k, p in zip(late, again, strict=True):
                routed[k] = p
        subs = substitute_held(uow, cache, cat, ctx, [orders[n] for n in todo], reqs, routed, now_ns)
    for n, plan in zip(todo, routed, strict=True):
        plans[n] = plan
    rows = decision_rows(
        routed,
        ctx,
        network=cat.digest,
        attempt=1,
        trigger=INTAKE,
        at_ns=now_ns,
        fired=[ruled[n].fired for n in todo] if ruled else None,
        rules_version=[ruled[n].version for n in todo] if ruled else None,
    )
    swapped: dict[int, Order] = {}
    for k, plan in subs.plans.items():  # held for stock, shipped as substitutes: their decision
        assert subs.ctx is not None
        n = todo[k]
        plans[n], swapped[n] = plan, subs.orders[k]
        f = [ruled[n].fired] if ruled else None
        v = [ruled[n].version] if ruled else None
        [rows[k]] = decision_rows(
            [plan],
            subs.ctx,
            network=cat.digest,
            attempt=1,
            trigger=INTAKE,
            at_ns=now_ns,
            fired=f,
            rules_version=v,
        )
    return RoutedBatch(plans, rows, lambda: cache.commit(ctx, start), swapped, subs.events)
