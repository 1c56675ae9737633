"""The 17 milestones, the side states, and the customer-facing status derived from them.

A milestone is recorded once (first report wins), with a nanosecond timestamp and
the system that reported it. Status is a pure function of the *set* of recorded
steps: every status condition is monotone (it only asks for steps to be present),
and status is the highest-ranked condition that holds, so recording more steps can
never move an order backwards. Hold is an overlay, not a status, because it is
lifted again.

Impossible updates (``delivered`` for a cancelled order, ``cancelled`` after the
parcel left, ``released_to_warehouse`` while the order is held) are refused with a
:class:`LifecycleViolation` whose code names the rule; the service records them as
anomalies. A physical step another system reports while the order is held
(:data:`HOLD_VIOLATING`: the warehouse picked it anyway) is recorded, since it
happened, and :func:`violates_hold` tells the service to raise it as a hold violation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ordo.domain.errors import LifecycleViolation


class Milestone(StrEnum):
    CREATED = "created"
    PAID = "paid"
    RISK_CHECKED = "risk_checked"
    REVIEWED = "reviewed"
    STOCK_LOCKED = "stock_locked"
    ROUTED = "routed"
    RELEASED_TO_WAREHOUSE = "released_to_warehouse"
    PICKED = "picked"
    PACKED = "packed"
    WAYBILL_ISSUED = "waybill_issued"
    OUTBOUND = "outbound"
    COLLECTED = "collected"
    DEPARTED = "departed"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    # side states
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    REFUNDED = "refunded"

    @property
    def number(self) -> int:
        """1..17 for the main milestones, 0 for side states."""
        return _NUMBER.get(self, 0)

    @property
    def is_side_state(self) -> bool:
        return self in SIDE_STATES


MILESTONES: tuple[Milestone, ...] = tuple(list(Milestone)[:17])
SIDE_STATES: frozenset[Milestone] = frozenset(list(Milestone)[17:])
_NUMBER = {m: i + 1 for i, m in enumerate(MILESTONES)}

#: Once any of these is recorded the goods have left the warehouse.
LEFT_WAREHOUSE: frozenset[Milestone] = frozenset(MILESTONES[MILESTONES.index(Milestone.OUTBOUND) :])

#: Steps the warehouse or a carrier performs on the goods. Reported while the order is
#: held, they happened all the same: recorded, and a hold violation (``hold_violated``).
HOLD_VIOLATING: frozenset[Milestone] = frozenset(
    MILESTONES[MILESTONES.index(Milestone.PICKED) : MILESTONES.index(Milestone.COMPLETED)]
)

MILESTONE_LABELS: Mapping[Milestone, tuple[str, str]] = {
    Milestone.CREATED: ("Created", "已创建"),
    Milestone.PAID: ("Paid", "已支付"),
    Milestone.RISK_CHECKED: ("Risk checked", "风控通过"),
    Milestone.REVIEWED: ("Reviewed", "已审单"),
    Milestone.STOCK_LOCKED: ("Stock locked", "库存锁定"),
    Milestone.ROUTED: ("Routed", "已分仓"),
    Milestone.RELEASED_TO_WAREHOUSE: ("Released to warehouse", "已下发仓库"),
    Milestone.PICKED: ("Picked", "已拣货"),
    Milestone.PACKED: ("Packed", "已打包"),
    Milestone.WAYBILL_ISSUED: ("Waybill issued", "面单已出"),
    Milestone.OUTBOUND: ("Outbound", "已出库"),
    Milestone.COLLECTED: ("Collected", "已揽收"),
    Milestone.DEPARTED: ("Departed", "已装车发运"),
    Milestone.IN_TRANSIT: ("In transit", "运输中"),
    Milestone.OUT_FOR_DELIVERY: ("Out for delivery", "派送中"),
    Milestone.DELIVERED: ("Delivered", "已签收"),
    Milestone.COMPLETED: ("Completed", "已完成"),
    Milestone.ON_HOLD: ("On hold", "已挂起"),
    Milestone.CANCELLED: ("Cancelled", "已取消"),
    Milestone.RETURN_REQUESTED: ("Return requested", "申请退货"),
    Milestone.RETURNED: ("Returned", "已退货"),
    Milestone.REFUNDED: ("Refunded", "已退款"),
}


class Status(StrEnum):
    """Customer-facing status, in rank order: a later member never yields to an earlier."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PROCESSING = "processing"
    IN_WAREHOUSE = "in_warehouse"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {s: i for i, s in enumerate(Status)}

