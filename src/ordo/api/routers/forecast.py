"""Demand forecasts: ``GET /forecast/warehouses/{id}`` gives every SKU's forecast for the next
72 hours and 14 days at a warehouse, the stock risk it predicts and a replenishment suggestion;
``GET /forecast/risk`` the last forecast kept (what the rules' 预测库存风险 reads)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from ordo.api.deps import OrdoDep, Reader
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.service.forecast.demand import MAX_HISTORY, MIN_HISTORY, warehouse_forecast
from ordo.service.forecast.refresh import kept

router = APIRouter(prefix=API_PREFIX, tags=["insight"])


@router.get(
    "/forecast/warehouses/{warehouse_id}",
    summary="Demand forecast (72 h, 14 days), stock risk and replenishment per SKU of a warehouse",
)
async def warehouse(
    ordo: OrdoDep,
    _principal: Reader,
    warehouse_id: str,
    target_days: Annotated[int, Query(ge=1, le=90, description="days of cover to replenish to")] = 14,
    history_days: Annotated[int, Query(ge=MIN_HISTORY, le=MAX_HISTORY)] = 112,
    by_channel: Annotated[bool, Query(description="add each SKU's demand per channel")] = False,
) -> dict[str, Any]:
    """200 with the SKUs most at risk first; 404 for an unknown warehouse."""
    out = await run_in_threadpool(
        lambda: warehouse_forecast(
            ordo, warehouse_id, target_days=target_days, history_days=history_days, by_channel=by_channel
        )
    )
    return with_times(out)


@router.get("/forecast/risk", summary="The last forecast kept per SKU × warehouse (预测库存风险)")
async def kept_risk(
    ordo: OrdoDep,
    _principal: Reader,
    warehouse_id: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
) -> dict[str, Any]:
    """200 with the kept rows in (warehouse, SKU) order, at most ``limit`` (``truncated`` says
    whether more were kept)."""
    rows = await run_in_threadpool(lambda: kept(ordo, warehouse_id))
    return {"items": [with_times(r) for r in rows[:limit]], "truncated": len(rows) > limit}
