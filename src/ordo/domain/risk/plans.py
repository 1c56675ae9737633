"""Disposal plans (处置预案) as data: what a plan does to each exposed order, its states,
and the approval tier it needs (a plan touching many orders or much money needs risk's
approval, as a rule change with a wide backtest does: ``ordo.rules.governance``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ordo.domain.errors import Conflict


class PlanAction(StrEnum):
    #: Not yet released, its warehouse exposed: route it again, away from the event.
    REROUTE = "reroute"
    #: Its carrier exposed (a strike): route it again with the carrier's risk weighed.
    SWITCH_CARRIER = "switch_carrier"
    #: Nowhere better to ship from, or the destination itself is in the event: wait.
    HOLD = "hold"


ACTION_LABELS: Mapping[PlanAction, tuple[str, str]] = {
    PlanAction.REROUTE: ("改派仓库", "re-route"),
    PlanAction.SWITCH_CARRIER: ("更换承运商", "switch carrier"),
    PlanAction.HOLD: ("挂起待命", "hold"),
}


class PlanStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    EXECUTED = "executed"
    REVERTED = "reverted"
    REJECTED = "rejected"


PLAN_TRANSITIONS: Mapping[PlanStatus, frozenset[PlanStatus]] = {
    PlanStatus.PROPOSED: frozenset({PlanStatus.APPROVED, PlanStatus.REJECTED}),
    PlanStatus.APPROVED: frozenset({PlanStatus.EXECUTED, PlanStatus.REJECTED}),
    PlanStatus.EXECUTED: frozenset({PlanStatus.REVERTED}),
    PlanStatus.REVERTED: frozenset(),
    PlanStatus.REJECTED: frozenset(),
}


class PlanRefused(Conflict):
    code = "risk_plan_refused"


def check_plan(plan_id: str, current: PlanStatus, target: PlanStatus) -> None:
    if target not in PLAN_TRANSITIONS[current]:
        raise PlanRefused(
            f"plan {plan_id} is {current.value}; it cannot become {target.value} / "
            f"处置预案 {plan_id} 当前为「{current.value}」，不能变为「{target.value}」",
            details={"plan_id": plan_id, "status": current.value, "target": target.value},
        )


@dataclass(frozen=True, slots=True)
class PlanBounds:
    """Beyond these a plan needs the higher tier (L3, risk) instead of L2 (operations)."""

    orders: int = 200
    money_fen: int = 20_000_000  # ¥200,000 of goods moved or held


PLAN_BOUNDS = PlanBounds()


def plan_tier(orders: int, money_fen: int, bounds: PlanBounds = PLAN_BOUNDS) -> tuple[int, str | None]:
    """2 or 3, and why it was escalated (zh / en) when it was."""
    if orders > bounds.orders:
        return 3, (
            f"预案涉及 {orders} 单，超过 {bounds.orders} 单，需风控（L3）审批 / "
            f"the plan touches {orders} orders (> {bounds.orders}): L3, risk approval"
        )
    if money_fen > bounds.money_fen:
        return 3, (
            f"预案涉及金额 ¥{money_fen / 100:,.2f}，超过 ¥{bounds.money_fen / 100:,.0f}，需风控（L3）审批 / "
            f"the plan moves ¥{money_fen / 100:,.2f} (> ¥{bounds.money_fen / 100:,.0f}): L3, risk approval"
        )
    return 2, None
