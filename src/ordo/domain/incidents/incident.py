"""Order incidents: what raised them, the states they move through, how well they close.

An incident is one problem with one order, raised by a detector (an SLA timer, a
missing step, a status conflict, an address or stock hold, a carrier that never
collected, a cold-chain excursion, a held order the warehouse worked on anyway, a parcel
scanned by another carrier than the one booked) and closed either by a playbook (automation) or
by a person from the human queue::

    open ──► auto_resolved                 (the condition cleared: playbook or late report)
      │
      ├──► acknowledged ──► resolved       (a person fixed it)
      │          └────────► dismissed      (a person says: false alarm)
      ├──► resolved
      └──► dismissed

The closure metrics are the seeds' 异常自动闭环率 (auto-closure rate: auto-resolved
among closed) and 告警有效率 (alert precision: not dismissed as a false alarm among
closed). Pure: no clock, no store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ordo.domain.errors import Conflict
from ordo.domain.events import INCIDENT_AUTO_RESOLVED, INCIDENT_DISMISSED, INCIDENT_RESOLVED


class Detector(StrEnum):
    SLA = "sla"
    MISSING_STEP = "missing_step"
    STATUS_CONFLICT = "status_conflict"
    ADDRESS = "address"
    STOCK_OUT = "stock_out"
    PICKUP_FAILURE = "pickup_failure"
    COLD_CHAIN = "cold_chain"
    HOLD_VIOLATED = "hold_violated"
    CARRIER_MISMATCH = "carrier_mismatch"
    #: A live rule's 标红预警 (red flag) fired on the order.
    RULE_RED_FLAG = "rule_red_flag"
    #: A customer's message asks for a person: a complaint, an address change (客服诉求).
    SERVICE_REQUEST = "service_request"


DETECTOR_LABELS: Mapping[Detector, tuple[str, str]] = {
    Detector.SLA: ("Milestone SLA breached", "节点超时"),
    Detector.MISSING_STEP: ("Missing step", "缺失节点"),
    Detector.STATUS_CONFLICT: ("Status conflict", "状态冲突"),
    Detector.ADDRESS: ("Address problem", "地址异常"),
    Detector.STOCK_OUT: ("Out of stock", "缺货"),
    Detector.PICKUP_FAILURE: ("Carrier pickup failed", "揽收失败"),
    Detector.COLD_CHAIN: ("Cold-chain temperature excursion", "冷链温度异常"),
    Detector.HOLD_VIOLATED: ("Held order worked on by the warehouse or carrier", "挂起订单被作业"),
    Detector.CARRIER_MISMATCH: ("Collected by another carrier than booked", "揽收承运商与分配不符"),
    Detector.RULE_RED_FLAG: ("Red-flagged by a rule", "规则标红预警"),
    Detector.SERVICE_REQUEST: ("Customer service request", "客服诉求"),
}


class IncidentState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    AUTO_RESOLVED = "auto_resolved"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"

    @property
    def closed(self) -> bool:
        return self in CLOSED


CLOSED = frozenset({IncidentState.AUTO_RESOLVED, IncidentState.RESOLVED, IncidentState.DISMISSED})
OPEN_STATES = frozenset({IncidentState.OPEN, IncidentState.ACKNOWLEDGED})

STATE_LABELS: Mapping[IncidentState, tuple[str, str]] = {
    IncidentState.OPEN: ("Open", "待处理"),
    IncidentState.ACKNOWLEDGED: ("Acknowledged", "已受理"),
    IncidentState.AUTO_RESOLVED: ("Closed automatically", "已自动闭环"),
    IncidentState.RESOLVED: ("Resolved", "已解决"),
    IncidentState.DISMISSED: ("Dismissed (false alarm)", "已驳回（误报）"),
}

S = IncidentState
#: Allowed moves. Automation may close an acknowledged item too: a late report still clears it.
TRANSITIONS: Mapping[IncidentState, frozenset[IncidentState]] = {
    S.OPEN: frozenset({S.AUTO_RESOLVED, S.ACKNOWLEDGED, S.RESOLVED, S.DISMISSED}),
    S.ACKNOWLEDGED: frozenset({S.AUTO_RESOLVED, S.RESOLVED, S.DISMISSED}),
    S.AUTO_RESOLVED: frozenset(),
    S.RESOLVED: frozenset(),
    S.DISMISSED: frozenset(),
}


class IncidentStateError(Conflict):
    """A move the incident lifecycle does not allow (e.g. resolving a dismissed alert)."""

    code = "exception_state"


def check_transition(current: IncidentState, target: IncidentState) -> None:
    if target not in TRANSITIONS[current]:
        cur_zh, tgt_zh = STATE_LABELS[current][1], STATE_LABELS[target][1]
        raise IncidentStateError(
            f"an exception that is {current} cannot become {target}"
            f" / 异常状态「{cur_zh}」不能变为「{tgt_zh}」",
            details={"state": current.value, "target": target.value},
        )


@dataclass(frozen=True, slots=True)
class Raised:
    """A detector's finding: open an incident (once per order, detector and key)."""

    order_id: str
    detector: Detector
    key: str
    playbook: str
    details: Mapping[str, Any]
    channel: str | None = None

    @property
    def open_key(self) -> str:
        """Unique among open incidents: the same problem is never raised twice at once."""
        return f"{self.order_id}:{self.detector.value}:{self.key}"


@dataclass(frozen=True, slots=True)
class Closed:
    """One closed incident, as the metrics need it."""

    detector: str
    state: IncidentState
    opened_at_ns: int
    closed_at_ns: int


def closure_metrics(closed: Iterable[Closed], open_counts: Mapping[str, int]) -> dict[str, Any]:
    """Auto-closure rate, alert precision and time to close, overall and per detector."""
    per: dict[str, list[Closed]] = {}
    for c in closed:
        per.setdefault(c.detector, []).append(c)
    detectors = sorted(set(per) | set(open_counts))
    out: dict[str, Any] = {"by_detector": {}}
    every: list[Closed] = [c for d in detectors for c in per.get(d, [])]
    out.update(_rates(every, sum(open_counts.values())))
    for d in detectors:
        out["by_detector"][d] = _rates(per.get(d, []), open_counts.get(d, 0))
    return out


def _rates(closed: list[Closed], still_open: int) -> dict[str, Any]:
    n = len(closed)
    auto = sum(c.state is S.AUTO_RESOLVED for c in closed)
    dismissed = sum(c.state is S.DISMISSED for c in closed)
    spans = sorted((c.closed_at_ns - c.opened_at_ns) / 1e9 for c in closed)
    return {
        "open": still_open,
        "closed": n,
        "auto_resolved": auto,
        "resolved": sum(c.state is S.RESOLVED for c in closed),
        "dismissed": dismissed,
        "auto_closure_rate": round(auto / n, 4) if n else None,
        "alert_precision": round((n - dismissed) / n, 4) if n else None,
        "time_to_close_p50_s": round(spans[n // 2], 1) if n else None,
        "time_to_close_mean_s": round(sum(spans) / n, 1) if n else None,
    }


#: The event that closes an incident in each final state.
CLOSING_EVENT: Mapping[IncidentState, str] = {
    S.AUTO_RESOLVED: INCIDENT_AUTO_RESOLVED,
    S.RESOLVED: INCIDENT_RESOLVED,
    S.DISMISSED: INCIDENT_DISMISSED,
}
