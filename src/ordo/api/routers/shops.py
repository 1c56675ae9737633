"""Platform shops (店铺): the credentials Ordo pulls orders and writes shipments back with.

Administrators only (``admin``; 403 for every other role). A key bound to channels sees and
touches the shops of those channels only.

* ``GET  /api/v1/shops[?channel=…]`` — every shop, the app secret and session masked
  (``abc****yz``), with its pull cursor and how many orders were pulled;
* ``POST /api/v1/shops`` — add one (``shop_id``, ``channel`` — any name of a platform Ordo
  pulls from —, ``app_key``, ``app_secret``, ``session``, ``endpoint``, ``name``);
* ``POST /api/v1/shops/{shop_id}/rotate`` — new ``app_key`` / ``app_secret`` / ``session``
  (any of them): running pullers and write-back use them within seconds, no restart;
* ``POST /api/v1/shops/{shop_id}/listings`` (``sku``, ``item_id``, ``platform_sku_id``) and
  ``GET`` — which platform listing sells which Ordo SKU: stock sync pushes the channel's
  sellable quantity there (``ordo-stock``), shown with its state; ``POST
  /api/v1/shops/stock/replay`` sends the dead-lettered quantities again.

Secrets go in, never out: no answer carries one unmasked. The CLI twin is ``ordo shops``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ordo.api.deps import JsonBody, OrdoDep, Principal, requires
from ordo.api.routers import API_PREFIX
from ordo.domain.access import OutOfScope, Perm
from ordo.domain.errors import NotFound
from ordo.service.channels import shops as svc
from ordo.service.channels import stock_sync
from ordo.service.channels.receive import channel_name
from ordo.service.runtime.app import Ordo

router = APIRouter(prefix=API_PREFIX, tags=["shops"])
Admin = Annotated[Principal, Depends(requires(Perm.ADMIN))]
ShopId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
_NO_SECRETS = "secrets are masked / 密钥已掩码"


class ShopIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shop_id: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
    channel: str = Field(
        min_length=1, max_length=32, description="any name of the platform (淘宝, tb, 视频号 …)"
    )
    app_key: str = Field(min_length=1, max_length=64)
    app_secret: str = Field(min_length=8, max_length=200)
    session: str = Field(min_length=1, max_length=400, description="the shop's access token / 授权令牌")
    endpoint: str = Field(min_length=8, max_length=200, pattern=r"^https?://")
    name: str = Field("", max_length=64)


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    app_key: str | None = Field(None, min_length=1, max_length=64)
    app_secret: str | None = Field(None, min_length=8, max_length=200)
    session: str | None = Field(None, min_length=1, max_length=400)


def _canonical(ordo: Ordo, name: str) -> str:
    return channel_name(name, ordo.channels)


def _in_scope(principal: Principal, channel: str) -> None:
    """403 when a key bound to channels asks about another channel's shops."""
    allowed = principal.scope.channels
    if allowed and channel not in allowed:
        raise OutOfScope(
            f"shops of channel {channel} refused: this key is bound to {', '.join(sorted(allowed))} "
            f"/ 拒绝管理渠道「{channel}」的店铺：此密钥仅限渠道「{'、'.join(sorted(allowed))}」",
            details={"refused": "manage shops", "channels": [channel], "allowed_channels": sorted(allowed)},
        )


@router.get("/shops", summary="Platform shops, secrets masked; administrators only")
def list_shops(
    ordo: OrdoDep,
    principal: Admin,
    channel: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
) -> dict[str, Any]:
    if channel is not None:
        channel = _canonical(ordo, channel)
        _in_scope(principal, channel)
    shops = svc.list_shops(ordo, channel)
    allowed = principal.scope.channels
    if allowed:
        shops = [s for s in shops if s["channel"] in allowed]
    return {"shops": shops, "note": _NO_SECRETS}


@router.post(
    "/shops",
    status_code=201,
    summary="Add a platform shop; administrators only",
    responses={422: {"description": "a field is bad, the platform is not pulled from, or the shop exists"}},
)
def add_shop(ordo: OrdoDep, principal: Admin, _json: JsonBody, body: ShopIn) -> dict[str, Any]:
    channel = _canonical(ordo, body.channel)
    _in_scope(principal, channel)
    return svc.add_shop(
        ordo,
        shop_id=body.shop_id,
        channel=channel,
        app_key=body.app_key,
        app_secret=body.app_secret,
        session=body.session,
        endpoint=body.endpoint,
        name=body.name,
    )


@router.post(
    "/shops/{shop_id}/rotate",
    summary="New credentials for a shop, in use without a restart; administrators only",
    responses={404: {"description": "no such shop"}},
)
def rotate(
    ordo: OrdoDep, principal: Admin, _json: JsonBody, shop_id: ShopId, body: RotateIn
) -> dict[str, Any]:
    _in_scope(principal, _shop(ordo, shop_id)["channel"])
    version = svc.rotate(
        ordo, shop_id, app_key=body.app_key, app_secret=body.app_secret, session=body.session
    )
    return {"shop_id": shop_id, "version": version, "note": _NO_SECRETS}


class ListingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str = Field(min_length=1, max_length=64, description="the Ordo SKU the listing sells")
    item_id: str = Field(min_length=1, max_length=64, description="the platform's item (num_iid …)")
    platform_sku_id: str = Field("", max_length=64, description="the item's SKU id; empty: no SKUs")


@router.post(
    "/shops/{shop_id}/listings",
    status_code=201,
    summary="Which platform listing sells an Ordo SKU (stock sync pushes its quantity there)",
    responses={404: {"description": "no such shop"}},
)
def add_listing(
    ordo: OrdoDep, principal: Admin, _json: JsonBody, shop_id: ShopId, body: ListingIn
) -> dict[str, Any]:
    _in_scope(principal, _shop(ordo, shop_id)["channel"])
    return stock_sync.set_listing(ordo, shop_id, body.sku, body.item_id, body.platform_sku_id)


@router.get("/shops/{shop_id}/listings", summary="A shop's listings and the quantity each should show")
def listings(ordo: OrdoDep, principal: Admin, shop_id: ShopId) -> dict[str, Any]:
    _in_scope(principal, _shop(ordo, shop_id)["channel"])
    pushes = {
        (p["item_id"], p["platform_sku_id"]): p
        for p in stock_sync.stock_pushes(ordo)
        if p["shop_id"] == shop_id
    }
    out = []
    for listing in stock_sync.listings(ordo, shop_id):
        push = pushes.get((listing["item_id"], listing["platform_sku_id"]))
        out.append(
            {
                **listing,
                "quantity": push["quantity"] if push else None,
                "state": push["state"] if push else None,
                "last_error": push["last_error"] if push else "",
            }
        )
    return {"listings": out}


@router.post("/shops/stock/replay", summary="Dead-lettered stock quantities, sent again")
def replay_stock(ordo: OrdoDep, principal: Admin) -> dict[str, int]:
    if principal.scope.channels:
        _in_scope(principal, "*")  # a replay covers every channel's shops
    return {"replayed": stock_sync.replay_dead_stock(ordo)}


def _shop(ordo: Ordo, shop_id: str) -> dict[str, Any]:
    found = [s for s in svc.list_shops(ordo) if s["id"] == shop_id]
    if not found:
        raise NotFound(f"no shop {shop_id!r} / 店铺「{shop_id}」不存在", details={"shop_id": shop_id})
    return found[0]
