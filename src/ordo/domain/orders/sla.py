"""Milestone SLA timers, as data: "after A, B must follow within N seconds".

A timer is chosen per channel and customer tier (the most specific row wins for a
name), starts when its ``after`` milestone happened (the reported time, not when the
report reached Ordo) and is cleared by its ``expect`` milestone, by any later main
milestone for a forward timer (the order moved on), or by the order ending. A timer
whose ``expect`` comes *before* its ``after`` in the lifecycle is a missing-step
check ("outbound but no waybill within 30 minutes"). Held orders run no timers:
their hold is an incident of its own.

Incident rules of the rule language (``已支付 超过 10分钟 未 库存锁定 则 重试锁库``)
become timers through :func:`ordo.rules.evaluation.sla.timer_from_rule` (the domain
never imports the rule language). Pure: no clock, no store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ordo.domain.incidents.incident import Detector
from ordo.domain.orders.milestones import MILESTONES, Milestone

M = Milestone
MIN, HOUR, DAY = 60, 3600, 86_400

#: Once one of these is recorded the order is over: no timer runs any more.
TERMINAL = frozenset({M.DELIVERED, M.COMPLETED, M.CANCELLED, M.RETURNED, M.REFUNDED})


@dataclass(frozen=True, slots=True)
class SlaTimer:
    name: str
    after: Milestone
    expect: Milestone
    seconds: int
    playbook: str
    detector: Detector = Detector.SLA
    channel: str | None = None
    tier: str | None = None

    @property
    def forward(self) -> bool:
        return self.expect.number > self.after.number

    @property
    def specificity(self) -> int:
        return (self.channel is not None) * 2 + (self.tier is not None)

    def applies_to(self, channel: str, tier: str) -> bool:
        return self.channel in (None, channel) and self.tier in (None, tier)

    def cleared(self, steps: Mapping[str, int]) -> bool:
        if self.expect.value in steps:
            return True
        if not self.forward:
            return False
        return any(m.value in steps for m in MILESTONES[self.expect.number :])


# fmt: off
DEFAULT_TIMERS: tuple[SlaTimer, ...] = (
    # 已支付 超过 10分钟 未 库存锁定: retry the lock. Douyin fines late status sync, so tighter there.
    SlaTimer("stock_lock", M.PAID, M.STOCK_LOCKED, 10 * MIN, "retry_stock_lock"),
    SlaTimer("stock_lock", M.PAID, M.STOCK_LOCKED, 5 * MIN, "retry_stock_lock", channel="douyin"),
    SlaTimer("review", M.PAID, M.REVIEWED, 2 * HOUR, "escalate_review"),
    SlaTimer("review", M.PAID, M.REVIEWED, 30 * MIN, "escalate_review", tier="diamond"),
    SlaTimer("release", M.REVIEWED, M.RELEASED_TO_WAREHOUSE, 45 * MIN, "remind_warehouse"),
    SlaTimer("pick", M.RELEASED_TO_WAREHOUSE, M.PICKED, 3 * HOUR, "slow_warehouse"),
    SlaTimer("pick", M.RELEASED_TO_WAREHOUSE, M.PICKED, 2 * HOUR, "slow_warehouse", tier="diamond"),
    SlaTimer("ship", M.PACKED, M.OUTBOUND, 6 * HOUR, "slow_warehouse"),
    # 已出库 超过 30分钟 未 出面单: the waybill report went missing.
    SlaTimer("waybill", M.OUTBOUND, M.WAYBILL_ISSUED, 30 * MIN, "resend_waybill", Detector.MISSING_STEP),
    SlaTimer("pickup", M.OUTBOUND, M.COLLECTED, 8 * HOUR, "pickup_failure", Detector.PICKUP_FAILURE),
    SlaTimer("delivery", M.IN_TRANSIT, M.OUT_FOR_DELIVERY, 6 * DAY, "late_delivery"),
)
# fmt: on


def timers_for(timers: Iterable[SlaTimer], channel: str, tier: str) -> list[SlaTimer]:
    """The timers that run for an order of this channel and tier: the most specific per name."""
    best: dict[str, SlaTimer] = {}
    for t in timers:
        if t.applies_to(channel, tier) and (t.name not in best or t.specificity > best[t.name].specificity):
            best[t.name] = t
    return sorted(best.values(), key=lambda t: t.name)


def running(
    timers: Sequence[SlaTimer], steps: Mapping[str, int], fired: Iterable[str], held: bool
) -> list[SlaTimer]:
    """Timers started and not yet cleared or fired."""
    if held or not TERMINAL.isdisjoint(Milestone(m) for m in steps):
        return []
    done = set(fired)
    return [t for t in timers if t.name not in done and t.after.value in steps and not t.cleared(steps)]


def deadline(timer: SlaTimer, steps: Mapping[str, int]) -> int:
    return steps[timer.after.value] + timer.seconds * 1_000_000_000


def next_due(
    timers: Sequence[SlaTimer], steps: Mapping[str, int], fired: Iterable[str], held: bool
) -> int | None:
    """When the scan next needs to look at this order (None: no timer running)."""
    due = [deadline(t, steps) for t in running(timers, steps, fired, held)]
    return min(due) if due else None


def breached(
    timers: Sequence[SlaTimer], steps: Mapping[str, int], fired: Iterable[str], held: bool, now_ns: int
) -> list[SlaTimer]:
    return [t for t in running(timers, steps, fired, held) if deadline(t, steps) <= now_ns]
