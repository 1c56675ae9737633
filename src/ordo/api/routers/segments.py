"""Customer value groups: ``GET /segments`` counts the customers and their spend in each of the
six high-value groups (and the rest), the R × F grid, and each group's top customers by spend
with their name and phone masked (the segments page, 客户分群)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from ordo.api.contract import may
from ordo.api.deps import OrdoDep, Reader
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.domain.errors import ValidationError
from ordo.service.customers.value import MAX_TOP, default_model, segments

router = APIRouter(prefix=API_PREFIX, tags=["customers"])


@router.get(
    "/segments",
    summary="Customer value groups: counts, spend, the RFM grid and top customers (masked)",
    responses=may(403, 422),
)
async def customer_segments(
    ordo: OrdoDep,
    principal: Reader,
    top: Annotated[int, Query(ge=0, le=MAX_TOP, description="top customers listed per group")] = 10,
    segment: Annotated[
        str | None,
        Query(min_length=1, max_length=32, description="list top customers of this group only"),
    ] = None,
) -> dict[str, Any]:
    """200 with every group (in the order they are tried, the catch-all last), each customer
    judged now; 422 naming ``segment`` for a group that does not exist. A caller bound to
    channels sees the customers whose latest order came through one of them; one bound to
    shops is refused (a customer is not a shop's)."""
    model = default_model()
    if segment is not None and model.segment(segment) is None:
        raise ValidationError(
            "segment",
            f"no customer group {segment!r} / 没有这个客户分群",
            details={"allowed": [s.id for s in model.all_segments]},
        )
    if principal.scope.shops:
        principal.unbound_only("customer segments")
    channels = frozenset(principal.scope.channels) if principal.scope.channels else None
    out = await run_in_threadpool(
        lambda: segments(ordo, top=top, segment=segment, channels=channels, model=model)
    )
    return with_times(out)
