"""Keep the last forecast of every SKU × warehouse for the rules (预测库存风险) and the API.

``refresh`` forecasts every series of the history at once, judges each against its stock and
replaces the kept rows in one transaction. ``ordo forecast refresh`` runs it; so can a duty.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ordo.domain.forecast.cover import assess
from ordo.service.forecast.demand import DAY_NS, HORIZON_DAYS, day_of, day_start_ns, forecast_demand
from ordo.service.ports.forecast import RiskRow
from ordo.service.runtime.app import Ordo

__all__ = ["Daily", "kept", "refresh"]


def refresh(app: Ordo, *, history_days: int = 112, target_days: int = HORIZON_DAYS) -> dict[str, int]:
    """Recompute and keep every (warehouse, SKU) forecast; the counts kept, by risk level."""
    got = forecast_demand(app, history_days=history_days)
    now = app.clock.now_ns()
    pairs = [(w, s) for w, s, _ in got.keys]
    with app.store.uow() as uow:
        stock = uow.stock.get(pairs)
        kept = {r.warehouse_id for r in uow.forecast.kept()}
        rows = []
        for row, (warehouse, sku) in enumerate(pairs):
            daily = [float(x) for x in got.daily[row]]
            level = stock.get((warehouse, sku))
            available = max(0, level.available) if level else 0
            cover = assess(daily, available, target_days)
            runout = None
            if cover.days_of_cover is not None:
                runout = day_start_ns(got.today) + int(cover.days_of_cover * DAY_NS)
            rows.append(
                RiskRow(
                    warehouse_id=warehouse,
                    sku=sku,
                    demand_72h=cover.demand_72h,
                    demand_14d=cover.demand_horizon,
                    available=available,
                    days_of_cover=cover.days_of_cover,
                    runout_at_ns=runout,
                    risk=cover.risk.value,
                    ratio=cover.ratio,
                    suggest_units=cover.suggest_units,
                    computed_at_ns=now,
                )
            )
        uow.forecast.replace(rows, kept | {w for w, _ in pairs})
        # What intake will read from now on, kept with its time: backtests read it as it stood.
        uow.forecast.keep_ratio_history(now)
        uow.commit()
    counts: dict[str, int] = {"kept": len(rows)}
    for r in rows:
        counts[r.risk] = counts.get(r.risk, 0) + 1
    return counts


def kept(app: Ordo, warehouse_id: str | None = None) -> list[dict[str, Any]]:
    """The last forecast kept, of one warehouse or all, as plain rows."""
    with app.store.uow(read_only=True) as uow:
        return [asdict(r) for r in uow.forecast.kept(warehouse_id)]


class Daily:
    """The upkeep duty's step: refresh the kept forecast once per Asia/Shanghai day of business
    time (the first step of a day, or at start when the kept one is from an earlier day)."""

    def __init__(self, app: Ordo) -> None:
        self._app = app
        self._day: int | None = None

    def step(self) -> bool:
        """Refresh if the day changed since the kept forecast and a live rule reads
        预测库存风险; whether it refreshed. (Fitting every series takes seconds of CPU on a big
        store: a server whose rules do not read it does not pay for it, nor do its requests.)"""
        today = day_of(self._app.clock.now_ns())
        if self._day == today or not _rules_read_it(self._app):
            return False
        if self._day is None:
            with self._app.store.uow(read_only=True) as uow:
                at = uow.forecast.computed_at()
            if at is not None and day_of(at) == today:
                self._day = today
                return False
        refresh(self._app)
        self._day = today
        return True


def _rules_read_it(app: Ordo) -> bool:
    """Whether the live rule set (or its canary) reads 预测库存风险."""
    from ordo.service.orders.intake_rules import live
    from ordo.service.rules.backtest import referenced_columns

    snap = app.caches.rulebook.snapshot()
    if not live(snap):
        return False
    sets = [snap.active.rules] + ([snap.canary.rules] if snap.canary else [])
    return "predicted_stock_risk" in referenced_columns(sets)
