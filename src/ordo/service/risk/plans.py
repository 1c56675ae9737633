"""Disposal plans (处置预案): for an event's exposed orders not yet released, propose what
to do with each — re-route away from the event's warehouses, switch carrier, or hold —
with the cost and delivery-time effect the router computes; approve through the rule
tiers (a wide plan needs L3, risk); execute as a batch through the routing and hold use
cases; revert; every step audited in ``risk_history``.

The proposal is a what-if over one read snapshot (``batch.what_if``): the orders read in a
few queries and routed as one wave (the event's warehouses excluded, their own reservations
freed), no row locked and nothing written but the plan itself — intake carries on meanwhile.
Each action keeps the order's version, and each re-routed order the decision row the wave
made (``risk_plan_decisions``). Execution applies the approved actions as proposed, without
routing again, in one short write (``batch.apply``): an order that changed since the
proposal is skipped as ``changed``, one whose approved warehouse no longer has the stock as
``stock`` — reported, never overwritten nor sent elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from ordo.domain.errors import Conflict, NotFound, OrdoError
from ordo.domain.orders.milestones import Status
from ordo.domain.risk import ImpactStatus, PlanAction, PlanStatus, check_plan, plan_tier
from ordo.domain.risk.model import KIND_LABELS, RiskKind, Severity
from ordo.rules.governance import Tier, check_approval
from ordo.service.orders import holds
from ordo.service.ports import Exposure, UnitOfWork
from ordo.service.risk import batch
from ordo.service.risk.events import horizon_ns
from ordo.service.risk.records import audit, covered_of, event_of, history_view
from ordo.service.routing.context import Catalog
from ordo.service.rules.records import Actor
from ordo.service.runtime.app import Ordo

#: Not yet released to a warehouse: what a plan may still move.
MOVABLE = frozenset({Status.PENDING_PAYMENT.value, Status.PAID.value, Status.PROCESSING.value})
MAX_PLAN_ORDERS = 10_000
HOUR_NS = 3600 * 1_000_000_000
REVERT = "risk_revert"
#: Refusals of orders that changed since the proposal (or whose new stock was taken).
SKIPPED = (batch.CHANGED, batch.NO_STOCK)


def _current(
    uow: UnitOfWork, order_id: str, attempts: list[dict[str, Any]] | None = None
) -> tuple[str | None, int, int | None]:
    """(carrier, freight fen, promise) of an order's latest routing decision."""
    attempts = uow.routing.attempts(order_id) if attempts is None else attempts
    if not attempts:
        return None, 0, None
    parcels = orjson.loads(attempts[-1]["data"])["plan"][1]
    if not parcels:
        return None, 0, None
    return parcels[0][1], sum(int(p[2]) for p in parcels), max(int(p[3]) for p in parcels)


def _destination_hold(row: dict[str, Any]) -> bool:
    """Orders going into the event are held only when it stops deliveries there."""
    ev = event_of(row)
    return ev.blocks or ev.severity is Severity.EXTREME


#: Per re-routed order of a plan: its decision's data (JSON, as ``routing_decisions`` keeps
#: it) and its effect (``batch.effect_of``, with the row's other columns) as JSON.
Decided = list[tuple[str, str, str]]