STATUS_LABELS: Mapping[Status, tuple[str, str]] = {
    Status.PENDING_PAYMENT: ("Awaiting payment", "待付款"),
    Status.PAID: ("Paid", "已付款"),
    Status.PROCESSING: ("Processing", "处理中"),
    Status.IN_WAREHOUSE: ("In the warehouse", "仓库作业中"),
    Status.SHIPPED: ("Shipped", "已发货"),
    Status.IN_TRANSIT: ("In transit", "运输中"),
    Status.OUT_FOR_DELIVERY: ("Out for delivery", "派送中"),
    Status.DELIVERED: ("Delivered", "已签收"),
    Status.COMPLETED: ("Completed", "已完成"),
    Status.RETURNING: ("Return in progress", "退货中"),
    Status.RETURNED: ("Returned", "已退货"),
    Status.CANCELLED: ("Cancelled", "已取消"),
    Status.REFUNDED: ("Refunded", "已退款"),
}


@dataclass(frozen=True, slots=True)
class Condition:
    """A composite condition over recorded steps: all of ``all_of`` and one of ``any_of``."""

    all_of: frozenset[Milestone] = frozenset()
    any_of: frozenset[Milestone] = frozenset()

    def holds(self, recorded: frozenset[Milestone] | set[Milestone]) -> bool:
        return self.all_of <= recorded and (not self.any_of or not self.any_of.isdisjoint(recorded))


M = Milestone
#: The status graph: status ⇐ condition. Only presence is ever asked, so each is monotone.
STATUS_GRAPH: Mapping[Status, Condition] = {
    Status.PAID: Condition(all_of=frozenset({M.PAID})),
    Status.PROCESSING: Condition(
        all_of=frozenset({M.PAID}),
        any_of=frozenset({M.RISK_CHECKED, M.REVIEWED, M.STOCK_LOCKED, M.ROUTED}),
    ),
    Status.IN_WAREHOUSE: Condition(
        any_of=frozenset({M.RELEASED_TO_WAREHOUSE, M.PICKED, M.PACKED, M.OUTBOUND})
    ),
    Status.SHIPPED: Condition(all_of=frozenset({M.OUTBOUND, M.WAYBILL_ISSUED, M.PAID})),
    Status.IN_TRANSIT: Condition(any_of=frozenset({M.COLLECTED, M.DEPARTED, M.IN_TRANSIT})),
    Status.OUT_FOR_DELIVERY: Condition(all_of=frozenset({M.OUT_FOR_DELIVERY})),
    Status.DELIVERED: Condition(all_of=frozenset({M.DELIVERED})),
    Status.COMPLETED: Condition(all_of=frozenset({M.COMPLETED})),
    Status.RETURNING: Condition(all_of=frozenset({M.RETURN_REQUESTED})),
    Status.RETURNED: Condition(all_of=frozenset({M.RETURNED})),
    Status.CANCELLED: Condition(all_of=frozenset({M.CANCELLED})),
    Status.REFUNDED: Condition(all_of=frozenset({M.REFUNDED})),
}
_GRAPH_BY_RANK = sorted(STATUS_GRAPH.items(), key=lambda kv: kv[0].rank, reverse=True)


def derive_status(recorded: Iterable[Milestone]) -> Status:
    """The highest-ranked status whose condition holds over the recorded steps."""
    steps = recorded if isinstance(recorded, (set, frozenset)) else frozenset(recorded)
    for status, condition in _GRAPH_BY_RANK:
        if condition.holds(steps):
            return status
    return Status.PENDING_PAYMENT


#: How far ahead of Ordo's clock a reported timestamp may be (clock skew between systems).
MAX_FUTURE_SKEW_NS = 5 * 60 * 1_000_000_000


