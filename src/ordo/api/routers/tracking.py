"""Customer tracking: a staff member gets an order's tracking link; anyone holding it reads it.

``GET /api/v1/track/{token}`` needs no key, by design: the token is the credential
(an HMAC only the server can make, see :mod:`ordo.service.orders.tracking`) and the answer
carries masked personal data and nothing internal. A wrong token and an unknown
order both answer 404 alike.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ordo.api.deps import OrdoDep, Reader
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.domain.errors import NotFound
from ordo.service.orders import queries, tracking

router = APIRouter(prefix=API_PREFIX, tags=["tracking"])
MAX_ID = 24


@router.get("/orders/{order_id}/tracking", summary="The customer tracking link of an order")
def tracking_link(order_id: str, ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    if len(order_id) > MAX_ID or not order_id.isprintable() or not queries.order_exists(ordo, order_id):
        shown = order_id[:MAX_ID]
        raise NotFound(f"no order {shown!r} / 订单不存在", details={"order_id": shown})
    token = tracking.token_for(ordo, order_id)
    return {"order_id": order_id, "token": token, "url": f"/track/{token}"}


@router.get("/track/{token}", summary="What a tracking link shows (no key needed; nothing internal)")
def track(token: str, ordo: OrdoDep) -> dict[str, Any]:
    view = tracking.public_view(ordo, token)
    if view is None:
        raise NotFound("no such tracking link / 物流查询链接无效")
    return with_times(view)
