"""What a demand forecast means for a warehouse's stock: days of cover, the day it runs out, a
risk level and ratio, and the units that would bring it to a target number of days of cover."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["RISK_LABELS", "Cover", "Risk", "assess", "stock_ratio"]

#: The short horizon (days) the rules' 预测库存风险 ratio looks at: 72 hours.
SHORT_DAYS = 3


class Risk(StrEnum):
    NONE = "none"  # no demand foreseen
    LOW = "low"  # covers the whole forecast horizon
    MEDIUM = "medium"  # runs out within the forecast horizon, after 72 h
    HIGH = "high"  # runs out within 72 h (or is out already)


RISK_LABELS: dict[Risk, tuple[str, str]] = {
    Risk.NONE: ("无需求", "no demand foreseen"),
    Risk.LOW: ("充足", "covered"),
    Risk.MEDIUM: ("14天内缺货", "runs out within the horizon"),
    Risk.HIGH: ("72小时内缺货", "runs out within 72 h"),
}


@dataclass(frozen=True, slots=True)
class Cover:
    demand_72h: float
    demand_horizon: float
    #: Days the available stock lasts at the forecast (fractional; None past the horizon).
    days_of_cover: float | None
    #: Index of the day (0 = the first forecast day) on which stock runs out, or None.
    runout_day: int | None
    risk: Risk
    #: 72-hour demand over available stock, capped at 1 (1 when nothing is available and demand
    #: is foreseen): the rules' 预测库存风险.
    ratio: float
    #: Units to move or order to cover ``target_days`` of forecast demand (0 when covered).
    suggest_units: int


def stock_ratio(demand_72h: float, available: int) -> float:
    """The rules' 预测库存风险: 72-hour demand over available stock, capped at 1 (1 when nothing
    is available and demand is foreseen, 0 when none is foreseen)."""
    if demand_72h <= 0:
        return 0.0
    return 1.0 if available <= 0 else min(1.0, demand_72h / available)


def assess(daily: Sequence[float], available: int, target_days: int) -> Cover:
    """Judge ``available`` units against a daily forecast (day 0 first)."""
    stock = max(0, available)
    short = float(sum(daily[:SHORT_DAYS]))
    total = float(sum(daily))
    runout: int | None = None
    cover: float | None = None
    used = 0.0
    for day, want in enumerate(daily):
        if want > 0 and used + want > stock:
            runout = day
            cover = day + (stock - used) / want
            break
        used += want
    if total <= 0:
        risk = Risk.NONE
    elif runout is None:
        risk = Risk.LOW
    elif runout < SHORT_DAYS:
        risk = Risk.HIGH
    else:
        risk = Risk.MEDIUM
    ratio = stock_ratio(short, stock)
    need = float(sum(daily[:target_days]))
    if target_days > len(daily) and daily:
        need += (target_days - len(daily)) * float(daily[-1])
    suggest = max(0, math.ceil(need - stock - 1e-9))
    return Cover(short, total, cover, runout, risk, ratio, suggest)