def check_update(
    recorded: frozenset[Milestone] | set[Milestone],
    step: Milestone,
    at_ns: int,
    now_ns: int,
    hold_reason: str | None = None,
) -> None:
    """Raise LifecycleViolation if recording ``step`` would be impossible.

    Out-of-order updates are not violations: a carrier's ``delivered`` may well
    arrive before the WMS's ``packed``. Only updates that contradict what is
    already known are refused, and the release to the warehouse of an order that is
    held (``hold_reason``, any kind): the hold must be lifted first.
    """
    if at_ns > now_ns + MAX_FUTURE_SKEW_NS:
        raise LifecycleViolation(
            "timestamp_in_future",
            f"{step} reported at a time in the future / 上报时间晚于当前时间",
            milestone=step.value,
            at_ns=at_ns,
        )
    if Milestone.CANCELLED in recorded and step is not Milestone.REFUNDED:
        raise LifecycleViolation(
            "order_cancelled",
            f"order is cancelled; {step} cannot be recorded / 订单已取消，不能记录「{label(step)}」",
            milestone=step.value,
        )
    if step is Milestone.RELEASED_TO_WAREHOUSE and hold_reason:
        raise LifecycleViolation(
            "order_on_hold",
            f"order is on hold ({hold_reason}); release the hold before sending it to the warehouse"
            f" / 订单已挂起（{hold_reason}），请先放行再下发仓库",
            milestone=step.value,
            hold_reason=hold_reason,
        )
    if step is Milestone.CANCELLED and not LEFT_WAREHOUSE.isdisjoint(recorded):
        raise LifecycleViolation(
            "already_shipped",
            "goods have left the warehouse; request a return instead / 货物已出库，不能取消，请走退货",
            milestone=step.value,
        )
    if step is Milestone.ON_HOLD and not LEFT_WAREHOUSE.isdisjoint(recorded):
        raise LifecycleViolation(
            "already_shipped",
            "goods have left the warehouse and cannot be held / 货物已出库，不能挂起",
            milestone=step.value,
        )
    if step is Milestone.REFUNDED and Milestone.PAID not in recorded:
        raise LifecycleViolation(
            "not_paid",
            "a refund needs a payment first / 订单未支付，不能退款",
            milestone=step.value,
        )
    if step in (Milestone.RETURN_REQUESTED, Milestone.RETURNED) and LEFT_WAREHOUSE.isdisjoint(recorded):
        raise LifecycleViolation(
            "not_shipped",
            "goods never left the warehouse; cancel instead / 订单未出库，不能退货，请取消订单",
            milestone=step.value,
        )


def violates_hold(step: Milestone, hold_reason: str | None) -> bool:
    """Whether recording ``step`` (it happened) breaks the order's hold: a physical step
    of the warehouse or a carrier on an order that is held."""
    return bool(hold_reason) and step in HOLD_VIOLATING


def label(step: Milestone, lang: str = "zh") -> str:
    en, zh = MILESTONE_LABELS[step]
    return zh if lang == "zh" else en


@dataclass(frozen=True, slots=True)
class MilestoneUpdate:
    """One report from one system: "order X reached step M at time T"."""

    order_id: str
    milestone: Milestone
    at_ns: int
    source: str
    note: str = ""


class Outcome(StrEnum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class UpdateResult:
    update: MilestoneUpdate
    outcome: Outcome
    status: Status | None = None
    error: LifecycleViolation | None = None


def apply_updates(
    recorded: set[Milestone],
    updates: Iterable[MilestoneUpdate],
    now_ns: int,
    hold_reason: str | None = None,
) -> list[UpdateResult]:
    """Apply one order's updates in arrival order, mutating ``recorded`` in place.

    ``hold_reason`` is the order's hold (None: not held). Returns one result per
    update; the status in each result is the status after it.
    """
    results: list[UpdateResult] = []
    for update in updates:
        if update.milestone in recorded:
            results.append(UpdateResult(update, Outcome.DUPLICATE, derive_status(recorded)))
            continue
        try:
            check_update(recorded, update.milestone, update.at_ns, now_ns, hold_reason)
        except LifecycleViolation as exc:
            results.append(UpdateResult(update, Outcome.REJECTED, derive_status(recorded), exc))
            continue
        recorded.add(update.milestone)
        results.append(UpdateResult(update, Outcome.RECORDED, derive_status(recorded)))
    return results
