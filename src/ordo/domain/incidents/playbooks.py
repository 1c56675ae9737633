"""Playbooks, as data: the automatic steps tried on an incident, and when a person takes over.

A playbook runs its steps when the incident opens, runs the steps that failed again
every ``retry_every_s`` up to ``max_attempts``, and hands the incident to the human
queue (with a priority and an SLA for the person) when automation is exhausted or the
problem is still there ``escalate_after_s`` after it opened. An incident closes itself
when its condition clears (the expected milestone arrives, the stock is locked), so a
playbook never "closes" anything: it makes the world change and the detector notices.

Steps are named here and carried out by the service (``ordo.service.incidents.steps``).
Pure data: no clock, no store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Step(StrEnum):
    RETRY_STOCK_LOCK = "retry_stock_lock"  # re-run allocation for an order held for stock
    REROUTE = "reroute"  # move the reservation to another warehouse with stock
    SWITCH_CARRIER = "switch_carrier"  # book another carrier for the parcel
    RECOMPUTE_PROMISE = "recompute_promise"  # new promise date, told to the customer
    ISSUE_COUPON = "issue_coupon"  # compensation coupon, recorded
    NOTIFY_CUSTOMER = "notify_customer"
    NOTIFY_OPS = "notify_ops"
    REMIND_WAREHOUSE = "remind_warehouse"
    RESEND_WAYBILL = "resend_waybill"
    QUARANTINE = "quarantine"  # hold the warm parcel: it is not delivered as it is
    RESHIP = "reship"  # a replacement order from the nearest warehouse with stock
    INTERCEPT = "intercept"  # ask the warehouse / carrier to stop a held order (拦截)


STEP_LABELS: Mapping[Step, tuple[str, str]] = {
    Step.RETRY_STOCK_LOCK: ("Retry the stock lock", "重试锁库"),
    Step.REROUTE: ("Re-route to another warehouse", "改派其他仓"),
    Step.SWITCH_CARRIER: ("Switch carrier", "更换承运商"),
    Step.RECOMPUTE_PROMISE: ("Recompute and notify the promise date", "重算承诺时效并通知"),
    Step.ISSUE_COUPON: ("Issue a compensation coupon", "发放补偿券"),
    Step.NOTIFY_CUSTOMER: ("Notify the customer", "通知客户"),
    Step.NOTIFY_OPS: ("Notify operations", "通知运营"),
    Step.REMIND_WAREHOUSE: ("Remind the warehouse", "催促仓库"),
    Step.RESEND_WAYBILL: ("Resend the waybill request", "重推面单"),
    Step.QUARANTINE: ("Quarantine the parcel", "隔离问题包裹"),
    Step.RESHIP: ("Re-ship replacement goods", "补发替换货品"),
    Step.INTERCEPT: ("Ask the warehouse to intercept the order", "通知仓库拦截订单"),
}


class StepOutcome(StrEnum):
    DONE = "done"
    FAILED = "failed"  # try again at the next attempt
    SKIPPED = "skipped"  # does not apply to this order (e.g. already picked: no re-route)


@dataclass(frozen=True, slots=True)
class Playbook:
    name: str
    steps: tuple[Step, ...]
    retry_every_s: int = 600
    max_attempts: int = 1
    #: Still open this long after opening: a person takes over. 0 = at once.
    escalate_after_s: int = 4 * 3600
    #: Human queue priority (1 is most urgent) and how long a person has to close it.
    priority: int = 3
    human_sla_s: int = 4 * 3600


S = Step
MIN, HOUR = 60, 3600

# fmt: off
PLAYBOOKS: Mapping[str, Playbook] = {p.name: p for p in (
    Playbook("retry_stock_lock", (S.RETRY_STOCK_LOCK,), retry_every_s=10 * MIN, max_attempts=18,
             escalate_after_s=3 * HOUR, priority=2, human_sla_s=2 * HOUR),
    Playbook("stock_out", (S.RETRY_STOCK_LOCK,), retry_every_s=10 * MIN, max_attempts=18,
             escalate_after_s=3 * HOUR, priority=2, human_sla_s=2 * HOUR),
    Playbook("escalate_review", (S.NOTIFY_OPS,), escalate_after_s=2 * HOUR, priority=3),
    Playbook("remind_warehouse", (S.REMIND_WAREHOUSE,), escalate_after_s=2 * HOUR, priority=3),
    Playbook("slow_warehouse", (S.REMIND_WAREHOUSE, S.REROUTE, S.RECOMPUTE_PROMISE),
             escalate_after_s=4 * HOUR, priority=2, human_sla_s=2 * HOUR),
    Playbook("resend_waybill", (S.RESEND_WAYBILL,), retry_every_s=15 * MIN, max_attempts=4,
             escalate_after_s=2 * HOUR, priority=3),
    Playbook("pickup_failure", (S.SWITCH_CARRIER, S.RECOMPUTE_PROMISE, S.NOTIFY_CUSTOMER),
             escalate_after_s=12 * HOUR, priority=2, human_sla_s=4 * HOUR),
    Playbook("late_delivery", (S.RECOMPUTE_PROMISE, S.NOTIFY_CUSTOMER, S.ISSUE_COUPON),
             escalate_after_s=2 * 86_400, priority=3, human_sla_s=8 * HOUR),
    # What automation cannot fix: a person decides at once.
    Playbook("address", (S.NOTIFY_CUSTOMER,), escalate_after_s=0, priority=2, human_sla_s=4 * HOUR),
    Playbook("status_conflict", (S.NOTIFY_OPS,), escalate_after_s=0, priority=3, human_sla_s=2 * HOUR),
    Playbook("cold_chain", (S.NOTIFY_OPS,), escalate_after_s=0, priority=1, human_sla_s=30 * MIN),
    # The warehouse worked on a held order: ask it to intercept, and a person follows it up now.
    Playbook("hold_violated", (S.INTERCEPT, S.NOTIFY_OPS), escalate_after_s=0, priority=2,
             human_sla_s=HOUR),
    # Another carrier than the one booked scanned the parcel: billing and tracking need a person.
    Playbook("carrier_mismatch", (S.NOTIFY_OPS,), escalate_after_s=0, priority=3, human_sla_s=4 * HOUR),
    # A rule red-flagged the order (标红预警): its owner looks at it now.
    Playbook("red_flag", (S.NOTIFY_OPS,), escalate_after_s=0, priority=2, human_sla_s=2 * HOUR),
    # A customer complains (投诉): a person answers within the hour, before it becomes a 差评.
    Playbook("complaint", (S.NOTIFY_OPS,), escalate_after_s=0, priority=1, human_sla_s=HOUR),
    # A warm parcel automation can make good: hold it, ship replacement goods (the
    # customer hears the new promise date once the replacement is placed); it closes when
    # the replacement's outbound is recorded. Not shipped within a day: a person.
    Playbook("cold_chain_reship", (S.QUARANTINE, S.RESHIP), retry_every_s=30 * MIN, max_attempts=6,
             escalate_after_s=24 * HOUR, priority=1, human_sla_s=2 * HOUR),
)}
# fmt: on


@dataclass(frozen=True, slots=True)
class ColdChainPolicy:
    """What a real excursion of a product category gets: a playbook, up to an order value."""

    playbook: str = "cold_chain_reship"
    #: Above this order value (fen) a person decides instead; None: no limit.
    auto_up_to_fen: int | None = None


#: Per SKU category (as the catalogue names it). Medicines and vaccines always go to a
#: person (a pharmacist decides what a warm batch means); expensive fresh food above
#: 5,000 yuan too. Everything else cold is re-shipped automatically.
COLD_CHAIN_POLICIES: Mapping[str, ColdChainPolicy] = {
    "医药": ColdChainPolicy("cold_chain"),
    "pharma": ColdChainPolicy("cold_chain"),
    "疫苗": ColdChainPolicy("cold_chain"),
    "生鲜": ColdChainPolicy(auto_up_to_fen=500_000),
}
DEFAULT_COLD_CHAIN = ColdChainPolicy(auto_up_to_fen=500_000)


def cold_chain_playbook(
    categories: Iterable[str],
    total_fen: int,
    policies: Mapping[str, ColdChainPolicy] = COLD_CHAIN_POLICIES,
) -> str:
    """The playbook for a real excursion: a person if any category (or the value) says so."""
    found = [policies.get(c, DEFAULT_COLD_CHAIN) for c in categories] or [DEFAULT_COLD_CHAIN]
    for p in found:
        if p.playbook != "cold_chain_reship" or (
            p.auto_up_to_fen is not None and total_fen > p.auto_up_to_fen
        ):
            return "cold_chain"
    return "cold_chain_reship"


#: Coupon value per customer tier (fen): the better the customer, the bigger the apology.
COUPON_FEN: Mapping[str, int] = {"regular": 500, "silver": 1_000, "gold": 2_000, "diamond": 5_000}


def playbook(name: str) -> Playbook:
    """The named playbook; an unknown name (a rule naming a step) is a notify-and-escalate one."""
    found = PLAYBOOKS.get(name)
    if found is not None:
        return found
    steps = (Step(name),) if name in {s.value for s in Step} else (Step.NOTIFY_OPS,)
    return Playbook(name, steps, escalate_after_s=2 * HOUR)


def human_priority(book: Playbook, tier: str) -> int:
    """Diamond and gold customers jump the queue by one."""
    return max(1, book.priority - (tier in ("diamond", "gold")))
