"""Holds: hold orders (one, or a batch), release a held order, correct a ship-to address,
list the held orders.

Writes are for operators and admins only (they stop, start and move stock); the list
is for every reader, with personal data masked as elsewhere.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ordo.api import render
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, authenticated
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, FilterText, Time, length
from ordo.domain.access import Role
from ordo.domain.errors import NotFound, PermissionDenied
from ordo.domain.orders.holds import HoldReason, hold_kind
from ordo.domain.orders.model import Channel
from ordo.service.orders import address_fix, holds

router = APIRouter(prefix=API_PREFIX, tags=["holds"])

#: Longest order id Ordo issues; a longer one cannot exist.
MAX_ID = 24
_OPERATORS = frozenset({Role.OPS, Role.ADMIN})
OrderId = Annotated[str, length(MAX_ID, 1), CLEAN]
Reason = Annotated[str, length(holds.MAX_REASON, 1), CLEAN]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{2,30}$")]
#: ``kind`` of the held-orders list → the hold reasons it matches (exact, or by prefix).
_KINDS: dict[str, tuple[str | None, str | None]] = {
    HoldReason.ADDRESS.kind: (HoldReason.ADDRESS.value, None),
    HoldReason.NO_STOCK.kind: (HoldReason.NO_STOCK.value, None),
    HoldReason.REVIEW.kind: (None, HoldReason.REVIEW.value),
    HoldReason.MANUAL.kind: (None, f"{HoldReason.MANUAL}:"),
    HoldReason.MERGE.kind: (None, f"{HoldReason.MERGE}:"),
}


async def _operator(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
    if principal.role not in _OPERATORS:
        raise PermissionDenied(
            f"role {principal.role} may not hold, release or re-address orders "
            f"/ 角色「{principal.role}」无权挂起、放行订单或更正地址",
            details={"role": principal.role.value, "allowed": sorted(r.value for r in _OPERATORS)},
        )
    return principal


Operator = Annotated[Principal, Depends(_operator)]


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Reason
    #: Free the reservation too (the order is routed again when it is released).
    release_stock: bool = Field(False, strict=True)


class BatchHoldIn(HoldIn):
    order_ids: list[OrderId] = Field(min_length=1, max_length=holds.MAX_BATCH)


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    note: Annotated[str, length(holds.MAX_REASON), CLEAN] = ""


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    province: Annotated[str, length(32), CLEAN]
    city: Annotated[str, length(32), CLEAN]
    district: Annotated[str, length(32), CLEAN] = ""
    detail: Annotated[str, length(500), CLEAN] = ""
    receiver: Annotated[str, length(100, 1), CLEAN] | None = None
    phone: Phone | None = None


def _checked(order_id: str) -> str:
    if len(order_id) > MAX_ID or not order_id.isprintable():
        raise NotFound(
            f"no order {order_id[:MAX_ID]!r} / 订单不存在", details={"order_id": order_id[:MAX_ID]}
        )
    return order_id


@router.post("/orders/hold", summary="Hold a batch of orders before they leave (e.g. a channel's)")
def hold_batch(ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: BatchHoldIn) -> dict[str, Any]:
    """200 with one result per order: held, already_held, refused (with the 409 it would be) or
    not_found; nothing is refused as a whole for one order's sake."""
    principal.require_orders(ordo, payload.order_ids, "hold orders")  # except another channel's
    got = holds.hold(
        ordo,
        payload.order_ids,
        reason=payload.reason,
        actor=principal.source,
        release_stock=payload.release_stock,
    )
    counts = {
        k: sum(1 for o in got if o.outcome == k) for k in ("held", "already_held", "refused", "not_found")
    }
    return {"results": [o.as_dict() for o in got], **counts}


@router.post("/orders/{order_id}/hold", summary="Hold one order before it leaves")
def hold_order(
    order_id: str, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: HoldIn
) -> dict[str, Any]:
    """200 held (or already held: the hold it has is kept); 409 once it left or is closed."""
    principal.require_orders(ordo, [_checked(order_id)], "hold orders")
    [got] = holds.hold(
        ordo,
        [_checked(order_id)],
        reason=payload.reason,
        actor=principal.source,
        release_stock=payload.release_stock,
    )
    if got.outcome == "not_found":
        raise holds.not_found(order_id)
    if got.error is not None:
        raise got.error
    return got.as_dict()


@router.post("/orders/{order_id}/release", summary="Let a held order go (routing it if it has no warehouse)")
def release_order(
    order_id: str,
    ordo: OrdoDep,
    principal: Operator,
    payload: Annotated[ReleaseIn | None, Body()] = None,
) -> dict[str, Any]:
    """200 released; 409 when it is not held, waits for its address or for stock, or is closed."""
    note = payload.note if payload else ""
    principal.require_orders(ordo, [_checked(order_id)], "release orders")
    return dict(holds.release(ordo, _checked(order_id), actor=principal.source, note=note))


@router.put(
    "/orders/{order_id}/address", summary="Correct the ship-to address (routing an order held for it)"
)
def correct_address(
    order_id: str, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: AddressIn
) -> dict[str, Any]:
    """200 with the normalised address; 422 naming the part that cannot be located; 409 once
    the order left or is closed."""
    principal.require_orders(ordo, [_checked(order_id)], "correct addresses")
    fix = address_fix.AddressFix(
        payload.province, payload.city, payload.district, payload.detail, payload.receiver, payload.phone
    )
    out = dict(address_fix.correct_address(ordo, _checked(order_id), fix, actor=principal.source))
    for internal in ("lat", "lng"):
        out.pop(internal, None)
    return render.masked(out, principal.see_pii)


@router.get("/holds", summary="Held orders, newest first (filter by kind of hold, channel and region)")
def held_orders(
    ordo: OrdoDep,
    principal: Reader,
    kind: Annotated[
        Literal["address", "no_stock", "review", "manual", "merge_window"] | None, Query()
    ] = None,
    channel: Channel | None = None,
    province: Annotated[
        FilterText | None, Query(description="region: 广东 / 广东省 / Guangdong / 广州 / adcode 44, 4401")
    ] = None,
    held_from: Annotated[Time | None, Query(description="held at or after / 挂起时间起")] = None,
    held_to: Annotated[Time | None, Query(description="held before / 挂起时间止")] = None,
    cursor: render.Cursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Each row says when the order was held (``held_at``), by whom (``held_by``; ``intake``
    for a hold intake set) and the intercept asked of its warehouse (``intercept``, or null)."""
    after = render.decode_cursor(cursor)[0] if cursor else None
    exact, prefix = _KINDS[kind] if kind else (None, None)
    rows = holds.held_orders(
        ordo,
        exact=exact,
        prefix=prefix,
        channel=principal.read_channel(channel.value if channel else None, "read orders"),
        region=province,
        after_id=after,
        held_from_ns=held_from,
        held_to_ns=held_to,
        limit=limit,
    )
    last = rows[-1]["id"] if len(rows) == limit else None
    rows = principal.visible(ordo, rows)  # a caller bound to several channels or to shops
    return {
        "orders": [
            {**render.order(r, principal.see_pii), "hold_kind": hold_kind(r["hold_reason"])} for r in rows
        ],
        "next_cursor": render.encode_cursor(last) if last else None,
    }
