"""Warehouses: where orders ship from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ordo.api.deps import OrdoDep, Reader
from ordo.api.routers import API_PREFIX
from ordo.service.orders import queries

router = APIRouter(prefix=API_PREFIX, tags=["catalog"])


@router.get("/warehouses", summary="All warehouses, active or not")
def list_warehouses(ordo: OrdoDep, _principal: Reader) -> dict[str, Any]:
    return {"warehouses": queries.warehouses(ordo)}
