"""Re-route many open orders at once, for a disposal plan and its revert: what
``routing.decisions.reroute`` does for one order, for thousands, in two steps.

1. **Compute** over one read snapshot (no row locked, nothing written): the orders, their
   lines, milestones and first and latest routing attempts in a few queries; the settled,
   the unlocated and those changed since the plan was made refused; the rest routed again
   as one wave (:func:`what_if`) against the stock as it is with their own reservations
   freed (the barred warehouses excluded, the directives their rules set at intake kept);
   the decision rows and ``order.rerouted`` events built.
2. **Apply** in one short write transaction: each order's version read again (its row
   locked on PostgreSQL) and one that changed since the snapshot skipped as ``changed`` —
   never overwritten; the stock rows of the SKUs read again under lock and each new plan
   checked against them in turn, one that no longer fits skipped as ``stock``; then the
   reservations released and reserved, orders and lines moved, decisions and events
   written, each in a few statements. An order the wave cannot place waits unrouted for
   stock, as a single re-route leaves it.

A disposal plan's proposal keeps step 1's result per order (the decision row and what it
takes: :func:`wave_rows`, :func:`effect_of`); its execution is step 2 alone over them
(:func:`planned_of`, :func:`apply`): the approved warehouse and carrier, not a fresh route.

Routing 10,000 orders inside the write transaction held SQLite's one write lock (and
PostgreSQL's stock rows) for seconds and stalled intake; here the write holds them for the
statements alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ordo.domain.errors import Conflict
from ordo.domain.events import ORDER_REROUTED, Event
from ordo.domain.orders.holds import RELEASABLE, HoldReason, hold_kind
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.routing import Plan, RouteRequest, RoutingContext, route
from ordo.service.orders.milestones import record_updates
from ordo.service.ports import Delta, UnitOfWork
from ordo.service.routing import decisions
from ordo.service.routing.context import Catalog
from ordo.service.routing.expand import NO_RULES, RecordedRules, directives_of
from ordo.service.routing.snapshots import FiredRule, decision_rows
from ordo.service.runtime.app import Ordo

_STEPS = {m.value: m for m in Milestone}
#: Refusals besides a settled order's conflict code.
CHANGED, NO_STOCK, NOT_FOUND, NOT_LOCATED = "changed", "stock", "not_found", "not_located"
#: The trigger a disposal plan's decisions record.
TRIGGER = "risk"
#: A revert that cannot place the order at its old warehouse (no stock or capacity left there).
UNPLACED = "unplaced"


@dataclasses.dataclass(frozen=True, slots=True)
class Move:
    """One order to route again."""

    order_id: str
    #: Warehouses barred beyond those its rules bar.
    exclude: frozenset[str] = frozenset()
    #: Route to this warehouse alone (a revert: back where it shipped from); an order it
    #: cannot take stays where it is, refused as ``unplaced``.
    only: str | None = None
    #: The order's :func:`version` when the plan was made; None: not checked.
    version: str | None = None


def version(v: tuple[int, str, str | None, str | None, int]) -> str:
    """(updated_at_ns, status, warehouse, hold reason, latest attempt) as one token: any
    write to the order (a status, a hold, a re-route) changes it."""
    at, status, warehouse, hold, attempt = v
    return f"{at}:{status}:{warehouse or ''}:{hold or ''}:{attempt}"


def version_of(order: Mapping[str, Any]) -> str:
    """The :func:`version` of an order as ``plan_inputs`` reads it."""
    attempts = order["attempts"]
    last = int(attempts[-1]["attempt"]) if attempts else 0
    return version(
        (int(order["updated_at_ns"]), order["status"], order["warehouse_id"], order["hold_reason"], last)
    )


def saved_catalog(app: Ordo, now: int) -> Catalog:
    """The routing catalog, its network stored first in a short write of its own, so that a
    read snapshot using it never has to write."""
    with app.store.uow() as uow:
        cat = app.caches.routing.catalog(uow, now)
        uow.commit()
    return cat


@dataclasses.dataclass(frozen=True, slots=True)
class Wave:
    """A what-if: the orders' plans against one context built from a read snapshot."""

    requests: list[RouteRequest]
    #: Per order, the directives, fired rules and version its rules recorded at intake.
    rules: list[RecordedRules]
    plans: list[Plan]
    ctx: RoutingContext
    start: Any
    #: Per order, what its reservation holds now: (warehouse, SKU, units).
    held: dict[str, list[tuple[str, str, int]]]


