"""Re-route many open orders at once, for a disposal plan: what ``routing.decisions.reroute``
does for one order, for up to :data:`CHUNK` orders in one transaction and one routing wave.

Per chunk, in one unit of work: the orders are read (and locked on PostgreSQL), the settled
ones refused, the others' reservations released, the rest routed again as one wave against
the stock as it now is (the event's warehouses excluded, the directives their rules set at
intake kept), the new plans reserved, a decision recorded per order and an
``order.rerouted`` event each. An order the wave cannot place waits unrouted for stock, as
a single re-route leaves it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

from ordo.domain.errors import Conflict
from ordo.domain.events import ORDER_REROUTED, Event
from ordo.domain.orders.holds import RELEASABLE, HoldReason, hold_kind
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.routing import RouteRequest, route
from ordo.service.orders.milestones import record_updates
from ordo.service.ports import Delta
from ordo.service.routing import decisions
from ordo.service.routing.expand import NO_RULES, directives_of
from ordo.service.routing.snapshots import decision_row
from ordo.service.runtime.app import Ordo

#: Orders per transaction: big enough to route as a wave, small enough to hold few locks long.
CHUNK = 500


def reroute_many(
    app: Ordo, order_ids: Sequence[str], *, exclude: Sequence[str], reason: str, trigger: str
) -> dict[str, dict[str, Any]]:
    """Per order: ``{"outcome": "done", "from", "to"}`` or ``{"outcome": "refused", "error"}``."""
    out: dict[str, dict[str, Any]] = {}
    ids = list(dict.fromkeys(order_ids))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        out.update(app.retrying(functools.partial(_chunk, app, part, exclude, reason, trigger)))
    app.notifier.notify()
    return out


def _chunk(
    app: Ordo, ids: Sequence[str], exclude: Sequence[str], reason: str, trigger: str
) -> dict[str, dict[str, Any]]:
    now = app.clock.now_ns()
    out: dict[str, dict[str, Any]] = {}
    with app.store.uow() as uow:
        progress = uow.orders.progress(ids)
        inputs = uow.risk.plan_inputs(ids)
        movable = []
        for oid in ids:
            p, order = progress.get(oid), inputs.get(oid)
            if p is None or order is None:
                out[oid] = {"outcome": "refused", "error": "not_found"}
                continue
            try:
                decisions.check_reroutable(oid, p.steps)
            except Conflict as exc:
                out[oid] = {"outcome": "refused", "error": exc.code}
                continue
            if order["lat"] is None or order["lng"] is None:
                out[oid] = {"outcome": "refused", "error": "not_located"}
                continue
            movable.append(oid)
        if not movable:
            return out
        held = uow.orders.stock_lines([oid for oid in movable if progress[oid].warehouse_id is not None])
        uow.stock.release(Delta(w, sku, q) for lines in held.values() for w, sku, q in lines)
        cache = app.caches.routing
        cat = cache.catalog(uow, now)
        requests, recorded = [], []
        for oid in movable:
            attempts = inputs[oid]["attempts"]
            rules = directives_of(attempts[0]) if attempts else NO_RULES
            directives = dataclasses.replace(
                rules.directives, exclude=rules.directives.exclude.union(exclude)
            )
            requests.append(
                RouteRequest.of_order(
                    decisions.routable_order(inputs[oid]), cat.weights_g, directives=directives
                )
            )
            recorded.append(rules)
        skus = sorted({sku for req in requests for sku, _ in req.lines})
        ctx, start = cache.context(uow, cat, skus, now)
        rows, events, moves = [], [], []
        plans = route(requests, ctx)
        uow.stock.reserve(
            Delta(p.warehouse_id, sku, q) for plan in plans for p in plan.parcels for sku, q in p.lines
        )
        for oid, req, rules, plan in zip(movable, requests, recorded, plans, strict=True):
            order = inputs[oid]
            new = plan.parcels[0].warehouse_id if plan.parcels else None
            # A hold a person set (or a review rule) outlives a re-route, as in a single one.
            kept = order["hold_reason"] if hold_kind(order["hold_reason"]) in RELEASABLE else None
            moves.append((oid, new, kept or (None if new else HoldReason.NO_STOCK.value)))
            if new and order["promised_at_ns"] is None and plan.promise_ns is not None:
                uow.incidents.set_promise(oid, plan.promise_ns, now)  # it waited unrouted until now
            if new and Milestone.ROUTED not in progress[oid].steps:
                steps = [
                    MilestoneUpdate(oid, Milestone.STOCK_LOCKED, now, decisions.SOURCE),
                    MilestoneUpdate(oid, Milestone.ROUTED, now, decisions.SOURCE),
                ]
                record_updates(uow, steps, now)
            fired = decisions.fired_rules(uow, rules.version, rules.fired)
            attempts = order["attempts"]
            row = decision_row(
                plan,
                ctx,
                network=cat.digest,
                attempt=attempts[-1]["attempt"] + 1 if attempts else 1,
                trigger=trigger,
                at_ns=now,
                fired=fired,
                rules_version=rules.version,
            )
            rows.append(row)
            old = progress[oid].warehouse_id
            payload = {
                "from": old,
                "to": new,
                "attempt": row["attempt"],
                "trigger": trigger,
                "reason": reason,
                "excluded": sorted(req.directives.exclude),
            }
            events.append(Event(ORDER_REROUTED, oid, now, payload, channel=order["channel"]))
            out[oid] = {"outcome": "done", "from": old, "to": new}
        uow.risk.move_orders(moves, now)
        uow.routing.add(rows)
        uow.outbox.append(events)
        uow.commit()
        cache.commit(ctx, start)
    return out
