"""The order workbench: search with totals, the order page, bulk actions, Excel export,
saved views (``/api/v1/worklist/...``)."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from ordo.api import render
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.exports import ExportJobs
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, FilterText, Time, length
from ordo.domain.access import Perm
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.orders.milestones import Status
from ordo.domain.orders.model import Channel
from ordo.service.orders import worklist
from ordo.service.ports import OrderFilter, WorkFilter

router = APIRouter(prefix=f"{API_PREFIX}/worklist", tags=["worklist"])

Writer = Annotated[Principal, Depends(requires(Perm.ORDERS_WRITE))]
MAX_ID = 24
Text64 = Annotated[str, length(64, 1), CLEAN]


def _encoded(body: Any) -> Response:
    return Response(orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), media_type="application/json")


class Filters:
    """The list's query: the same parameters for search, export and saved views."""

    def __init__(
        self,
        status: Status | None = None,
        channel: Channel | None = None,
        warehouse_id: Annotated[FilterText | None, Query()] = None,
        province: Annotated[
            FilterText | None, Query(description="广东, 广东省, 广州 or an adcode prefix")
        ] = None,
        tag: Annotated[FilterText | None, Query()] = None,
        external_id: Annotated[
            Text64 | None, Query(description="the platform's order number / 平台单号")
        ] = None,
        order_id: Annotated[FilterText | None, Query(description="Ordo's order id / 内部单号")] = None,
        phone: Annotated[
            str | None, Query(pattern=r"^\+?[0-9][0-9 \-]{2,30}$", description="recipient phone, exactly")
        ] = None,
        recipient: Annotated[FilterText | None, Query(description="recipient name, exactly")] = None,
        sku: Annotated[Text64 | None, Query()] = None,
        held: bool | None = None,
        created_from: Annotated[Time | None, Query(description="inclusive, ISO-8601")] = None,
        created_to: Annotated[Time | None, Query(description="exclusive, ISO-8601")] = None,
    ) -> None:
        self.value = WorkFilter(
            base=OrderFilter(
                status=status.value if status else None,
                channel=channel.value if channel else None,
                warehouse_id=warehouse_id,
                province=province,
                tag=tag,
                created_from_ns=created_from,
                created_to_ns=created_to,
            ),
            external_id=external_id,
            order_id=order_id,
            phone=phone.replace(" ", "").replace("-", "") if phone else None,
            recipient=recipient,
            sku=sku,
            held=held,
        )


Filter = Annotated[Filters, Depends()]


def _scoped(principal: Principal, f: WorkFilter) -> WorkFilter:
    """The list's filter narrowed to the caller's channels (the worklist counts a true total,
    in the query; a caller bound to shops, which the query does not join, is refused rather
    than shown others' counts)."""
    if principal.scope.shops:
        principal.unbound_only("the worklist / 订单工作台")
    channel = principal.read_channel(f.base.channel, "read orders")
    channels = principal.scope.channels if channel is None and principal.scope.channels else None
    return replace(f, base=replace(f.base, channel=channel, channels=channels))


def _owner(principal: Principal) -> str:
    return (principal.user_id or principal.key_id or principal.label)[:64]


