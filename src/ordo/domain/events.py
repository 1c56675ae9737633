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
#: A customer's message was tagged with its intent (咨询, 投诉 …); the payload names the customer,
#: the intent and the order when known. Event-stream triggers count these.
CUSTOMER_MESSAGE_TAGGED = "customer.message_tagged"
#: Orders were merged to ship as one parcel (合单); one event per order.
PARCEL_MERGED = "order.parcel_merged"

#: An order was sent to another warehouse (operator, outage, playbook); the payload says from where to where.
ORDER_REROUTED = "order.rerouted"
#: A parcel was handed to another carrier by a playbook step.
ORDER_CARRIER_SWITCHED = "order.carrier_switched"
#: The promise date changed; the payload has the old and the new one.
ORDER_PROMISE_UPDATED = "order.promise_updated"
#: An unpaid order held its stock past the reservation time and was cancelled.
RESERVATION_EXPIRED = "order.reservation_expired"
#: A channel's sellable quantities changed past its threshold (库存同步); one event per channel.
STOCK_SYNC = "stock.sync"
#: Substitute SKUs were saved or removed; the payload names them, the change and who made it.
SUBSTITUTES_CHANGED = "inventory.substitutes_changed"
#: Out-of-stock lines of an order ship as substitute SKUs; the payload has each swap.
ORDER_SUBSTITUTED = "order.substituted"
#: A compensation coupon was issued by a playbook step.
COUPON_ISSUED = "coupon.issued"
#: An operator held orders before they left; the payload has the reason and what happened to the stock.
ORDER_HELD = "order.held"
#: A held order was let go; the payload names the hold it left and whether it was routed now.
ORDER_RELEASED = "order.released"
#: A warehouse or carrier step was reported for an order while it was held (it happened:
#: recorded); the payload names the step, the system that reported it and the hold.
HOLD_VIOLATED = "order.hold_violated"
#: An order already released to its warehouse was held: the warehouse (WMS) and carrier
#: adapters are asked to intercept it (拦截); the payload names the hold and the warehouse.
INTERCEPT_REQUESTED = "order.intercept_requested"
#: The warehouse answered an intercept request (拦截成功 / 拦截失败); the payload has the state.
INTERCEPT_ANSWERED = "order.intercept_answered"
#: The ship-to address was corrected; the payload keeps the old and the new one, personal data masked.
ORDER_ADDRESS_CORRECTED = "order.address_corrected"
#: A cold-chain parcel was quarantined after a real excursion.
ORDER_QUARANTINED = "order.quarantined"
#: Replacement goods were ordered for a spoiled parcel; the payload names the replacement order.
REPLACEMENT_PLACED = "order.replacement_placed"
#: A temperature probe reads like a broken sensor, not warm goods (a maintenance signal).
PROBE_FAULT = "telemetry.probe_fault"
#: A probe flagged as faulty reads normally again.
PROBE_RECOVERED = "telemetry.probe_recovered"

# An incident's states (see ordo.domain.incidents.incident); the stored type strings keep
# their historical "exception." prefix, which subscribers and stored events rely on.
INCIDENT_OPENED = "exception.opened"
INCIDENT_STEP = "exception.step_done"
INCIDENT_ESCALATED = "exception.escalated"
INCIDENT_ASSIGNED = "exception.assigned"
INCIDENT_ACKNOWLEDGED = "exception.acknowledged"
INCIDENT_AUTO_RESOLVED = "exception.auto_resolved"
INCIDENT_RESOLVED = "exception.resolved"
INCIDENT_DISMISSED = "exception.dismissed"
INCIDENT_NOTIFIED = "exception.notified"

# Tasks raised by event-stream triggers (see ordo.service.triggers).
#: A trigger fired: the payload names the task, its customer, owner and due time.
TASK_RAISED = "task.raised"
TASK_ASSIGNED = "task.assigned"
TASK_CLOSED = "task.closed"

# Rule governance (see ordo.service.rules.versions).
RULES_PUBLISHED = "rules.published"
RULES_ROLLED_BACK = "rules.rolled_back"
RULES_SUBMITTED = "rules.submitted"

#: Every event type a subscriber (SSE filter, outbound subscription) may ask for.
EVENT_TYPES = (
    ORDER_CREATED,
    MILESTONE_RECORDED,
    UPDATE_REJECTED,
    STATUS_CONFLICT,
    STATUS_SIGNAL,
    CUSTOMER_MERGED,
    CUSTOMER_SPLIT,
    CUSTOMER_MESSAGE_TAGGED,
    TASK_RAISED,
    TASK_ASSIGNED,
    TASK_CLOSED,
    PARCEL_MERGED,
    ORDER_REROUTED,
    ORDER_CARRIER_SWITCHED,
    ORDER_PROMISE_UPDATED,
    RESERVATION_EXPIRED,
    STOCK_SYNC,
    SUBSTITUTES_CHANGED,
    ORDER_SUBSTITUTED,
    COUPON_ISSUED,
    ORDER_HELD,
    ORDER_RELEASED,
    HOLD_VIOLATED,
    INTERCEPT_REQUESTED,
    INTERCEPT_ANSWERED,
    ORDER_ADDRESS_CORRECTED,
    ORDER_QUARANTINED,
    REPLACEMENT_PLACED,
    PROBE_FAULT,
    PROBE_RECOVERED,
    INCIDENT_OPENED,
    INCIDENT_STEP,
    INCIDENT_ESCALATED,
    INCIDENT_ASSIGNED,
    INCIDENT_ACKNOWLEDGED,
    INCIDENT_AUTO_RESOLVED,
    INCIDENT_RESOLVED,
    INCIDENT_DISMISSED,
    INCIDENT_NOTIFIED,
    RULES_PUBLISHED,
    RULES_ROLLED_BACK,
    RULES_SUBMITTED,
)


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    order_id: str | None
    at_ns: int
    payload: dict[str, Any] = field(default_factory=dict)
    channel: str | None = None