def what_if(
    app: Ordo,
    uow: UnitOfWork,
    cat: Catalog,
    asked: Sequence[tuple[Mapping[str, Any], frozenset[str]]],
    now: int,
) -> Wave:
    """Route ``(order as plan_inputs reads it, warehouses barred)`` again as one wave, with
    the orders' own reservations freed, from ``uow``'s reads alone (no row locked)."""
    requests, recorded = [], []
    for order, barred in asked:
        attempts = order["attempts"]
        rules = directives_of(attempts[0]) if attempts else NO_RULES
        recorded.append(rules)
        directives = dataclasses.replace(rules.directives, exclude=rules.directives.exclude | barred)
        requests.append(
            RouteRequest.of_order(decisions.routable_order(order), cat.weights_g, directives=directives)
        )
    held = uow.orders.stock_lines([o["id"] for o, _ in asked if o["warehouse_id"] is not None])
    freed: dict[tuple[str, str], int] = {}
    for lines in held.values():
        for w, sku, q in lines:
            freed[(w, sku)] = freed.get((w, sku), 0) + q
    skus = sorted({sku for req in requests for sku, _ in req.lines})
    rows = [(w, s, a + freed.get((w, s), 0)) for w, s, a in uow.stock.available(skus)]
    ctx, start = app.caches.routing.context(uow, cat, skus, now, rows=rows)
    return Wave(requests, recorded, route(requests, ctx), ctx, start, held)


def wave_rows(uow: UnitOfWork, cat: Catalog, wave: Wave, trigger: str, at_ns: int) -> list[dict[str, Any]]:
    """The ``routing_decisions`` rows of a wave's plans (attempt 0: each order's own number is
    set by the caller), in one pass over its arrays; each rule version's fired rules read once."""
    fired_memo: dict[tuple[int | None, tuple[str, ...]], Sequence[FiredRule]] = {}
    for rules in wave.rules:
        key = (rules.version, tuple(rules.fired))
        if key not in fired_memo:
            fired_memo[key] = decisions.fired_rules(uow, rules.version, rules.fired)
    return decision_rows(
        wave.plans,
        wave.ctx,
        network=cat.digest,
        attempt=0,
        trigger=trigger,
        at_ns=at_ns,
        fired=[fired_memo[(r.version, tuple(r.fired))] for r in wave.rules],
        rules_version=[r.version for r in wave.rules],
    )


def effect_of(order: Mapping[str, Any], plan: Plan, req: RouteRequest) -> dict[str, Any]:
    """What applying ``plan`` (a wave's) to ``order`` as read will do — the
    rest of what a re-route writes besides the decision row, kept so that a disposal plan
    executes exactly what it proposed: the attempt, the stock taken, the hold kept, whether
    it becomes routed, the promise, the warehouses barred."""
    attempts = order["attempts"]
    new = plan.parcels[0].warehouse_id if plan.parcels else None
    kept = order["hold_reason"] if hold_kind(order["hold_reason"]) in RELEASABLE else None
    return {
        "attempt": attempts[-1]["attempt"] + 1 if attempts else 1,
        "version": version_of(order),
        "from": order["warehouse_id"],
        "to": new,
        "take": [(p.warehouse_id, sku, q) for p in plan.parcels for sku, q in p.lines],
        "hold": kept or (None if new else HoldReason.NO_STOCK.value),
        "routed": new is not None and Milestone.ROUTED.value not in order["steps"],
        "promise": plan.promise_ns if new and order["promised_at_ns"] is None else None,
        "excluded": sorted(req.directives.exclude),
        "parcels": [(p.warehouse_id, p.carrier_id) for p in plan.parcels],
    }