def _what_if(
    app: Ordo, uow: UnitOfWork, cat: Catalog, row: dict[str, Any], orders: Sequence[dict[str, Any]], now: int
) -> tuple[list[dict[str, Any]], Decided]:
    _, warehouses, carriers = covered_of(row)
    full = uow.risk.plan_inputs([o["id"] for o in orders])  # a few queries, not a few per order
    places = covered_of(row)[0] if _destination_hold(row) else frozenset()
    actions: list[dict[str, Any] | None] = []
    asked: list[tuple[Mapping[str, Any], frozenset[str]]] = []
    seen: list[tuple[int, dict[str, Any], str | None, int, int | None, bool, str]] = []
    for o in orders:
        order = full.get(o["id"])
        if order is None or order["lat"] is None:
            continue
        carrier, cost, promise = _current(uow, o["id"], order["attempts"])
        origin = o["warehouse_id"] in warehouses
        struck = carrier is not None and carrier in carriers
        version = batch.version_of(order)
        if not origin and not struck:
            if o["adcode"] in places:
                actions.append(
                    _action(o, PlanAction.HOLD, carrier, None, None, 0, None, "destination", version)
                )
            continue
        asked.append((order, warehouses if origin else frozenset()))
        seen.append((len(actions), o, carrier, cost, promise, origin, version))
        actions.append(None)  # filled from the wave below
    # One wave for all of them, against one context: the plan allocates stock as a batch would.
    wave = batch.what_if(app, uow, cat, asked, now) if asked else None
    plans = wave.plans if wave else []
    # The decision rows in one pass over the wave, kept with the plan: execution writes them
    # as proposed. Made for no moment (at 0) so that each row records the wave's own time.
    rows = batch.wave_rows(uow, cat, wave, batch.TRIGGER, 0) if wave else []
    requests = wave.requests if wave else []
    decided: Decided = []
    for (at, o, carrier, cost, promise, origin, version), (read, _), plan, drow, req in zip(
        seen, asked, plans, rows, requests, strict=True
    ):
        why = "origin" if origin else "carrier"
        if not plan.parcels:
            actions[at] = _action(o, PlanAction.HOLD, carrier, None, None, 0, None, why, version)
            continue
        effect = batch.effect_of(read, plan, req) | {"row": {k: v for k, v in drow.items() if k != "data"}}
        decided.append((o["id"], drow["data"], orjson.dumps(effect).decode()))
        delta_h = None
        if promise is not None and plan.promise_ns is not None:
            delta_h = round((plan.promise_ns - promise) / HOUR_NS, 1)
        kind = PlanAction.REROUTE if origin else PlanAction.SWITCH_CARRIER
        to_carrier = plan.parcels[0].carrier_id
        actions[at] = _action(
            o, kind, carrier, plan.warehouse_id, to_carrier, plan.cost_fen - cost, delta_h, why, version
        )
    return [a for a in actions if a is not None], decided


def _action(
    o: dict[str, Any],
    kind: PlanAction,
    carrier: str | None,
    to: str | None,
    to_carrier: str | None,
    cost_delta: int,
    hours_delta: float | None,
    why: str,
    version: str,
) -> dict[str, Any]:
    return {
        "order_id": o["id"],
        "channel": o["channel"],
        "action": kind.value,
        "why": why,
        "from_warehouse": o["warehouse_id"],
        "to_warehouse": to,
        "from_carrier": carrier,
        "to_carrier": to_carrier,
        "cost_delta_fen": cost_delta,
        "hours_delta": hours_delta,
        "total_fen": o["total_fen"],
        # What the order looked like when proposed: execution skips it if it changed.
        "version": version,
    }


def _event(uow: UnitOfWork, event_id: str) -> dict[str, Any]:
    row = uow.risk.event(event_id)
    if row is None:
        raise NotFound(
            f"no risk event {event_id} / 风险事件 {event_id} 不存在", details={"event_id": event_id}
        )
    return row


