"""What demand forecasts ask of the store: daily units sold per SKU × warehouse (and channel),
and the last forecast kept per SKU × warehouse.

A repository interface (``typing.Protocol``); the store implements it. Nothing here runs SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["DemandRow", "ForecastRepository", "RiskRow"]


@dataclass(frozen=True, slots=True)
class DemandRow:
    """Units of one SKU sold from one warehouse on one day (Asia/Shanghai days, numbered from
    1970-01-01), over orders not cancelled, by the day they were placed. ``channel`` is "" when
    channels are summed."""

    warehouse_id: str
    sku: str
    channel: str
    day: int
    units: int


@dataclass(frozen=True, slots=True)
class RiskRow:
    """The last forecast of one SKU at one warehouse, as judged against its stock."""

    warehouse_id: str
    sku: str
    demand_72h: float
    demand_14d: float
    available: int
    days_of_cover: float | None
    runout_at_ns: int | None
    risk: str
    ratio: float
    suggest_units: int
    computed_at_ns: int


class ForecastRepository(Protocol):
    def daily_demand(
        self, first_day: int, last_day: int, *, warehouse_id: str | None = None, by_channel: bool = False
    ) -> list[DemandRow]:
        """Units sold per (warehouse, SKU[, channel], day) for days ``first_day``..``last_day``
        inclusive, in one grouped read; a line's own warehouse first, else its order's."""
        ...

    def replace(self, rows: Sequence[RiskRow], warehouse_ids: Iterable[str]) -> None:
        """Keep ``rows`` as the last forecast of these warehouses (their older rows go)."""
        ...

    def keep_ratio_history(self, computed_at_ns: int) -> int:
        """Keep every kept SKU's network-wide ratio (:meth:`sku_ratios`) as computed at
        ``computed_at_ns``, for backtests; returns how many SKUs."""
        ...

    def kept(self, warehouse_id: str | None = None) -> list[RiskRow]:
        """The last forecast kept, of one warehouse or all, in (warehouse, SKU) order."""
        ...

    def ratios(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], float]:
        """The kept 预测库存风险 ratio of these (warehouse, SKU) pairs (pairs never forecast are absent)."""
        ...

    def sku_ratios(self, skus: Iterable[str]) -> dict[str, float]:
        """Each SKU's kept 预测库存风险 over the whole network: its 72-hour demand summed over the
        warehouses, over its available stock summed likewise (SKUs never forecast are absent)."""
        ...

    def computed_at(self) -> int | None:
        """When the kept forecast was computed (the latest row), or None when none is kept."""
        ...
