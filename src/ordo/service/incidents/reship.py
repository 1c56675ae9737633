"""The cold-chain replacement playbook: quarantine, re-ship, tell the customer, close on outbound.

Three moments, because a replacement is a real order and intake has its own transaction:

1. in the scan's unit of work, the playbook steps ``quarantine`` (an event: the warm
   parcel is held) and ``reship`` (a request row, once per incident);
2. after the scan commits, :func:`place_replacements` takes the requests in through
   ``ordo.service.orders.intake.intake`` (routed to the nearest warehouse with stock, the stock
   reserved, idempotent by ``external_id``), records which order replaces which, and
   tells the customer the replacement's promise date;
3. when the replacement's ``outbound`` (or any later step) is recorded, the scan calls
   :func:`close_shipped`, which closes the excursion incident: the condition the
   detector watches (goods on their way to the customer in good order) is met.

Nothing is closed on request or on placement alone: a replacement that never ships
leaves the incident open until the playbook hands it to a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ordo.domain import events as ev
from ordo.domain.events import ORDER_QUARANTINED, REPLACEMENT_PLACED, Event
from ordo.domain.incidents.incident import IncidentState
from ordo.domain.incidents.playbooks import StepOutcome
from ordo.domain.orders.model import Address, Line, Order
from ordo.service.incidents import ledger
from ordo.service.ports import FAILED, PLACED, REQUESTED, SHIPPED, UnitOfWork, Watch
from ordo.service.runtime.app import Ordo

if TYPE_CHECKING:
    from ordo.service.incidents.steps import Result, StepContext

#: A replacement has left its warehouse once any of these is recorded.
SHIPPED_STEPS = ("outbound", "collected", "departed", "in_transit", "out_for_delivery", "delivered")
TAG = "replacement"


def quarantine(ctx: StepContext) -> Result:
    details = ctx.row.get("details") or {}
    ctx.emit(
        ORDER_QUARANTINED,
        {
            "exception_id": ctx.row["id"],
            "device_id": details.get("device_id"),
            "peak_c": details.get("peak_c"),
        },
    )
    return StepOutcome.DONE, "parcel quarantined, not to be delivered as it is / 包裹已隔离，不按原样派送"


def reship(ctx: StepContext) -> Result:
    if ctx.uow.incidents.order_brief(ctx.order_id) is None:
        return StepOutcome.SKIPPED, "order gone / 订单不存在"
    if not ctx.uow.cold_chain.request_replacement(int(ctx.row["id"]), ctx.order_id, ctx.now):
        found = ctx.uow.cold_chain.replacement(int(ctx.row["id"])) or {}
        if found.get("state") == FAILED:
            return StepOutcome.FAILED, f"replacement failed: {found.get('note')} / 补发失败"
    return StepOutcome.DONE, "replacement requested / 已申请补发"


def replacement_order(original: Mapping[str, Any], incident_id: int, now_ns: int) -> Order:
    """The same goods to the same person, free of charge, paid at once (nothing to wait for)."""
    o = original
    ship_to = Address(
        o["province"], o["city"], o["district"], o["detail"], o.get("adcode"), o.get("lat"), o.get("lng"),
        o.get("recipient_name") or "", o.get("recipient_phone") or "",
    )  # fmt: skip
    lines = tuple(
        Line(str(ln["sku"]), int(ln["quantity"]), 0, frozenset(ln.get("flags") or ())) for ln in o["lines"]
    )
    return Order(
        id="",
        channel=str(o["channel"]),
        external_id=f"{str(o['external_id'])[:48]}-R{incident_id}",
        customer_ref=str(o["customer_ref"]),
        ship_to=ship_to,
        lines=lines,
        placed_at_ns=now_ns,
        paid_at_ns=now_ns,
        tags=(TAG,),
        priority=1,
        remark=f"冷链补发 / cold-chain replacement of {o['id']}",
    )


def place_replacements(app: Ordo, limit: int = 200) -> int:
    """Take the requested replacements in through intake; returns how many were placed."""
    from ordo.service.orders.intake import IntakeOutcome, intake  # intake imports far; only needed here

    now = app.clock.now_ns()
    with app.store.uow(read_only=True) as uow:
        requests = uow.cold_chain.requested(limit)
        originals = {int(r["exception_id"]): uow.orders.get(str(r["order_id"])) for r in requests}
    todo = [r for r in requests if originals[int(r["exception_id"])] is not None]
    gone = [int(r["exception_id"]) for r in requests if originals[int(r["exception_id"])] is None]
    if not requests:
        return 0
    orders = [
        replacement_order(originals[int(r["exception_id"])] or {}, int(r["exception_id"]), now) for r in todo
    ]
    results = intake(app, orders) if orders else []
    placed = 0

    def transaction() -> None:
        nonlocal placed
        placed = 0
        with app.store.uow() as uow:
            events: list[Event] = []
            for eid in gone:  # nothing to replace: it is no longer asked for
                uow.cold_chain.set_replacement(eid, state=FAILED, note="original order gone / 原订单不存在")
            for req, res in zip(todo, results, strict=True):
                eid, oid = int(req["exception_id"]), str(req["order_id"])
                row = uow.incidents.get(eid, lock=True)
                if (uow.cold_chain.replacement(eid) or {}).get("state") != REQUESTED:
                    continue  # another worker placed it meanwhile (intake saw a duplicate)
                ok = res.outcome in (IntakeOutcome.CREATED, IntakeOutcome.DUPLICATE) and res.order_id
                if not ok or row is None:
                    note = (res.error.message if res.error else "not accepted")[:200]
                    uow.cold_chain.set_replacement(eid, state=FAILED, note=note)
                    if row is not None and not row["queued"] and not IncidentState(row["state"]).closed:
                        ledger.escalate(uow, row, now, f"replacement not accepted / 补发未被受理: {note}")
                    continue
                placed += 1
                new_id = str(res.order_id)
                uow.cold_chain.set_replacement(
                    eid, state=PLACED, replacement_order_id=new_id, placed_at_ns=now
                )
                events += _announce(uow, row, oid, new_id, res.warehouse_id, now)
            uow.outbox.append(events)
            uow.commit()

    app.retrying(transaction)
    return placed


def _announce(
    uow: UnitOfWork, row: dict[str, Any], oid: str, new_id: str, warehouse: str | None, now: int
) -> list[Event]:
    """The customer hears the replacement's promise date; the incident's history says what happened."""
    brief = uow.incidents.order_brief(new_id) or {}
    original = uow.incidents.order_brief(oid) or {}
    promise = brief.get("promised_at_ns")
    if promise is not None:
        uow.incidents.set_promise(oid, int(promise), now)
    eid, channel = row["id"], row.get("channel")
    where = warehouse or "-"
    note = f"replacement {new_id} placed at {where} / 补发订单 {new_id} 已由 {where} 承接"
    steps = [*row["steps"], {"step": "reship", "outcome": StepOutcome.DONE.value, "at_ns": now, "note": note}]
    uow.incidents.update(eid, {"steps": steps, "updated_at_ns": now})
    common = {"exception_id": eid, "replacement_order_id": new_id}
    return [
        Event(REPLACEMENT_PLACED, oid, now, {**common, "warehouse_id": warehouse}, channel=channel),
        Event(
            ev.ORDER_PROMISE_UPDATED,
            oid,
            now,
            {
                **common,
                "promised_at_ns": promise,
                "previous_ns": original.get("promised_at_ns"),
                "notify": "customer",
            },
            channel=channel,
        ),
        Event(
            ev.INCIDENT_NOTIFIED,
            oid,
            now,
            {**common, "to": "customer", "detector": row["detector"]},
            channel=channel,
        ),
    ]


def close_shipped(uow: UnitOfWork, watches: Mapping[str, Watch], now: int) -> int:
    """Close the excursions whose replacement has left its warehouse (in the scan's unit of work)."""
    shipped = [o for o, w in watches.items() if any(s in w.steps for s in SHIPPED_STEPS)]
    closed = 0
    for rep in uow.cold_chain.placed_for(shipped):
        eid, new_id = int(rep["exception_id"]), str(rep["replacement_order_id"])
        uow.cold_chain.set_replacement(eid, state=SHIPPED, shipped_at_ns=now)
        row = uow.incidents.get(eid, lock=True)
        if row is None or IncidentState(row["state"]).closed:
            continue
        note = f"replacement {new_id} shipped / 补发订单 {new_id} 已出库"
        ledger.move(uow, row, IncidentState.AUTO_RESOLVED, now, by="ordo", note=note)
        closed += 1
    return closed
