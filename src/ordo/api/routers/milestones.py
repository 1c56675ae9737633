"""Milestone updates from any system (WMS, carriers, payment), in batches."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from ordo.api import milestone_batching
from ordo.api.deps import JsonBody, OrdoDep, Principal, SettingsDep, requires
from ordo.api.metrics import ApiMetrics
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import MilestoneBatch
from ordo.domain.access import Perm
from ordo.domain.errors import ValidationError
from ordo.domain.orders.milestones import MilestoneUpdate, UpdateResult
from ordo.service.orders.milestones import advance_each

#: Concurrent milestone requests share write transactions (see ordo.api.milestone_batching).
BATCHER = "milestones"
router = APIRouter(
    prefix=API_PREFIX, tags=["milestones"], lifespan=milestone_batching.lifespan(BATCHER, advance_each)
)

Reporter = Annotated[Principal, Depends(requires(Perm.MILESTONES_WRITE))]


def _result(index: int, r: UpdateResult) -> dict[str, Any]:
    return {
        "index": index,
        "order_id": r.update.order_id,
        "milestone": r.update.milestone.value,
        "at_ns": r.update.at_ns,
        "outcome": r.outcome.value,
        "status": r.status.value if r.status else None,
        "error": {"code": r.error.code, "message": r.error.message} if r.error else None,
    }


@router.post("/milestones", summary="Report milestones (batch)", response_model=None)
async def report_milestones(
    request: Request,
    ordo: OrdoDep,
    settings: SettingsDep,
    principal: Reporter,
    _json: JsonBody,
    payload: MilestoneBatch,
) -> Response:
    """Record each update, or say why not.

    Per update: ``recorded``, ``duplicate`` (already known: safe to resend) or
    ``rejected`` with the lifecycle rule's code (kept as an anomaly). Updates for
    one order apply in the order sent; out-of-order arrival is normal and accepted.
    """
    if len(payload.updates) > settings.max_batch:
        raise ValidationError(
            "updates",
            f"more than {settings.max_batch} updates in one batch / 单批更新超过 {settings.max_batch} 条",
            details={"max_batch": settings.max_batch, "received": len(payload.updates)},
        )
    if principal.scope.channels or principal.scope.shops:  # a scoped key: its own orders only
        ids = [u.order_id for u in payload.updates]
        await run_in_threadpool(principal.require_orders, ordo, ids, "write milestones")
    updates = [MilestoneUpdate(u.order_id, u.milestone, u.at, u.source, u.note) for u in payload.updates]
    results = await milestone_batching.run(request, BATCHER, ordo, updates, advance_each)
    metrics: ApiMetrics = request.app.state.metrics
    for outcome, n in Counter(r.outcome.value for r in results).items():
        metrics.milestones.labels(outcome).inc(n)
    return await milestone_batching.respond(
        lambda: {"results": [with_times(_result(i, r)) for i, r in enumerate(results)]}, len(results)
    )
