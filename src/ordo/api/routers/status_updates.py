"""Status updates from named systems (WMS, TMS, carriers, CRM, finance, channels) in their own words."""

from __future__ import annotations

from typing import Annotated, Self

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator
from starlette.concurrency import run_in_threadpool

from ordo.api import milestone_batching
from ordo.api.deps import JsonBody, OrdoDep, Principal, SettingsDep, requires
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, Time, length
from ordo.domain.access import Perm
from ordo.domain.errors import ValidationError
from ordo.service.orders.status_updates import StatusReport, report_each

#: Concurrent status-update requests share write transactions (see ordo.api.milestone_batching).
BATCHER = "status_updates"
router = APIRouter(
    prefix=API_PREFIX, tags=["milestones"], lifespan=milestone_batching.lifespan(BATCHER, report_each)
)

Reporter = Annotated[Principal, Depends(requires(Perm.MILESTONES_WRITE))]


#: The rule of :meth:`StatusUpdateIn._one_order_reference`, in the schema: ``order_id``, or else
#: ``channel`` and ``external_id`` (all three only if one of the pair is null).
_ONE_ORDER_REFERENCE: list[JsonValue] = [
    {"required": ["order_id"], "properties": {"order_id": {"type": "string"}, "channel": {"type": "null"}}},
    {
        "required": ["order_id"],
        "properties": {"order_id": {"type": "string"}, "external_id": {"type": "null"}},
    },
    {
        "required": ["channel", "external_id"],
        "properties": {
            "channel": {"type": "string"},
            "external_id": {"type": "string"},
            "order_id": {"type": "null"},
        },
    },
]


class StatusUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"anyOf": _ONE_ORDER_REFERENCE})

    source: Annotated[str, length(32, 1), CLEAN] = Field(
        description="wms, tms, crm, finance, sf, zto, tmall, …"
    )
    status: Annotated[str, length(64, 1), CLEAN] = Field(
        description="the system's own code, e.g. PACKING, 揽收"
    )
    at: Time
    order_id: Annotated[str, length(24, 1), CLEAN] | None = None
    channel: Annotated[str, length(16, 1), CLEAN] | None = None
    external_id: Annotated[str, length(64, 1), CLEAN] | None = None
    note: Annotated[str, length(500), CLEAN] = ""

    @model_validator(mode="after")
    def _one_order_reference(self) -> Self:
        if (self.order_id is None) == (self.channel is None or self.external_id is None):
            raise ValueError(
                "give order_id, or channel and external_id / 请提供 order_id，或 channel 与 external_id"
            )
        return self


class StatusUpdateBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    updates: Annotated[list[StatusUpdateIn], Field(min_length=1)]


@router.post(
    "/status-updates", summary="Report statuses in a system's own vocabulary (batch)", response_model=None
)
async def report_status_updates(
    request: Request,
    ordo: OrdoDep,
    settings: SettingsDep,
    principal: Reporter,
    _json: JsonBody,
    payload: StatusUpdateBatch,
) -> Response:
    """Translate each update through the status graph and record it, or say why not.

    Per update: ``recorded``, ``duplicate``, ``signal`` (e.g. 揽收失败, kept as an
    event), ``conflict`` (another system said otherwise earlier; an
    ``order.status_conflict`` event is written and the update is not applied) or
    ``rejected`` (unknown source or status code, unknown order, or a lifecycle rule),
    each refusal kept as an anomaly.
    """
    if len(payload.updates) > settings.max_batch:
        raise ValidationError(
            "updates",
            f"more than {settings.max_batch} updates in one batch / 单批更新超过 {settings.max_batch} 条",
            details={"max_batch": settings.max_batch, "received": len(payload.updates)},
        )
    if principal.scope.channels or principal.scope.shops:  # a scoped key: its own orders only
        ids = [u.order_id for u in payload.updates if u.order_id]
        await run_in_threadpool(principal.require_orders, ordo, ids, "report statuses")
        named = [
            (str(u.channel), u.external_id)
            for u in payload.updates
            if u.channel and u.external_id and not u.order_id
        ]
        await run_in_threadpool(principal.require_keys, ordo, named, "report statuses")
    reports = [
        StatusReport(u.source, u.status, u.at, u.order_id, u.channel, u.external_id, u.note)
        for u in payload.updates
    ]
    results = await milestone_batching.run(request, BATCHER, ordo, reports, report_each)
    return await milestone_batching.respond(
        lambda: {"results": [with_times(r.as_dict()) for r in results]}, len(results)
    )
