"""Forecast each SKU's demand at a warehouse and judge its stock against it.

The history is one grouped read of units sold per (warehouse, SKU[, channel], day) over the
last ``history_days`` whole days (Asia/Shanghai days, by the day orders were placed; cancelled
orders left out). Every series becomes a row of one matrix, fitted at once by
``ordo.domain.forecast.smoothing``; day 0 of the forecast is today.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.forecast.cover import RISK_LABELS, Cover, Risk, assess
from ordo.domain.forecast.smoothing import SEASON, fit, forecast
from ordo.service.ports.forecast import DemandRow
from ordo.service.runtime.app import Ordo

__all__ = [
    "DAY_NS",
    "HORIZON_DAYS",
    "Forecasts",
    "day_of",
    "forecast_demand",
    "warehouse_forecast",
]

DAY_NS = 86_400 * 1_000_000_000
SHANGHAI_NS = 8 * 3_600 * 1_000_000_000
HORIZON_DAYS = 14
SHORT_DAYS = 3
MIN_HISTORY, MAX_HISTORY = 4 * SEASON, 730
RISK_ORDER = {Risk.HIGH: 0, Risk.MEDIUM: 1, Risk.LOW: 2, Risk.NONE: 3}


def day_of(ns: int) -> int:
    """The Asia/Shanghai day number (days since 1970-01-01) of a UTC time in nanoseconds."""
    return (ns + SHANGHAI_NS) // DAY_NS


def day_start_ns(day: int) -> int:
    return day * DAY_NS - SHANGHAI_NS


@dataclass(frozen=True, slots=True)
class Forecasts:
    """Daily forecasts (series × HORIZON_DAYS) of the series keyed (warehouse, SKU, channel)."""

    today: int
    keys: list[tuple[str, str, str]]
    daily: np.ndarray[Any, np.dtype[np.float64]]


def _matrix(rows: list[DemandRow], first_day: int, days: int) -> tuple[list[tuple[str, str, str]], Any]:
    index: dict[tuple[str, str, str], int] = {}
    for r in rows:
        index.setdefault((r.warehouse_id, r.sku, r.channel), len(index))
    y = np.zeros((len(index), days))
    if rows:
        at = np.fromiter((index[(r.warehouse_id, r.sku, r.channel)] for r in rows), np.int64, len(rows))
        day = np.fromiter((r.day - first_day for r in rows), np.int64, len(rows))
        np.add.at(y, (at, day), np.fromiter((r.units for r in rows), np.float64, len(rows)))
    return list(index), y


def forecast_demand(
    app: Ordo, *, warehouse_id: str | None = None, by_channel: bool = False, history_days: int = 112
) -> Forecasts:
    """Fit every series of the history and forecast the next 14 days (day 0 = today)."""
    if not MIN_HISTORY <= history_days <= MAX_HISTORY:
        raise ValidationError(
            "history_days",
            f"history_days must be {MIN_HISTORY}..{MAX_HISTORY} / "
            f"历史天数须在 {MIN_HISTORY} 到 {MAX_HISTORY} 之间",
        )
    today = day_of(app.clock.now_ns())
    first = today - history_days
    with app.store.uow(read_only=True) as uow:
        rows = uow.forecast.daily_demand(first, today - 1, warehouse_id=warehouse_id, by_channel=by_channel)
    keys, y = _matrix(rows, first, history_days)
    daily = forecast(fit(y), HORIZON_DAYS) if keys else np.zeros((0, HORIZON_DAYS))
    return Forecasts(today, keys, daily)


def _item(sku: str, daily: list[float], available: int, cover: Cover, today: int) -> dict[str, Any]:
    runout = None
    if cover.days_of_cover is not None:
        runout = day_start_ns(today) + int(cover.days_of_cover * DAY_NS)
    zh, en = RISK_LABELS[cover.risk]
    return {
        "sku": sku,
        "forecast_72h": [round(x, 2) for x in daily[:SHORT_DAYS]],
        "forecast_14d": [round(x, 2) for x in daily],
        "demand_72h": round(cover.demand_72h, 2),
        "demand_14d": round(cover.demand_horizon, 2),
        "available": available,
        "days_of_cover": None if cover.days_of_cover is None else round(cover.days_of_cover, 2),
        "runout_at_ns": runout,
        "risk": {"level": cover.risk.value, "zh": zh, "en": en, "ratio": round(cover.ratio, 4)},
        "suggest_units": cover.suggest_units,
    }


def warehouse_forecast(
    app: Ordo,
    warehouse_id: str,
    *,
    target_days: int = HORIZON_DAYS,
    history_days: int = 112,
    by_channel: bool = False,
) -> dict[str, Any]:
    """The forecast of every SKU sold from ``warehouse_id`` over the history: 72-hour and 14-day
    demand, the stock risk (days of cover, run-out time, level) and the units to move or order to
    cover ``target_days``; SKUs most at risk first, with the replenishment list apart."""
    if not 1 <= target_days <= 90:
        raise ValidationError("target_days", "target_days must be 1..90 / 目标覆盖天数须在 1 到 90 之间")
    with app.store.uow(read_only=True) as uow:
        if warehouse_id not in {w.id for w in uow.catalog.warehouses()}:
            raise NotFound(
                f"no warehouse {warehouse_id!r} / 没有该仓库", details={"warehouse_id": warehouse_id}
            )
    got = forecast_demand(app, warehouse_id=warehouse_id, history_days=history_days)
    skus = [sku for _, sku, _ in got.keys]
    with app.store.uow(read_only=True) as uow:
        stock = uow.stock.get([(warehouse_id, s) for s in skus])
    items = []
    for row, sku in enumerate(skus):
        daily = [float(x) for x in got.daily[row]]
        level = stock.get((warehouse_id, sku))
        available = max(0, level.available) if level else 0
        items.append(_item(sku, daily, available, assess(daily, available, target_days), got.today))
    if by_channel:
        split = forecast_demand(app, warehouse_id=warehouse_id, by_channel=True, history_days=history_days)
        per: dict[str, list[dict[str, Any]]] = {}
        for row, (_, sku, channel) in enumerate(split.keys):
            d = split.daily[row]
            per.setdefault(sku, []).append(
                {"channel": channel, "demand_72h": round(float(d[:SHORT_DAYS].sum()), 2),
                 "demand_14d": round(float(d.sum()), 2)}
            )  # fmt: skip
        for item in items:
            item["by_channel"] = per.get(item["sku"], [])
    items.sort(key=lambda i: (RISK_ORDER[Risk(i["risk"]["level"])], -i["risk"]["ratio"], i["sku"]))
    counts = {r.value: sum(1 for i in items if i["risk"]["level"] == r.value) for r in Risk}
    return {
        "warehouse_id": warehouse_id,
        "first_day_ns": day_start_ns(got.today),
        "history_days": history_days,
        "target_days": target_days,
        "model": "additive Holt-Winters, weekly season (ETS(A,N,A) / ETS(A,Ad,A), per-series grid)",
        "risk_counts": counts,
        "items": items,
        "replenishment": [
            {"sku": i["sku"], "units": i["suggest_units"], "risk": i["risk"]["level"]}
            for i in items
            if i["suggest_units"] > 0
        ],
    }
