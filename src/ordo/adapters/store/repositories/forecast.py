"""Demand history and the kept forecasts (``ordo.service.ports.forecast``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema.forecast import forecast_ratio_history, forecast_risk
from ordo.domain.forecast.cover import stock_ratio
from ordo.service.ports.forecast import DemandRow, RiskRow

__all__ = ["ForecastRepository"]

DAY_NS = 86_400 * 1_000_000_000
#: Asia/Shanghai is UTC+8 all year (no daylight saving).
SHANGHAI_NS = 8 * 3_600 * 1_000_000_000
F = forecast_risk.c


def _risk(r: Any) -> RiskRow:
    return RiskRow(
        r.warehouse_id, r.sku, float(r.demand_72h), float(r.demand_14d), int(r.available),
        None if r.days_of_cover is None else float(r.days_of_cover),
        None if r.runout_at_ns is None else int(r.runout_at_ns),
        r.risk, float(r.ratio), int(r.suggest_units), int(r.computed_at_ns),
    )  # fmt: skip


class ForecastRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    def daily_demand(
        self, first_day: int, last_day: int, *, warehouse_id: str | None = None, by_channel: bool = False
    ) -> list[DemandRow]:
        o, line = t.orders.c, t.order_lines.c
        since = first_day * DAY_NS - SHANGHAI_NS
        until = (last_day + 1) * DAY_NS - SHANGHAI_NS
        # Constants inline (not bound) so the select and its GROUP BY read the same expression text.
        day = (o.placed_at_ns + sa.literal_column(str(SHANGHAI_NS), sa.BigInteger)) // sa.literal_column(
            str(DAY_NS), sa.BigInteger
        )  # integer division on both dialects (placed ≥ 1970)
        warehouse = sa.func.coalesce(line.warehouse_id, o.warehouse_id).label("warehouse_id")
        channel = o.channel if by_channel else sa.literal_column("''", sa.String)
        q = (
            sa.select(warehouse, line.sku, channel.label("channel"), day.label("day"))
            .add_columns(sa.func.sum(line.quantity))
            .select_from(t.order_lines.join(t.orders, t.orders.c.id == line.order_id))
            .where(o.placed_at_ns >= since, o.placed_at_ns < until, o.status != "cancelled")
            .where(warehouse.is_not(None))
            .group_by(*((warehouse, line.sku, o.channel, day) if by_channel else (warehouse, line.sku, day)))
        )
        if warehouse_id is not None:
            q = q.where(sa.func.coalesce(line.warehouse_id, o.warehouse_id) == warehouse_id)
        return [DemandRow(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in self._c.execute(q)]

    def replace(self, rows: Sequence[RiskRow], warehouse_ids: Iterable[str]) -> None:
        ids = sorted(set(warehouse_ids))
        if ids:
            self._c.execute(sa.delete(forecast_risk).where(F.warehouse_id.in_(ids)))
        if rows:
            names = [c.name for c in forecast_risk.columns]
            self._c.execute(sa.insert(forecast_risk), [{n: getattr(r, n) for n in names} for r in rows])

    def keep_ratio_history(self, computed_at_ns: int) -> int:
        H = forecast_ratio_history.c
        skus = [s for (s,) in self._c.execute(sa.select(F.sku).distinct())]
        ratios = self.sku_ratios(skus)
        self._c.execute(sa.delete(forecast_ratio_history).where(H.computed_at_ns == computed_at_ns))
        if ratios:
            rows = [
                {"sku": s, "computed_at_ns": computed_at_ns, "ratio": r} for s, r in sorted(ratios.items())
            ]
            self._c.execute(sa.insert(forecast_ratio_history), rows)
        return len(ratios)

    def kept(self, warehouse_id: str | None = None) -> list[RiskRow]:
        q = sa.select(forecast_risk).order_by(F.warehouse_id, F.sku)
        if warehouse_id is not None:
            q = q.where(F.warehouse_id == warehouse_id)
        return [_risk(r) for r in self._c.execute(q)]

    def ratios(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], float]:
        wanted = set(pairs)
        if not wanted:
            return {}
        skus = sorted({s for _, s in wanted})
        q = sa.select(F.warehouse_id, F.sku, F.ratio).where(F.sku.in_(skus))
        return {(w, s): float(r) for w, s, r in self._c.execute(q) if (w, s) in wanted}

    def sku_ratios(self, skus: Iterable[str]) -> dict[str, float]:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        q = (
            sa.select(F.sku, sa.func.sum(F.demand_72h), sa.func.sum(F.available))
            .where(F.sku.in_(wanted))
            .group_by(F.sku)
        )
        return {s: stock_ratio(float(d or 0), int(a or 0)) for s, d, a in self._c.execute(q)}

    def computed_at(self) -> int | None:
        got = self._c.execute(sa.select(sa.func.max(F.computed_at_ns))).scalar()
        return None if got is None else int(got)
