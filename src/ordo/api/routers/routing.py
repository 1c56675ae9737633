"""Routing decisions: why an order ships from where it does, re-routing it, a warehouse outage."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ordo.api import render
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, authenticated
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, length
from ordo.domain.access import Role
from ordo.domain.errors import NotFound, PermissionDenied
from ordo.service.routing import decisions as routing

router = APIRouter(prefix=API_PREFIX, tags=["routing"])

Lang = Annotated[Literal["zh", "en"], Query(description="Language of the explanation / 说明语言")]
#: Longest order id Ordo issues; a longer one cannot exist.
MAX_ID = 24
_OPERATORS = frozenset({Role.OPS, Role.ADMIN})


async def _operator(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
    """Re-routing moves stock between warehouses: operators and admins only."""
    if principal.role not in _OPERATORS:
        raise PermissionDenied(
            f"role {principal.role} may not re-route orders / 角色「{principal.role}」无权改派订单",
            details={"role": principal.role.value, "allowed": sorted(r.value for r in _OPERATORS)},
        )
    return principal


Operator = Annotated[Principal, Depends(_operator)]
WarehouseId = Annotated[str, length(32, 1), CLEAN]


class RerouteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Annotated[str, length(500, 1), CLEAN]
    exclude_warehouses: list[WarehouseId] = Field(default_factory=list, max_length=100)
    #: A person's choice of warehouse (手工指定仓库): the router scores it alone.
    force_warehouse: WarehouseId | None = None


class OutageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Annotated[str, length(500, 1), CLEAN]


def _checked(order_id: str) -> str:
    if len(order_id) > MAX_ID or not order_id.isprintable():
        raise NotFound(
            f"no order {order_id[:MAX_ID]!r} / 订单不存在", details={"order_id": order_id[:MAX_ID]}
        )
    return order_id


def _warehouse(warehouse_id: str) -> str:
    if len(warehouse_id) > 32 or not warehouse_id.isprintable():
        raise NotFound(
            f"no warehouse {warehouse_id[:32]!r} / 仓库不存在", details={"warehouse_id": warehouse_id[:32]}
        )
    return warehouse_id


def _rendered(attempt: dict[str, Any]) -> dict[str, Any]:
    out = dict(attempt)
    at, promise = out.pop("at_ns"), out.pop("promise_ns")
    out["at"] = render.iso(at)
    out["promise_at"] = render.iso(promise) if promise is not None else None
    return out


@router.get("/orders/{order_id}/routing", summary="Why the order ships from where it does, every attempt")
def get_routing(order_id: str, ordo: OrdoDep, _principal: Reader, lang: Lang = "zh") -> dict[str, Any]:
    view = routing.routing_view(ordo, _checked(order_id), lang)
    return {"order_id": view["order_id"], "attempts": [_rendered(a) for a in view["attempts"]]}


@router.post(
    "/orders/{order_id}/reroute", summary="Route an open order again, excluding warehouses or forcing one"
)
def reroute_order(
    order_id: str, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: RerouteIn, lang: Lang = "zh"
) -> dict[str, Any]:
    """200 with the new attempt; 409 once the order is picked, shipped or closed."""
    principal.require_orders(ordo, [_checked(order_id)], "re-route orders")
    attempt = routing.reroute(
        ordo,
        _checked(order_id),
        reason=payload.reason,
        exclude=payload.exclude_warehouses,
        lang=lang,
        force=payload.force_warehouse,
    )
    return _rendered(attempt)


@router.post(
    "/warehouses/{warehouse_id}/outage", summary="A warehouse is down: switch it off, re-route its orders"
)
def warehouse_outage(
    warehouse_id: str, ordo: OrdoDep, _principal: Operator, _json: JsonBody, payload: OutageIn
) -> dict[str, Any]:
    return routing.outage(ordo, _warehouse(warehouse_id), reason=payload.reason)


@router.delete(
    "/warehouses/{warehouse_id}/outage",
    summary="The warehouse is back: switch it on, route the orders that waited for stock",
)
def warehouse_restored(
    warehouse_id: str,
    ordo: OrdoDep,
    _principal: Operator,
    reason: Annotated[str, Query(min_length=1, max_length=500)] = "仓库恢复 / warehouse restored",
) -> dict[str, Any]:
    """200 with what was routed; orders moved away during the outage stay where they went."""
    return routing.restore(ordo, _warehouse(warehouse_id), reason=reason)