def plan_view(row: dict[str, Any], history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    actions = orjson.loads(row["actions"])
    counts: dict[str, int] = {}
    for a in actions:
        counts[a["action"]] = counts.get(a["action"], 0) + 1
    out = {
        "id": row["id"],
        "event_id": row["event_id"],
        "status": row["status"],
        "tier": row["tier"],
        "orders": row["orders"],
        "money_fen": row["money_fen"],
        "cost_delta_fen": row["cost_delta_fen"],
        "counts": counts,
        "actions": actions,
        "result": orjson.loads(row["result"]),
        "proposed_by": row["proposed_by"],
        "approved_by": row["approved_by"],
        "created_at_ns": row["created_at_ns"],
        "updated_at_ns": row["updated_at_ns"],
    }
    if history is not None:
        out["history"] = history_view(history)
    return out


def propose(app: Ordo, event_id: str, *, actor: Actor) -> dict[str, Any]:
    """A plan for the event's exposed, not yet released orders (up to :data:`MAX_PLAN_ORDERS`)."""
    now = app.clock.now_ns()
    batch.saved_catalog(app, now)
    with app.store.uow(read_only=True) as uow:  # one snapshot, no row locked
        uow.risk.read_snapshot()
        row = _event(uow, event_id)
        if not ImpactStatus(row["status"]).live:
            raise Conflict(
                f"event {event_id} is {row['status']}: nothing to dispose of / 风险事件已结束，无需处置",
                details={"event_id": event_id, "status": row["status"]},
            )
        adcodes, warehouses, _ = covered_of(row)
        exposure = Exposure(adcodes, warehouses, MOVABLE, horizon_ns(row, now))
        exposed = uow.risk.exposed_orders(exposure, MAX_PLAN_ORDERS)
        exposed += _carrier_exposed(uow, row, exposure, {o["id"] for o in exposed})
        actions, decided = _what_if(app, uow, app.caches.routing.catalog(uow, now), row, exposed, now)
    money = sum(int(a["total_fen"]) for a in actions)
    tier, why = plan_tier(len(actions), money)
    plan_id = f"RP{now // 1_000_000_000:x}{app.rng.getrandbits(40):010x}"
    plan = {
        "id": plan_id,
        "event_id": event_id,
        "status": PlanStatus.PROPOSED.value,
        "tier": Tier(tier).label,
        "orders": len(actions),
        "money_fen": money,
        "cost_delta_fen": sum(int(a["cost_delta_fen"]) for a in actions),
        "actions": orjson.dumps(actions).decode(),
        "result": orjson.dumps({"escalated": why} if why else {}).decode(),
        "proposed_by": actor.who[:64],
        "approved_by": "",
        "created_at_ns": now,
        "updated_at_ns": now,
    }

    def work() -> dict[str, Any]:
        with app.store.uow() as uow:
            uow.risk.add_plan(plan)
            uow.risk.add_plan_decisions(plan_id, decided)
            audit(
                uow,
                plan_id,
                now,
                actor.shown,
                "proposed",
                event_id=event_id,
                orders=len(actions),
                tier=plan["tier"],
            )
            audit(uow, event_id, now, actor.shown, "plan_proposed", plan_id=plan_id)
            uow.commit()
        return plan_view(plan)

    return app.retrying(work)


def _carrier_exposed(
    uow: UnitOfWork, row: dict[str, Any], exposure: Exposure, seen: set[str]
) -> list[dict[str, Any]]:
    """A carrier strike names no place: its exposed orders are those the carrier was booked
    for, among the open orders of the warehouses' … every open order, bounded."""
    _, _, carriers = covered_of(row)
    if not carriers or RiskKind(row["kind"]) is not RiskKind.CARRIER_STRIKE:
        return []
    everywhere = Exposure(
        (), [w.id for w in uow.catalog.warehouses()], exposure.statuses, exposure.horizon_ns
    )
    found = [o for o in uow.risk.exposed_orders(everywhere, MAX_PLAN_ORDERS) if o["id"] not in seen]
    inputs = uow.risk.plan_inputs([o["id"] for o in found])
    return [
        o
        for o in found
        if o["id"] in inputs and _current(uow, o["id"], inputs[o["id"]]["attempts"])[0] in carriers
    ]


def _unchanged(app: Ordo, actions: Sequence[dict[str, Any]], results: dict[str, dict[str, Any]]) -> list[str]:
    """The orders to hold that have not changed since the proposal; the others are skipped."""
    if not actions:
        return []
    with app.store.uow(read_only=True) as uow:
        uow.risk.read_snapshot()
        now = uow.risk.versions([a["order_id"] for a in actions], lock=False)
    keep = []
    for a in actions:
        v = now.get(a["order_id"])
        if a.get("version") is not None and (v is None or batch.version(v) != a["version"]):
            results[a["order_id"]] = {"action": "hold", "outcome": "refused", "error": batch.CHANGED}
        else:
            keep.append(a["order_id"])
    return keep


def _plan(uow: UnitOfWork, plan_id: str) -> dict[str, Any]:
    row = uow.risk.plan(plan_id, lock=True)
    if row is None:
        raise NotFound(f"no plan {plan_id} / 处置预案 {plan_id} 不存在", details={"plan_id": plan_id})
    return row


def get(app: Ordo, plan_id: str) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        row = _plan(uow, plan_id)
        return plan_view(row, uow.risk.history(plan_id))


def approve(app: Ordo, plan_id: str, *, actor: Actor, note: str = "") -> dict[str, Any]:
    """Approve with the plan's tier (never one's own plan)."""

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = _plan(uow, plan_id)
            check_plan(plan_id, PlanStatus(row["status"]), PlanStatus.APPROVED)
            tier = Tier(int(row["tier"][1:]))
            check_approval(author=row["proposed_by"], approver=actor.names, role=actor.role, tier=tier)
            values = {
                "status": PlanStatus.APPROVED.value,
                "approved_by": actor.who[:64],
                "updated_at_ns": now,
            }
            uow.risk.update_plan(plan_id, values)
            audit(
                uow,
                plan_id,
                now,
                actor.shown,
                "approved",
                role=actor.role.value,
                tier=row["tier"],
                note=note[:500],
            )
            uow.commit()
            return plan_view(row | values)

    return app.retrying(work)


def reject(app: Ordo, plan_id: str, *, actor: Actor, note: str = "") -> dict[str, Any]:
    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = _plan(uow, plan_id)
            check_plan(plan_id, PlanStatus(row["status"]), PlanStatus.REJECTED)
            values = {"status": PlanStatus.REJECTED.value, "updated_at_ns": now}
            uow.risk.update_plan(plan_id, values)
            audit(uow, plan_id, now, actor.shown, "rejected", note=note[:500])
            uow.commit()
            return plan_view(row | values)

    return app.retrying(work)


def _move(app: Ordo, plan_id: str, status: PlanStatus, actor: Actor) -> tuple[dict[str, Any], dict[str, Any]]:
    """Take the plan into ``status`` (claims it: a second execute finds it moved on)."""

    def work() -> tuple[dict[str, Any], dict[str, Any]]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = _plan(uow, plan_id)
            check_plan(plan_id, PlanStatus(row["status"]), status)
            uow.risk.update_plan(plan_id, {"status": status.value, "updated_at_ns": now})
            event = _event(uow, row["event_id"])
            uow.commit()
            return row, event

    return app.retrying(work)


def execute(app: Ordo, plan_id: str, *, actor: Actor) -> dict[str, Any]:
    """Carry an approved plan out as proposed; what each order did is kept for revert."""
    row, event = _move(app, plan_id, PlanStatus.EXECUTED, actor)
    _, warehouses, _ = covered_of(event)
    zh, en = KIND_LABELS[RiskKind(event["kind"])]
    title = event["title"]
    reason = f"风险处置 {zh}「{title}」({event['id']}) / risk plan {plan_id}: {en} '{title}'"[:500]
    results: dict[str, dict[str, Any]] = {}
    actions = orjson.loads(row["actions"])
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for a in actions:
        by_kind.setdefault(a["action"], []).append(a)
    kinds = {a["order_id"]: a["action"] for a in actions}
    with app.store.uow(read_only=True) as uow:
        decided = uow.risk.plan_decisions(plan_id)
    now = app.clock.now_ns()
    # The approved warehouse and carrier as proposed, no routing again: each order's version
    # and the approved warehouse's stock checked in one write; the others skipped, reported.
    planned = []
    moves = []
    for kind in (PlanAction.REROUTE, PlanAction.SWITCH_CARRIER):
        for a in by_kind.get(kind.value, []):
            got = decided.get(a["order_id"])
            if got is not None:
                data, effect = got
                planned.append(
                    batch.planned_of(
                        a["order_id"],
                        a["channel"],
                        data,
                        effect,
                        reason=reason,
                        trigger=batch.TRIGGER,
                        now=now,
                    )
                )
            else:  # proposed before plans kept their decisions: routed again, as then
                barred = warehouses if kind is PlanAction.REROUTE else frozenset()
                moves.append(batch.Move(a["order_id"], barred, version=a.get("version")))
    done = batch.apply(app, planned, now) if planned else {}
    done |= batch.reroute_many(app, moves, reason=reason, trigger=batch.TRIGGER)
    results.update({oid: {"action": kinds[oid], **r} for oid, r in done.items()})
    to_hold = _unchanged(app, by_kind.get(PlanAction.HOLD.value, []), results)
    for start in range(0, len(to_hold), holds.MAX_BATCH):
        part = to_hold[start : start + holds.MAX_BATCH]
        for out in holds.hold(app, part, reason=reason, actor=f"risk:{actor.shown}"[:64]):
            held = out.outcome == "held"
            results[out.order_id] = {"action": "hold", "outcome": "done" if held else out.outcome}
    summary = {
        "done": sum(1 for r in results.values() if r["outcome"] == "done"),
        "refused": sum(1 for r in results.values() if r["outcome"] != "done"),
        # Changed since the proposal (or its stock taken since): left as they are.
        "skipped": sorted(oid for oid, r in results.items() if r.get("error") in SKIPPED),
        "orders": results,
    }

    def record() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            uow.risk.update_plan(plan_id, {"result": orjson.dumps(summary).decode(), "updated_at_ns": now})
            audit(
                uow, plan_id, now, actor.shown, "executed", done=summary["done"], refused=summary["refused"]
            )
            audit(
                uow, row["event_id"], now, actor.shown, "plan_executed", plan_id=plan_id, done=summary["done"]
            )
            uow.commit()
            return plan_view(_plan(uow, plan_id))

    return app.retrying(record)


def revert(app: Ordo, plan_id: str, *, actor: Actor) -> dict[str, Any]:
    """Undo an executed plan: re-routed orders go back to their warehouse (where it can still
    ship them), held orders are released."""
    row, _ = _move(app, plan_id, PlanStatus.REVERTED, actor)
    done = orjson.loads(row["result"]).get("orders", {})
    results: dict[str, str] = {}
    reason = f"撤销风险处置预案 / risk plan {plan_id} reverted"
    back = [
        batch.Move(oid, only=r["from"])
        for oid, r in done.items()
        if r.get("outcome") == "done" and r["action"] != "hold" and r.get("from") not in (None, r.get("to"))
    ]
    # Shipped or changed meanwhile: the order stays as it is.
    for oid, r in batch.reroute_many(app, back, reason=reason, trigger=REVERT).items():
        results[oid] = "reverted" if r["outcome"] == "done" else r["error"]
    for oid, r in done.items():
        if r.get("outcome") != "done" or oid in results:
            continue
        try:
            if r["action"] == "hold":
                holds.release(app, oid, actor=f"risk:{actor.shown}"[:64], note=reason)
            results[oid] = "reverted"
        except OrdoError as exc:
            results[oid] = exc.code

    def record() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            result = orjson.loads(row["result"]) | {"reverted": results}
            uow.risk.update_plan(plan_id, {"result": orjson.dumps(result).decode(), "updated_at_ns": now})
            audit(uow, plan_id, now, actor.shown, "reverted", orders=len(results))
            uow.commit()
            return plan_view(_plan(uow, plan_id))

    return app.retrying(record)
