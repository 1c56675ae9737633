"""Order health: bands and scores of the open orders, by channel, warehouse, carrier and region."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from ordo.api.deps import OrdoDep, Reader
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.service.orders.health import summary

router = APIRouter(prefix=API_PREFIX, tags=["health"])


@router.get("/health/summary", summary="Health of the open orders: red / yellow / green")
async def health_summary(
    ordo: OrdoDep, _p: Reader, worst: Annotated[int, Query(ge=0, le=200)] = 20
) -> dict[str, Any]:
    return with_times(await run_in_threadpool(summary, ordo, worst=worst))
