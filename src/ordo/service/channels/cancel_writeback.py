"""Telling the platforms an order will not ship: when an order is cancelled in Ordo, or an
intercept (拦截) is raised after its release, the e-waybills it took from its platform's
waybill service are cancelled there while the carrier has not collected the parcel (the
platform calls: :mod:`ordo.adapters.platforms.waybill_cancel`).

    collect_cancels(writeback)     outbox → cancellations owed, in the write-back queue

The outbox is read after this duty's own offset (consumer ``platform-cancel``) for the
``cancelled`` milestone and ``order.intercept_requested``. An order of a platform shop
whose platform cancels e-waybills (:data:`CANCELS`), with waybills recorded (the note of
its ``waybill_issued`` milestone) and not yet left (no ``outbound`` milestone: a collected
parcel's waybill cannot be cancelled, and no platform takes a seller's intercept without
the buyer's after-sale request), owes one cancellation per waybill: a write-back row of
kind ``cancel``. Rows and the new offset commit in one transaction.

Sending them is the shipment write-back's own machinery, not a copy of it: the same queue
(``platform_shipments``), the same :meth:`WriteBack.send` with its backoff on the injected
clock, dead letters and :func:`~ordo.service.channels.writeback.replay_dead`; the row's
kind decides the call. A cancellation has no platform deadline (no ``platform_sync``
incident).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordo.adapters.platforms.waybill_cancel import CANCELS
from ordo.domain import events as ev
from ordo.domain.orders.milestones import Milestone
from ordo.service.ports import ShipmentRecord, UnitOfWork

if TYPE_CHECKING:
    from ordo.service.channels.writeback import WriteBack

__all__ = ["CANCELS", "CONSUMER", "collect_cancels"]

CONSUMER = "platform-cancel"
KIND = "cancel"
_CANCELLED = Milestone.CANCELLED.value
_OUTBOUND = Milestone.OUTBOUND.value


def collect_cancels(wb: WriteBack) -> int:
    """One round of collecting; how many events it read (0: idle)."""
    app = wb.app

    def transaction() -> int:
        now = app.clock.now_ns()
        shops = wb.shops.shops(app.store)
        if not shops:
            return 0
        with app.store.uow() as uow:
            offset = uow.outbound.offset(CONSUMER)
            if offset is None:  # from the first shop on, as the shipment write-back
                since = min(s["created_at_ns"] for s in shops)
                before, inside = uow.outbound.id_range(since, max(now, since))
                offset = uow.outbound.start(CONSUMER, before if inside else uow.outbox.last_id(), now)
            events = uow.outbound.events_after(
                offset.last_id, limit=wb.batch, types=[ev.MILESTONE_RECORDED, ev.INTERCEPT_REQUESTED]
            )
            if not events:
                return 0
            stopped = sorted(
                {
                    str(e["order_id"])
                    for e in events
                    if e["order_id"] is not None
                    and e["channel"] in CANCELS
                    and (
                        e["type"] == ev.INTERCEPT_REQUESTED
                        or (isinstance(e["payload"], dict) and e["payload"].get("milestone") == _CANCELLED)
                    )
                }
            )
            uow.platforms.add_shipments(_cancellations(wb, uow, stopped, now) if stopped else [])
            uow.outbound.advance(CONSUMER, int(events[-1]["id"]), now)
            uow.commit()
            return len(events)

    return app.retrying(transaction)


def _cancellations(wb: WriteBack, uow: UnitOfWork, order_ids: list[str], now: int) -> list[ShipmentRecord]:
    orders = {oid: uow.orders.get(oid) for oid in order_ids}
    keys = {(o["channel"], o["external_id"]): oid for oid, o in orders.items() if o is not None}
    shop_of = wb.shops_for(uow, keys)
    out: list[ShipmentRecord] = []
    for (channel, external_id), oid in keys.items():
        order = orders[oid]
        shop = shop_of.get((channel, external_id))
        if shop is None or order is None:
            continue
        if any(m["milestone"] == _OUTBOUND for m in order["milestones"]):
            continue  # collected: its waybill stands, the buyer's after-sale takes it from here
        for waybill, carrier in wb.waybills(uow, oid):
            if not waybill or not carrier:
                continue
            out.append(
                {
                    "id": 0,
                    "shop_id": shop,
                    "order_id": oid,
                    "channel": channel,
                    "external_id": external_id,
                    "waybill": waybill[:64],
                    "carrier": carrier[:32],
                    "state": "pending",
                    "attempts": 0,
                    "next_at_ns": now,
                    "outbound_at_ns": now,
                    "due_at_ns": now,
                    "acked_at_ns": None,
                    "sla_raised": False,
                    "last_error": "",
                    "created_at_ns": now,
                    "updated_at_ns": now,
                    "kind": KIND,
                    "lines": "",
                }
            )
    return out
