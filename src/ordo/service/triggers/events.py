"""Outbox events → customer events: which of Ordo's events a trigger can count, and for whom.

* ``order.created`` → 下单 (``ordered``);
* ``order.milestone_recorded`` of ``returned`` / ``cancelled`` → 退货 / 取消;
* ``exception.opened`` by the SLA detector → 订单延迟 (``delayed``: a milestone came late);
* ``customer.message_tagged`` (``POST /service/messages`` with a known customer) → its intent
  (咨询 ``inquiry``, 投诉 ``complaint``, 催单 ``chase`` …).

Orders name their customer in the store (one read per batch); messages carry it. Pure apart
from that read, which the caller passes in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ordo.domain import events as ev
from ordo.domain.triggers import EVENT_KINDS
from ordo.service.ports import EventRecord, EventRow

#: The outbox types the runner reads.
WATCHED = (ev.ORDER_CREATED, ev.MILESTONE_RECORDED, ev.INCIDENT_OPENED, ev.CUSTOMER_MESSAGE_TAGGED)
_MILESTONES = {"returned": "returned", "cancelled": "cancelled"}


def order_ids(rows: Iterable[EventRecord]) -> set[str]:
    """The orders whose customer the batch needs."""
    return {str(r["order_id"]) for r in rows if r["order_id"] and r["type"] != ev.CUSTOMER_MESSAGE_TAGGED}


def _payload(r: EventRecord) -> Mapping[str, Any]:
    p = r["payload"]
    return p if isinstance(p, Mapping) else {}


def kind_of(r: EventRecord) -> str | None:
    """The customer-event kind of an outbox row, or None when triggers do not count it."""
    t, p = r["type"], _payload(r)
    if t == ev.ORDER_CREATED:
        return "ordered"
    if t == ev.MILESTONE_RECORDED:
        return _MILESTONES.get(str(p.get("milestone")))
    if t == ev.INCIDENT_OPENED:
        return "delayed" if p.get("detector") == "sla" else None
    if t == ev.CUSTOMER_MESSAGE_TAGGED:
        kind = str(p.get("intent_code") or "")
        return kind if kind in EVENT_KINDS else None
    return None


def customer_events(rows: Sequence[EventRecord], customers: Mapping[str, str]) -> list[EventRow]:
    """The customer events of a batch of outbox rows (``customers``: order id → customer ref)."""
    out: list[EventRow] = []
    for r in rows:
        kind = kind_of(r)
        if kind is None:
            continue
        p = _payload(r)
        order_id = str(r["order_id"]) if r["order_id"] else None
        ref = p.get("customer_ref") if r["type"] == ev.CUSTOMER_MESSAGE_TAGGED else None
        if ref is None and order_id is not None:
            ref = customers.get(order_id)
        if not ref:
            continue
        out.append(EventRow(str(ref), kind, r["channel"], order_id, int(r["at_ns"]), int(r["id"])))
    return out
