"""Stock levels per warehouse and SKU, with available-to-promise."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ordo.api import render
from ordo.api.deps import OrdoDep, Reader
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import FilterText
from ordo.service import queries

router = APIRouter(prefix=API_PREFIX, tags=["catalog"])


@router.get("/inventory", summary="Stock levels, in (warehouse, SKU) order")
def list_inventory(
    ordo: OrdoDep,
    _principal: Reader,
    warehouse_id: Annotated[FilterText | None, Query()] = None,
    sku: Annotated[FilterText | None, Query()] = None,
    low_only: Annotated[bool, Query(description="only rows at or below their safety stock")] = False,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    after: tuple[str, str] | None = None
    if cursor:
        decoded = render.decode_cursor(cursor)
        if not (
            isinstance(decoded, list)
            and len(decoded) == 2
            and all(isinstance(v, str) and len(v) <= 64 for v in decoded)
        ):
            raise render.bad_cursor()
        after = (decoded[0], decoded[1])
    rows, last = queries.inventory(
        ordo, warehouse_id=warehouse_id, sku=sku, low_only=low_only, after=after, limit=limit
    )
    return {"items": rows, "next_cursor": render.encode_cursor(list(last)) if last else None}
