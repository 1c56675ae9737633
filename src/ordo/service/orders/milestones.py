"""Milestone updates in batches, and cancellation (which is one of them).

Each update is checked by the pure lifecycle rules against what is already
recorded (read under lock), then recorded, refused as an anomaly, or ignored as a
duplicate. Stock follows the milestones: ``cancelled`` releases the reservation,
the first milestone that says the goods left (``outbound`` or any later one)
consumes it, each line at the warehouse that holds it (a split order at several).
All of it, with its events, in one transaction.

Holds: while an order is held its ``released_to_warehouse`` is refused
(``order_on_hold``); a warehouse or carrier step reported for it anyway is recorded
(it happened) and also written as an ``order.hold_violated`` event naming the step,
the reporting system and the hold, which the incident scan raises as a
``hold_violated`` incident.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ordo.domain import events as ev
from ordo.domain.errors import LifecycleViolation
from ordo.domain.events import Event
from ordo.domain.orders.milestones import (
    LEFT_WAREHOUSE,
    Milestone,
    MilestoneUpdate,
    Outcome,
    UpdateResult,
    apply_updates,
    violates_hold,
)
from ordo.service.ports import Delta, Progress, UnitOfWork
from ordo.service.runtime.app import Ordo


def advance(
    app: Ordo, updates: Sequence[MilestoneUpdate], *, keep_refusals: bool = True
) -> list[UpdateResult]:
    """Record a batch of milestone updates from any systems; one result per update.

    ``keep_refusals=False`` is for commands (a person's cancel): a refused one is answered
    and writes nothing, so repeating it cannot pile up anomalies and events."""
    if not updates:
        return []

    def transaction() -> list[UpdateResult]:
        with app.store.uow() as uow:
            results = record_updates(uow, updates, app.clock.now_ns(), keep_refusals=keep_refusals)
            uow.commit()
        return results

    results = app.retrying(transaction)
    app.notifier.notify()
    return results


def advance_each(app: Ordo, batches: Sequence[Sequence[MilestoneUpdate]]) -> list[list[UpdateResult]]:
    """Several callers' batches in one transaction, applied in the order given; results per batch.

    The API's micro-batcher calls this so that concurrent requests share one write
    transaction instead of queueing for SQLite's write lock one by one.
    """
    results = advance(app, [u for batch in batches for u in batch])
    out: list[list[UpdateResult]] = []
    start = 0
    for batch in batches:
        out.append(results[start : start + len(batch)])
        start += len(batch)
    return out


def record_updates(
    uow: UnitOfWork,
    updates: Sequence[MilestoneUpdate],
    now: int,
    progress: dict[str, Progress] | None = None,
    *,
    keep_refusals: bool = True,
) -> list[UpdateResult]:
    """:func:`advance` inside a caller's unit of work (which commits and notifies).

    ``progress`` is what the caller already read under lock for these orders (the
    status-update service reads it once for its conflict check and for this). A refused
    update is kept as an anomaly and an ``order.update_rejected`` event unless
    ``keep_refusals`` is False (then it is only answered).
    """
    if not updates:
        return []
    if progress is None:
        progress = uow.orders.progress(u.order_id for u in updates)
    results: list[UpdateResult] = []
    recorded: list[tuple[str, Milestone, int, str]] = []
    rejected: list[tuple[MilestoneUpdate, str, str]] = []
    events: list[Event] = []
    releases: list[str] = []
    consumes: list[str] = []
    current = {oid: p.status for oid, p in progress.items()}
    for update in updates:
        p = progress.get(update.order_id)
        if p is None:
            error = LifecycleViolation(
                "order_not_found",
                f"no order {update.order_id!r} / 订单不存在",
                order_id=update.order_id,
            )
            results.append(UpdateResult(update, Outcome.REJECTED, None, error))
            rejected.append((update, error.code, error.message))
            continue
        oid, step = p.order_id, update.milestone
        had_left = not LEFT_WAREHOUSE.isdisjoint(p.steps)
        [result] = apply_updates(p.steps, [update], now, p.hold_reason)
        results.append(result)
        outcome = result.outcome
        if outcome is Outcome.DUPLICATE:
            continue
        previous = current[oid]
        status = result.status._value_ if result.status else previous
        current[oid] = status
        if outcome is Outcome.REJECTED:
            assert result.error is not None
            rejected.append((update, result.error.code, result.error.message))
            payload = {
                "milestone": step._value_,
                "source": update.source,
                "at_ns": update.at_ns,
                "code": result.error.code,
                "status": status,
            }
            events.append(Event(ev.UPDATE_REJECTED, oid, now, payload, p.channel))
            continue
        recorded.append((oid, step, update.at_ns, update.source))
        payload = {
            "milestone": step._value_,
            "source": update.source,
            "at_ns": update.at_ns,
            "status": status,
            "previous_status": previous,
            "note": update.note,
        }
        events.append(Event(ev.MILESTONE_RECORDED, oid, now, payload, p.channel))
        if violates_hold(step, p.hold_reason):
            broken = {
                "milestone": step._value_,
                "source": update.source,
                "at_ns": update.at_ns,
                "hold_reason": p.hold_reason,
                "warehouse_id": p.warehouse_id,
            }
            events.append(Event(ev.HOLD_VIOLATED, oid, now, broken, p.channel))
        if p.warehouse_id is not None:
            if step is Milestone.CANCELLED:
                releases.append(oid)
            elif step in LEFT_WAREHOUSE and not had_left:
                # The first sign the goods left (usually outbound; a carrier
                # scan may arrive first) turns the reservation into a shipment.
                consumes.append(oid)
    changes = [(oid, st) for oid, st in current.items() if progress[oid].status != st]
    if releases or consumes:
        held = uow.orders.stock_lines(releases + consumes)
        uow.stock.release(held_deltas(releases, held))
        uow.stock.consume(held_deltas(consumes, held))
    uow.orders.add_milestones(recorded, now)
    uow.orders.set_status(changes, now)
    returned = [r[0] for r in recorded if r[1] is Milestone.RETURNED]
    cancelled = [r[0] for r in recorded if r[1] is Milestone.CANCELLED]
    if returned or cancelled:  # the customer's statistics the rules read (退货率, 累计消费)
        uow.customer_stats.on_milestones(returned, cancelled, now)
    if keep_refusals:
        uow.orders.add_anomalies(rejected, now)
    else:
        events = [e for e in events if e.type != ev.UPDATE_REJECTED]
    uow.outbox.append(events)
    return results


def cancel(app: Ordo, order_ids: Sequence[str], *, reason: str, source: str = "ordo") -> list[UpdateResult]:
    """Cancel orders (releasing their stock); refused for orders that already left.

    A refused cancel is a command refused: it is answered (409) and writes nothing."""
    now = app.clock.now_ns()
    updates = [MilestoneUpdate(oid, Milestone.CANCELLED, now, source, reason) for oid in order_ids]
    return advance(app, updates, keep_refusals=False)


def held_deltas(order_ids: Iterable[str], held: dict[str, list[tuple[str, str, int]]]) -> list[Delta]:
    """The stock these orders hold (``OrderRepository.stock_lines``), line by line: a split
    order releases or consumes at each of its warehouses."""
    return [Delta(w, sku, q) for oid in order_ids for w, sku, q in held.get(oid, ())]
