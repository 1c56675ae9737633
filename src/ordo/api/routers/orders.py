"""Orders: submit (one or a batch, idempotent), read, search, cancel, timeline.

The reads are the hot path (a channel's push is followed by a read of the order): they
answer with orjson-encoded bytes rather than through FastAPI's encoder, ``GET
/orders/{id}`` reads the store on the event loop (a primary-key lookup costs less than
the hop to a worker thread and back), and search and timeline take one thread hop.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ordo.api import batching, render
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, SettingsDep, authenticated, requires
from ordo.api.metrics import ApiMetrics
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, CancelIn, FilterText, OrderBatch, OrdersRequest, Time, length
from ordo.domain.access import Perm, require
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.orders.milestones import Outcome, Status
from ordo.domain.orders.model import Channel
from ordo.service.events.projector import catch_up
from ordo.service.orders import queries
from ordo.service.orders.intake import (
    ACCEPTED,
    Idempotency,
    IntakeOutcome,
    IntakeRequest,
    Replayed,
    answer_body,
    intake_requests,
)
from ordo.service.orders.milestones import cancel
from ordo.service.ports import OrderFilter
from ordo.service.runtime import keys
from ordo.service.runtime.app import Ordo

router = APIRouter(prefix=API_PREFIX, tags=["orders"])

Writer = Annotated[Principal, Depends(requires(Perm.ORDERS_WRITE))]
Canceller = Annotated[Principal, Depends(requires(Perm.ORDERS_CANCEL))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Repeat a request safely: same key and body → the first answer again.",
    ),
    length(128, 1),
    CLEAN,
]
#: Longest order id Ordo issues; a longer one cannot exist, so it is a 404, not a query.
MAX_ID = 24


def _metrics(request: Request) -> ApiMetrics:
    metrics: ApiMetrics = request.app.state.metrics
    return metrics


def _not_found(order_id: str) -> NotFound:
    return NotFound(f"no order {order_id!r} / 订单不存在", details={"order_id": order_id})


def _encoded(body: Any) -> Response:
    return Response(orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), media_type="application/json")


def _checked_id(order_id: str) -> str:
    if len(order_id) > MAX_ID or not order_id.isprintable():
        raise _not_found(order_id[:MAX_ID])
    return order_id


@router.post("/orders", status_code=201, summary="Submit one order or a batch")
async def create_orders(
    request: Request,
    ordo: OrdoDep,
    settings: SettingsDep,
    principal: Writer,
    _json: JsonBody,
    payload: Annotated[OrdersRequest, Body()],
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """One order, or ``{"orders": [...]}`` accepted all together or not at all.

    Each result says ``created`` or ``duplicate`` (same channel and external id as
    an order Ordo already has), with the status and warehouse Ordo chose.
    """
    batched = isinstance(payload, OrderBatch)
    orders = payload.orders if isinstance(payload, OrderBatch) else [payload]
    if principal.scope.shops:  # a shop's key submits only the orders its shops were pulled with
        named = [(o.channel.value, o.external_id) for o in orders]
        await run_in_threadpool(principal.require_keys, ordo, named, "submit orders")
    else:
        principal.require_channels((o.channel.value for o in orders), "submit orders")
    if len(orders) > settings.max_batch:
        raise ValidationError(
            "orders",
            f"more than {settings.max_batch} orders in one batch / 单批订单超过 {settings.max_batch} 个",
            details={"max_batch": settings.max_batch, "received": len(orders)},
        )
    scoped_key = f"{principal.key_id or principal.person}:{idempotency_key}" if idempotency_key else None
    request_hash = keys.request_hash(
        orjson.dumps(payload.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    )
    if scoped_key:
        earlier = await run_in_threadpool(keys.recall, ordo, scoped_key, request_hash)
        if earlier is not None:
            return JSONResponse(earlier[1], status_code=earlier[0], headers={"Idempotent-Replayed": "true"})

    # All or nothing per request, even when the batcher shares a transaction among requests;
    # the answer to a keyed request is stored in that transaction too (a retry gets it again).
    idempotency = Idempotency(scoped_key, request_hash) if scoped_key else None
    wanted = IntakeRequest([o.to_domain() for o in orders], True, "orders" if batched else None, idempotency)
    batcher = batching.orders(request)
    if batcher is None:
        answer = await run_in_threadpool(lambda: intake_requests(ordo, [wanted])[0])
    else:
        answer = await asyncio.wrap_future(batcher.submit(wanted))
    if isinstance(answer, ValidationError):
        raise answer
    if isinstance(answer, Replayed):  # a twin with the same key was answered first
        return JSONResponse(
            answer.body, status_code=answer.status_code, headers={"Idempotent-Replayed": "true"}
        )
    results = answer
    counts = {outcome: sum(r.outcome is outcome for r in results) for outcome in IntakeOutcome}
    metrics = _metrics(request)
    for outcome, n in counts.items():
        if n:
            metrics.orders.labels(outcome.value).inc(n)
    return JSONResponse(answer_body(results), status_code=ACCEPTED)


@router.get("/orders", summary="Search orders, newest first")
def search_orders(
    ordo: OrdoDep,
    principal: Reader,
    status: Status | None = None,
    channel: Channel | None = None,
    warehouse_id: Annotated[FilterText | None, Query()] = None,
    customer_ref: Annotated[FilterText | None, Query()] = None,
    province: Annotated[FilterText | None, Query()] = None,
    tag: Annotated[FilterText | None, Query(description="orders carrying this tag")] = None,
    created_from: Annotated[Time | None, Query(description="inclusive, ISO-8601")] = None,
    created_to: Annotated[Time | None, Query(description="exclusive, ISO-8601")] = None,
    cursor: render.Cursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    after = render.decode_cursor(cursor)[0] if cursor else None
    narrowed = principal.read_channel(channel.value if channel else None)
    f = OrderFilter(
        status=status.value if status else None,
        channel=narrowed,
        channels=principal.scope.channels if narrowed is None and principal.scope.channels else None,
        warehouse_id=warehouse_id,
        customer_ref=customer_ref,
        province=province,
        created_from_ns=created_from,
        created_to_ns=created_to,
        tag=tag,
    )
    if tag is not None:
        catch_up(ordo)  # the tag index is a projection: bring it up to the newest order first
    rows, last = queries.search_orders(ordo, f, after_id=after, limit=limit)
    rows = principal.visible(ordo, rows)  # a caller bound to shops (the query knows no shop)
    return _encoded(
        {
            "orders": [render.order(r, principal.see_pii) for r in rows],
            "next_cursor": render.encode_cursor(last) if last else None,
        }
    )


@router.get(
    "/orders/{order_id}",
    summary="One order with its lines and milestones",
    openapi_extra={"security": [{authenticated.scheme_name: []}]},
)
async def get_order(order_id: str, request: Request) -> Response:
    # The read that follows every channel push: like the webhook route it asks FastAPI for
    # the path only and calls the auth dependency itself, skipping dependency solving.
    principal = await authenticated(request)
    require(principal.role, Perm.READ)
    ordo: Ordo = request.app.state.ordo
    row = queries.get_order(ordo, _checked_id(order_id))
    if row is None:
        raise _not_found(order_id)
    if principal.scope.channels or principal.scope.shops:
        await run_in_threadpool(principal.require_orders, ordo, [order_id], "read orders")
    return _encoded(render.order(row, principal.see_pii))


@router.post("/orders/{order_id}/cancel", summary="Cancel an order that has not left the warehouse")
def cancel_order(
    request: Request,
    order_id: str,
    ordo: OrdoDep,
    principal: Canceller,
    _json: JsonBody,
    payload: CancelIn,
) -> dict[str, Any]:
    """200 when cancelled (or already cancelled); 409 with the rule's code otherwise."""
    # Checked first: an unknown id would otherwise be kept as an anomaly, a write for a 404.
    if not queries.order_exists(ordo, _checked_id(order_id)):
        raise _not_found(order_id)
    principal.require_orders(ordo, [order_id], "cancel orders")  # a scoped key: its own only
    [result] = cancel(ordo, [order_id], reason=payload.reason, source=principal.source)
    _metrics(request).milestones.labels(result.outcome.value).inc()
    if result.outcome is Outcome.REJECTED:
        assert result.error is not None
        if result.error.code == "order_not_found":
            raise _not_found(order_id)
        raise result.error
    return {
        "order_id": order_id,
        "outcome": result.outcome.value,
        "status": result.status.value if result.status else None,
    }


@router.get("/orders/{order_id}/timeline", summary="Milestones, anomalies and events in time order")
def order_timeline(order_id: str, ordo: OrdoDep, principal: Reader) -> Response:
    found = queries.timeline(ordo, _checked_id(order_id))
    if found is None:
        raise _not_found(order_id)
    principal.require_orders(ordo, [order_id], "read orders")
    return _encoded(render.with_times(found))