def planned_of(
    order_id: str,
    channel: str,
    data: str,
    effect: Mapping[str, Any],
    *,
    reason: str,
    trigger: str,
    now: int,
) -> _Planned:
    """A stored proposal's decision (its ``data`` and the row's other columns in ``effect``,
    see :func:`effect_of`) as the write :func:`apply` makes, at ``now``; the stock it holds
    is read in that write."""
    row = {**effect["row"], "data": data, "attempt": effect["attempt"], "at_ns": now, "trigger": trigger}
    new, old = effect["to"], effect["from"]
    payload = {
        "from": old,
        "to": new,
        "attempt": effect["attempt"],
        "trigger": trigger,
        "reason": reason,
        "excluded": effect["excluded"],
    }
    steps = (
        [
            MilestoneUpdate(order_id, Milestone.STOCK_LOCKED, now, decisions.SOURCE),
            MilestoneUpdate(order_id, Milestone.ROUTED, now, decisions.SOURCE),
        ]
        if effect["routed"]
        else []
    )
    return _Planned(
        order_id=order_id,
        version=effect["version"],
        held=[],
        take=[(w, s, int(q)) for w, s, q in effect["take"]],
        move=(order_id, new, effect["hold"]),
        row=row,
        event=Event(ORDER_REROUTED, order_id, now, payload, channel=channel),
        steps=steps,
        promise=effect["promise"],
        old=old,
        parcels=[(w, c) for w, c in effect["parcels"]],
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Planned:
    order_id: str
    version: str
    held: list[tuple[str, str, int]]
    take: list[tuple[str, str, int]]
    move: tuple[str, str | None, str | None]
    row: dict[str, Any]
    event: Event
    steps: list[MilestoneUpdate]
    promise: int | None
    old: str | None
    #: (warehouse, carrier) of each parcel: what today's capacity counts once it is written.
    parcels: Sequence[tuple[str, str | None]] = ()


def reroute_many(app: Ordo, moves: Iterable[Move], *, reason: str, trigger: str) -> dict[str, dict[str, Any]]:
    """Per order: ``{"outcome": "done", "from", "to"}`` or ``{"outcome": "refused", "error"}``."""
    out: dict[str, dict[str, Any]] = {}
    unique = list({m.order_id: m for m in moves}.values())
    if not unique:
        return out
    now = app.clock.now_ns()
    computed = _compute(app, unique, reason, trigger, now, out)
    if computed is not None:
        planned, wave = computed
        out.update(app.retrying(lambda: _apply(app, planned, now)))
        app.caches.routing.commit(wave.ctx, wave.start)
        app.notifier.notify()
    return out


def _refused(error: str) -> dict[str, Any]:
    return {"outcome": "refused", "error": error}


def _compute(
    app: Ordo, moves: Sequence[Move], reason: str, trigger: str, now: int, out: dict[str, dict[str, Any]]
) -> tuple[list[_Planned], Wave] | None:
    cat = saved_catalog(app, now)
    with app.store.uow(read_only=True) as uow:
        uow.risk.read_snapshot()
        cat = app.caches.routing.catalog(uow, now)
        inputs = uow.risk.plan_inputs([m.order_id for m in moves])
        asked: list[tuple[Mapping[str, Any], frozenset[str]]] = []
        for m in moves:
            order = inputs.get(m.order_id)
            if order is None:
                out[m.order_id] = _refused(NOT_FOUND)
                continue
            steps = [_STEPS[s] for s in order["steps"]]
            try:
                decisions.check_reroutable(m.order_id, steps)
            except Conflict as exc:
                out[m.order_id] = _refused(exc.code)
                continue
            if m.version is not None and m.version != version_of(order):
                out[m.order_id] = _refused(CHANGED)
                continue
            if order["lat"] is None or order["lng"] is None:
                out[m.order_id] = _refused(NOT_LOCATED)
                continue
            barred = m.exclude if m.only is None else frozenset(cat.network.w_index) - {m.only}
            asked.append((order, barred))
        if not asked:
            return None
        wave = what_if(app, uow, cat, asked, now)
        rows = wave_rows(uow, cat, wave, trigger, now)
        planned = []
        only = {m.order_id for m in moves if m.only is not None}
        for (asked_order, _), req, plan, row in zip(asked, wave.requests, wave.plans, rows, strict=True):
            oid = asked_order["id"]
            if oid in only and not plan.parcels:  # cannot go back: it stays where the plan put it
                out[oid] = _refused(UNPLACED)
                continue
            attempts = asked_order["attempts"]
            row["attempt"] = attempts[-1]["attempt"] + 1 if attempts else 1
            new = plan.parcels[0].warehouse_id if plan.parcels else None
            # A hold a person set (or a review rule) outlives a re-route, as in a single one.
            kept = asked_order["hold_reason"] if hold_kind(asked_order["hold_reason"]) in RELEASABLE else None
            old = asked_order["warehouse_id"]
            payload = {
                "from": old,
                "to": new,
                "attempt": row["attempt"],
                "trigger": trigger,
                "reason": reason,
                "excluded": sorted(req.directives.exclude),
            }
            routed = new is not None and Milestone.ROUTED.value not in asked_order["steps"]
            planned.append(
                _Planned(
                    order_id=oid,
                    version=version_of(asked_order),
                    held=wave.held.get(oid, []),
                    take=[(p.warehouse_id, sku, q) for p in plan.parcels for sku, q in p.lines],
                    move=(oid, new, kept or (None if new else HoldReason.NO_STOCK.value)),
                    row=row,
                    event=Event(ORDER_REROUTED, oid, now, payload, channel=asked_order["channel"]),
                    steps=[
                        MilestoneUpdate(oid, Milestone.STOCK_LOCKED, now, decisions.SOURCE),
                        MilestoneUpdate(oid, Milestone.ROUTED, now, decisions.SOURCE),
                    ]
                    if routed
                    else [],
                    # It waited unrouted until now: the promise is the one routing made.
                    promise=plan.promise_ns if new and asked_order["promised_at_ns"] is None else None,
                    old=old,
                )
            )
    return planned, wave


def apply(app: Ordo, planned: Sequence[_Planned], now: int) -> dict[str, dict[str, Any]]:
    """:func:`_apply` of plans made earlier (:func:`planned_of`): what each order's reservation
    holds is read inside the write, its row locked (an order unchanged since then holds what
    it held); the routing cache counts the parcels placed against today's capacity."""
    out = app.retrying(lambda: _apply(app, planned, now, held_now=True))
    done = {oid for oid, r in out.items() if r["outcome"] == "done"}
    taken = [p for p in planned if p.order_id in done]
    if taken:
        cat = saved_catalog(app, now)
        with app.store.uow(read_only=True) as uow:
            ctx, start = app.caches.routing.context(uow, cat, [], now, rows=[])
        net = cat.network
        for p in taken:
            for w, c in p.parcels:
                if w in net.w_index:
                    ctx.capacity_left[net.w_index[w]] -= 1
                if c is not None and c in net.c_index:
                    ctx.carrier_left[net.c_index[c]] -= 1
        app.caches.routing.commit(ctx, start)
        app.notifier.notify()
    return out


def _apply(
    app: Ordo, planned: Sequence[_Planned], now: int, *, held_now: bool = False
) -> dict[str, dict[str, Any]]:
    """The one write: re-check each order's version and the stock, then write in bulk."""
    out: dict[str, dict[str, Any]] = {}
    with app.store.uow() as uow:
        versions = uow.risk.versions([p.order_id for p in planned])
        live = []
        for p in planned:
            v = versions.get(p.order_id)
            if v is None or version(v) != p.version:
                out[p.order_id] = _refused(CHANGED)
            else:
                live.append(p)
        if held_now:
            held = uow.orders.stock_lines([p.order_id for p in live])
            live = [dataclasses.replace(p, held=held.get(p.order_id, [])) for p in live]
        skus = sorted({s for p in live for _, s, _ in p.held} | {s for p in live for _, s, _ in p.take})
        avail = {(w, s): int(a) for w, s, a in uow.stock.lock_available(skus)}
        taken = []
        for p in live:
            for w, s, q in p.held:
                avail[(w, s)] = avail.get((w, s), 0) + q
            need: dict[tuple[str, str], int] = {}
            for w, s, q in p.take:
                need[(w, s)] = need.get((w, s), 0) + q
            if all(avail.get(k, 0) >= q for k, q in need.items()):
                for k, q in need.items():
                    avail[k] -= q
                taken.append(p)
                out[p.order_id] = {"outcome": "done", "from": p.old, "to": p.move[1]}
            else:  # taken by someone else since the snapshot: the order stays as it is
                for w, s, q in p.held:
                    avail[(w, s)] -= q
                out[p.order_id] = _refused(NO_STOCK)
        if not taken:
            return out
        uow.stock.release(Delta(w, s, q) for p in taken for w, s, q in p.held)
        uow.stock.reserve(Delta(w, s, q) for p in taken for w, s, q in p.take)
        uow.risk.move_orders([p.move for p in taken], now)
        steps = [s for p in taken for s in p.steps]
        if steps:
            record_updates(uow, steps, now)
        for p in taken:
            if p.promise is not None:
                uow.incidents.set_promise(p.order_id, p.promise, now)
        uow.routing.add([p.row for p in taken])
        uow.outbox.append([p.event for p in taken])
        uow.commit()
    return out