@router.get("/orders", summary="Search orders with a true total (counted up to 10,000)")
def search(
    ordo: OrdoDep,
    principal: Reader,
    filters: Filter,
    cursor: render.Cursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    after = render.decode_cursor(cursor)[0] if cursor else None
    rows, last, total = worklist.search(ordo, _scoped(principal, filters.value), after_id=after, limit=limit)
    assert total is not None
    return _encoded(
        {
            "orders": [render.order(r, principal.see_pii) for r in rows],
            "next_cursor": render.encode_cursor(last) if last else None,
            "total": min(total, worklist.COUNT_CAP),
            "total_capped": total > worklist.COUNT_CAP,
        }
    )


@router.get(
    "/orders/{order_id}", summary="The order page: lines, parcels, remarks, promise, milestones, audit"
)
def order_page(order_id: str, ordo: OrdoDep, principal: Reader) -> Response:
    found = worklist.detail(ordo, order_id[:MAX_ID]) if len(order_id) <= MAX_ID else None
    if found is None:
        raise NotFound(
            f"no order {order_id[:MAX_ID]!r} / 订单不存在", details={"order_id": order_id[:MAX_ID]}
        )
    principal.require_orders(ordo, [order_id], "read orders")
    return _encoded(render.order(found, principal.see_pii))


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    action: Literal["approve", "hold", "release", "change_warehouse", "change_carrier"]
    order_ids: Annotated[
        list[Annotated[str, length(MAX_ID, 1), CLEAN]], Field(min_length=1, max_length=worklist.MAX_BULK)
    ]
    reason: Annotated[str, length(200), CLEAN] = ""
    warehouse_id: Annotated[str | None, length(32, 1), CLEAN] = None
    carrier_id: Annotated[str | None, length(32, 1), CLEAN] = None


@router.post(
    "/bulk",
    summary="Approve, hold, release, change warehouse or carrier of up to 500 orders, one result each",
)
def bulk(ordo: OrdoDep, principal: Writer, _json: JsonBody, payload: BulkIn) -> dict[str, Any]:
    if payload.action == "change_warehouse" and not payload.warehouse_id:
        raise ValidationError("warehouse_id", "a warehouse is required / 请选择仓库")
    if payload.action == "change_carrier" and not payload.carrier_id:
        raise ValidationError("carrier_id", "a carrier is required / 请选择承运商")
    principal.require_orders(ordo, payload.order_ids, f"{payload.action} orders")  # only one's own channels
    results = worklist.bulk(
        ordo,
        payload.action,
        payload.order_ids,
        actor=principal.source,
        reason=payload.reason,
        warehouse_id=payload.warehouse_id,
        carrier_id=payload.carrier_id,
    )
    counts: dict[str, int] = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    return {"action": payload.action, "results": results, "counts": counts}


@router.get("/carriers", summary="Carriers to book (id and name)")
def list_carriers(ordo: OrdoDep, principal: Reader) -> dict[str, Any]:
    return {"carriers": worklist.carriers(ordo)}


def _jobs(request: Request) -> ExportJobs:
    state = request.app.state
    if not hasattr(state, "worklist_exports"):
        state.worklist_exports = ExportJobs()
    jobs: ExportJobs = state.worklist_exports
    return jobs


@router.post("/exports", status_code=202, summary="Export the current view to .xlsx (a job; poll it)")
def start_export(
    request: Request,
    ordo: OrdoDep,
    principal: Reader,
    filters: Filter,
    limit: Annotated[int, Query(ge=1, le=worklist.MAX_EXPORT)] = 100_000,
) -> dict[str, Any]:
    job = _jobs(request).start(
        ordo,
        _scoped(principal, filters.value),
        owner=_owner(principal),
        see_pii=principal.see_pii,
        limit=limit,
    )
    return job.view()


def _job(request: Request, job_id: str, principal: Principal) -> Any:
    job = _jobs(request).get(job_id, _owner(principal))
    if job is None:
        raise NotFound(f"no export {job_id[:32]!r} / 导出任务不存在", details={"export_id": job_id[:32]})
    return job


@router.get("/exports/{job_id}", summary="An export's progress")
def export_progress(request: Request, job_id: str, principal: Reader) -> dict[str, Any]:
    view: dict[str, Any] = _job(request, job_id, principal).view()
    return view


@router.get("/exports/{job_id}/file", summary="The finished .xlsx")
def export_file(request: Request, job_id: str, principal: Reader) -> FileResponse:
    job = _job(request, job_id, principal)
    if job.state != "done" or not os.path.exists(job.path):
        raise NotFound(
            f"export {job_id[:32]!r} is not ready / 导出尚未完成", details={"export_id": job_id[:32]}
        )
    return FileResponse(
        job.path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"orders-{job.id[:8]}.xlsx",
        headers={"X-Row-Count": str(job.rows)},
    )


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Annotated[str, length(64, 1), CLEAN]
    query: Annotated[dict[Annotated[str, length(32, 1)], Annotated[str, length(64)]], Field(max_length=20)]


@router.get("/views", summary="My saved views of the orders list")
def list_views(ordo: OrdoDep, principal: Reader) -> dict[str, Any]:
    return {"views": worklist.views(ordo, _owner(principal))}


@router.put("/views", summary="Save (or replace) a named view")
def save_view(ordo: OrdoDep, principal: Reader, _json: JsonBody, payload: ViewIn) -> dict[str, Any]:
    worklist.save_view(ordo, _owner(principal), payload.name, dict(payload.query))
    return {"views": worklist.views(ordo, _owner(principal))}


@router.delete("/views/{name}", summary="Delete a saved view")
def delete_view(name: str, ordo: OrdoDep, principal: Reader) -> dict[str, Any]:
    if not worklist.delete_view(ordo, _owner(principal), name[:64]):
        raise NotFound(f"no view {name[:64]!r} / 视图不存在", details={"name": name[:64]})
    return {"views": worklist.views(ordo, _owner(principal))}
