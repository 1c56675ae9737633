"""Carrying out playbook steps, and one playbook attempt for an incident.

A step changes the world (reserves stock, moves a reservation, books another carrier,
moves the promise date, records a coupon, notifies someone) inside the scan's unit of
work, with its events. It never closes the incident: the detector sees the change
(the ``stock_locked`` milestone, the late report) and closes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ordo.domain import events as ev
from ordo.domain.events import Event
from ordo.domain.incidents.playbooks import COUPON_FEN, STEP_LABELS, Step, StepOutcome, playbook
from ordo.domain.inventory.allocation import Availability, Demand, allocate
from ordo.domain.orders.health import CARRIER_RELIABILITY, REMAINING_H
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.incidents import ledger
from ordo.service.incidents.reship import quarantine, reship
from ordo.service.orders.milestones import held_deltas, record_updates
from ordo.service.ports import Delta, UnitOfWork, Watch

NS = 1_000_000_000
SOURCE = "ordo:exceptions"
_FINISHED = ("cancelled", "refunded", "returned", "delivered", "completed")


@dataclass
class StepContext:
    uow: UnitOfWork
    now: int
    row: dict[str, Any]
    watch: Watch | None
    events: list[Event] = field(default_factory=list)

    @property
    def order_id(self) -> str:
        return str(self.row["order_id"])

    def emit(self, kind: str, payload: dict[str, Any]) -> None:
        self.events.append(Event(kind, self.order_id, self.now, payload, channel=self.row.get("channel")))


Result = tuple[StepOutcome, str]


def retry_stock_lock(ctx: StepContext) -> Result:
    order = ctx.uow.incidents.order_brief(ctx.order_id)
    if order is None or order["status"] in _FINISHED or order["warehouse_id"] is not None:
        return StepOutcome.SKIPPED, "order no longer waits for stock / 订单已不再缺货等待"
    found = _allocate(ctx, order, exclude=None)
    if found is None:
        return StepOutcome.FAILED, "still out of stock everywhere / 各仓仍无货"
    warehouse, need = found
    ctx.uow.stock.reserve(Delta(warehouse, sku, q) for sku, q in need.items())
    ctx.uow.incidents.set_allocation(ctx.order_id, warehouse, ctx.now)
    record_updates(
        ctx.uow,
        [
            MilestoneUpdate(
                ctx.order_id, Milestone.STOCK_LOCKED, ctx.now, SOURCE, "重试锁库 / stock lock retried"
            ),
            MilestoneUpdate(ctx.order_id, Milestone.ROUTED, ctx.now, SOURCE),
        ],
        ctx.now,
    )
    if ctx.watch is not None:
        ctx.watch.hold_reason, ctx.watch.warehouse_id = None, warehouse
    return StepOutcome.DONE, f"stock locked at {warehouse} / 已在 {warehouse} 锁库"


def reroute(ctx: StepContext) -> Result:
    order = ctx.uow.incidents.order_brief(ctx.order_id)
    steps = ctx.watch.steps if ctx.watch else {}
    if order is None or order["warehouse_id"] is None or Milestone.PICKED.value in steps:
        return StepOutcome.SKIPPED, "nothing to move (not reserved, or already picked) / 无需改派"
    old = str(order["warehouse_id"])
    found = _allocate(ctx, order, exclude=old)
    if found is None:
        return StepOutcome.FAILED, "no other warehouse has the stock / 其他仓无货"
    warehouse, need = found
    # Released where each line is held (a split order at several warehouses), reserved
    # whole at the new one.
    held = ctx.uow.orders.stock_lines([ctx.order_id])
    ctx.uow.stock.release(held_deltas([ctx.order_id], held))
    ctx.uow.stock.reserve(Delta(warehouse, sku, q) for sku, q in need.items())
    ctx.uow.incidents.set_allocation(ctx.order_id, warehouse, ctx.now)
    if ctx.watch is not None:
        ctx.watch.warehouse_id = warehouse
    ctx.emit(ev.ORDER_REROUTED, {"from": old, "to": warehouse, "exception_id": ctx.row["id"]})
    return StepOutcome.DONE, f"moved from {old} to {warehouse} / 已由 {old} 改派至 {warehouse}"


def switch_carrier(ctx: StepContext) -> Result:
    current = ctx.watch.carrier if ctx.watch else None
    carriers = [c for c in ctx.uow.catalog.carriers() if c.id != current]
    if not carriers:
        return StepOutcome.FAILED, "no other carrier / 无可用承运商"
    best = max(carriers, key=lambda c: (CARRIER_RELIABILITY.get(c.id, 0.85), c.id))
    if ctx.watch is not None:
        ctx.watch.carrier = best.id
    ctx.emit(ev.ORDER_CARRIER_SWITCHED, {"from": current, "to": best.id, "exception_id": ctx.row["id"]})
    return StepOutcome.DONE, f"booked {best.name} / 已改约{best.name}"


def recompute_promise(ctx: StepContext) -> Result:
    order = ctx.uow.incidents.order_brief(ctx.order_id)
    if order is None:
        return StepOutcome.SKIPPED, "order gone / 订单不存在"
    last = Milestone(ctx.watch.last_milestone) if ctx.watch else Milestone.CREATED
    promise = ctx.now + int(REMAINING_H[last.number] * 3600 * NS)
    ctx.uow.incidents.set_promise(ctx.order_id, promise, ctx.now)
    previous = order["promised_at_ns"]
    ctx.emit(
        ev.ORDER_PROMISE_UPDATED,
        {
            "promised_at_ns": promise,
            "previous_ns": previous,
            "notify": "customer",
            "exception_id": ctx.row["id"],
        },
    )
    return StepOutcome.DONE, "new promise date sent to the customer / 已重算承诺时效并通知客户"


def issue_coupon(ctx: StepContext) -> Result:
    amount = COUPON_FEN.get(str(ctx.row["tier"]), COUPON_FEN["regular"])
    reason = f"{ctx.row['detector']}:{ctx.row['key']}"
    ctx.uow.incidents.add_coupon(ctx.order_id, int(ctx.row["id"]), amount, reason, ctx.now)
    ctx.emit(ev.COUPON_ISSUED, {"amount_fen": amount, "reason": reason, "exception_id": ctx.row["id"]})
    return StepOutcome.DONE, f"coupon of {amount / 100:.2f} yuan issued / 已发放 {amount / 100:.2f} 元补偿券"


def _notify(target: str) -> Callable[[StepContext], Result]:
    def step(ctx: StepContext) -> Result:
        ctx.emit(
            ev.INCIDENT_NOTIFIED,
            {"to": target, "exception_id": ctx.row["id"], "detector": ctx.row["detector"]},
        )
        return StepOutcome.DONE, f"{target} notified / 已通知"

    return step


def intercept(ctx: StepContext) -> Result:
    """Ask the warehouse (and carrier) to stop a held order it is working on (拦截): an
    ``order.intercept_requested`` event for their adapters, the intercept ``requested``."""
    hold = ctx.watch.hold_reason if ctx.watch else None
    details = ctx.row.get("details") or {}
    hold = hold or details.get("hold_reason")
    ctx.uow.holds.request_intercepts([(ctx.order_id, hold)], SOURCE, ctx.now)
    payload = {"hold_reason": hold, "by": SOURCE, "exception_id": ctx.row["id"],
               "warehouse_id": ctx.watch.warehouse_id if ctx.watch else None,
               "steps_done": [details.get("milestone")] if details.get("milestone") else [],
               "message": "held order worked on: stop it / 挂起订单被作业，请拦截"}  # fmt: skip
    ctx.emit(ev.INTERCEPT_REQUESTED, payload)
    return StepOutcome.DONE, "intercept requested from the warehouse / 已通知仓库拦截"


STEPS: dict[Step, Callable[[StepContext], Result]] = {
    Step.RETRY_STOCK_LOCK: retry_stock_lock,
    Step.REROUTE: reroute,
    Step.SWITCH_CARRIER: switch_carrier,
    Step.RECOMPUTE_PROMISE: recompute_promise,
    Step.ISSUE_COUPON: issue_coupon,
    Step.NOTIFY_CUSTOMER: _notify("customer"),
    Step.NOTIFY_OPS: _notify("ops"),
    Step.REMIND_WAREHOUSE: _notify("warehouse"),
    Step.RESEND_WAYBILL: _notify("tms"),
    Step.QUARANTINE: quarantine,
    Step.RESHIP: reship,
    Step.INTERCEPT: intercept,
}


def attempt(uow: UnitOfWork, row: dict[str, Any], watch: Watch | None, now: int) -> int:
    """Run the playbook's outstanding steps once, escalate if automation is exhausted or too
    slow, and set when to look again. Returns the number of steps run."""
    book = playbook(row["playbook"])
    history: list[dict[str, Any]] = list(row["steps"])
    settled = {h["step"] for h in history if h["outcome"] != StepOutcome.FAILED}
    ctx = StepContext(uow, now, row, watch)
    ran = 0
    if row["attempts"] < book.max_attempts:
        for step in book.steps:
            if step.value in settled:
                continue
            outcome, note = STEPS[step](ctx)
            ran += 1
            history.append({"step": step.value, "outcome": outcome.value, "at_ns": now, "note": note})
            en, zh = STEP_LABELS[step]
            ctx.emit(
                ev.INCIDENT_STEP,
                {
                    "exception_id": row["id"],
                    "step": step.value,
                    "label": f"{en} / {zh}",
                    "outcome": outcome.value,
                },
            )
        row["attempts"] += 1
    latest = {h["step"]: h["outcome"] for h in history}
    pending = any(o == StepOutcome.FAILED for o in latest.values())
    exhausted = row["attempts"] >= book.max_attempts
    escalate_at = row["opened_at_ns"] + book.escalate_after_s * NS
    uow.outbox.append(ctx.events)
    if not row["queued"] and (now >= escalate_at or (pending and exhausted)):
        why = (
            "automation exhausted / 自动处置未能解决" if pending and exhausted else "still open / 超时未闭环"
        )
        ledger.escalate(uow, row, now, why)
    looks = []
    if pending and not exhausted:
        looks.append(now + book.retry_every_s * NS)
    if not row["queued"]:
        looks.append(max(escalate_at, now + 1))
    values = {
        "steps": history,
        "attempts": row["attempts"],
        "next_attempt_ns": min(looks) if looks else None,
        "updated_at_ns": now,
    }
    row.update(values)
    uow.incidents.update(row["id"], values)
    return ran


def _allocate(
    ctx: StepContext, order: dict[str, Any], exclude: str | None
) -> tuple[str, dict[str, int]] | None:
    need, flags = ctx.uow.incidents.demand(ctx.order_id)
    if not need:
        return None
    warehouses = [w for w in ctx.uow.catalog.warehouses() if w.id != exclude]
    availability = Availability(warehouses)
    availability.load(ctx.uow.stock.lock_available(need))
    [alloc] = allocate([Demand(need, flags, order["lat"], order["lng"])], availability)
    return (alloc.warehouse_id, need) if alloc.warehouse_id else None
