"""Domain events: what happened, in the past tense, recorded with the state change.

An event is data only; the store writes it in the same transaction as the state it
describes (transactional outbox) and consumers read the outbox in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: An order was accepted; the payload says where it ships from or why it waits.
ORDER_CREATED = "order.created"
#: A milestone or side state was recorded; the payload carries the status after it.
MILESTONE_RECORDED = "order.milestone_recorded"
#: An impossible update was refused and kept as an anomaly.
UPDATE_REJECTED = "order.update_rejected"
#: Two systems disagree in a way the status graph forbids; the payload names both and the rule.
STATUS_CONFLICT = "order.status_conflict"
#: A system reported something that is not a step forward (揽收失败, 缺货); the payload names it.
STATUS_SIGNAL = "order.status_signal"

#: Two customers turned out to be one person; the payload carries the merge and its evidence.
CUSTOMER_MERGED = "customer.merged"
#: An operator undid a merge; the payload names it and the two customers again apart.
CUSTOMER_SPLIT = "customer.split"
#: Orders were merged to ship as one parcel (合单); one event per order.
PARCEL_MERGED = "order.parcel_merged"

EVENT_TYPES = (
    ORDER_CREATED,
    MILESTONE_RECORDED,
    UPDATE_REJECTED,
    STATUS_CONFLICT,
    STATUS_SIGNAL,
    CUSTOMER_MERGED,
    CUSTOMER_SPLIT,
    PARCEL_MERGED,
)


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    order_id: str | None
    at_ns: int
    payload: dict[str, Any] = field(default_factory=dict)
    channel: str | None = None
