"""Stock levels per warehouse and SKU with available-to-promise; safety stock; low stock;
channel stock rules and sellable quantities (库存同步).

Fixed paths (``/inventory/low``, ``/inventory/safety``, ``/inventory/channels…``) are
declared before ``PUT /inventory/{warehouse_id}/{sku}`` so they win the match.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ordo.api import render
from ordo.api.contract import may
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, FilterText, JsonInt, length
from ordo.domain.access import Perm
from ordo.domain.inventory.stock import ANY_SKU, MAX_UNITS, ChannelRule
from ordo.domain.orders.model import Channel
from ordo.service.inventory import reads
from ordo.service.inventory import stock as svc

router = APIRouter(prefix=API_PREFIX, tags=["inventory"])
Writer = Annotated[Principal, Depends(requires(Perm.INVENTORY_WRITE))]
Units = Annotated[JsonInt, Field(ge=0, le=MAX_UNITS)]
WarehouseId = Annotated[str, length(32, 1), CLEAN]
SkuId = Annotated[str, length(64, 1), CLEAN]
Limit = Annotated[int, Query(ge=1, le=500)]
#: Items in one batch write.
MAX_ITEMS = 1000


def _after(cursor: str | None) -> tuple[str, str] | None:
    if not cursor:
        return None
    warehouse_id, sku = render.decode_cursor(cursor, parts=2)
    return (warehouse_id, sku)


def _page(items: list[dict[str, Any]], last: tuple[str, str] | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": render.encode_cursor(*last) if last else None}


@router.get("/inventory", summary="Stock levels in (warehouse, SKU) order, with channel sellable quantities")
def list_inventory(
    ordo: OrdoDep,
    _principal: Reader,
    warehouse_id: Annotated[FilterText | None, Query()] = None,
    sku: Annotated[FilterText | None, Query()] = None,
    low_only: Annotated[bool, Query(description="only rows at or below their safety stock")] = False,
    channel: Annotated[
        Channel | None, Query(description="show this channel's sellable quantity only")
    ] = None,
    cursor: render.Cursor = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    items, last = reads.levels(
        ordo,
        warehouse_id=warehouse_id,
        sku=sku,
        low_only=low_only,
        channel=channel.value if channel else None,
        after=_after(cursor),
        limit=limit,
    )
    return _page(items, last)


@router.get("/inventory/low", summary="Low stock: rows whose ATP before safety is at most `threshold`")
def low_stock(
    ordo: OrdoDep,
    _principal: Reader,
    warehouse_id: Annotated[FilterText | None, Query()] = None,
    sku: Annotated[FilterText | None, Query()] = None,
    threshold: Annotated[
        int, Query(ge=0, le=MAX_UNITS, description="units above safety stock still low")
    ] = 0,
    cursor: render.Cursor = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    items, last = reads.levels(
        ordo,
        warehouse_id=warehouse_id,
        sku=sku,
        low_only=True,
        low_threshold=threshold,
        after=_after(cursor),
        limit=limit,
    )
    return _page(items, last)


class SafetyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    safety: Units


class SafetyItem(SafetyIn):
    warehouse_id: WarehouseId
    sku: SkuId


class SafetyBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: Annotated[list[SafetyItem], Field(min_length=1, max_length=MAX_ITEMS)]


@router.put(
    "/inventory/safety",
    summary="Set the safety stock of many (warehouse, SKU) rows at once",
    responses=may(404),
)
def set_safety_batch(
    ordo: OrdoDep, _principal: Writer, _json: JsonBody, body: Annotated[SafetyBatch, Body()]
) -> dict[str, Any]:
    settings = [svc.SafetySetting(i.warehouse_id, i.sku, i.safety) for i in body.items]
    return {"items": svc.set_safety(ordo, settings, field_prefix="items")}


class ChannelRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: Annotated[SkuId, Field(description='a SKU, or "*" for every SKU')] = ANY_SKU
    buffer_pct: Annotated[JsonInt, Field(ge=0, le=100)] = 0
    buffer_units: Units = 0
    exclusive: Units = 0
    zero_below: Units = 0
    threshold: Annotated[JsonInt, Field(ge=1, le=MAX_UNITS)] = 1


class ChannelRulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: Annotated[list[ChannelRuleIn], Field(min_length=1, max_length=MAX_ITEMS)]


@router.get("/inventory/channels", summary="Every channel's stock rules")
def list_channel_rules(ordo: OrdoDep, principal: Reader) -> dict[str, Any]:
    rules = reads.channel_rules(ordo)
    if principal.scope.channels:  # a caller bound to channels sees their rules only
        rules = [r for r in rules if r["channel"] in principal.scope.channels]
    return {"rules": rules}


@router.get("/inventory/channels/{channel}", summary="A channel's rules and sellable quantity per SKU")
def channel_stock(
    channel: Annotated[Channel, Path()],
    ordo: OrdoDep,
    principal: Reader,
    sku: Annotated[FilterText | None, Query()] = None,
    cursor: Annotated[FilterText | None, Query(description="next_cursor of the previous page")] = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    principal.require_channels([channel.value], "read")
    return reads.channel_stock(ordo, channel.value, sku=sku, after=cursor, limit=limit)


@router.put(
    "/inventory/channels/{channel}", summary="Set a channel's stock rules (buffers, exclusive, zero floor)"
)
def set_channel_rules(
    channel: Annotated[Channel, Path()],
    ordo: OrdoDep,
    _principal: Writer,
    _json: JsonBody,
    body: Annotated[ChannelRulesIn, Body()],
) -> dict[str, Any]:
    rules = [ChannelRule(channel.value, **r.model_dump()) for r in body.rules]
    events = svc.save_channel_rules(ordo, rules, field_prefix="rules")
    return {"channel": channel.value, "rules": [reads.rule_row(r) for r in rules], "sync_events": events}


@router.delete("/inventory/channels/{channel}/{sku}", summary="Remove one channel stock rule")
def delete_channel_rule(
    channel: Annotated[Channel, Path()], sku: Annotated[SkuId, Path()], ordo: OrdoDep, _principal: Writer
) -> dict[str, Any]:
    svc.delete_channel_rule(ordo, channel.value, sku)
    return {"channel": channel.value, "sku": sku, "deleted": True}


@router.put("/inventory/{warehouse_id}/{sku}", summary="Set the safety stock of one (warehouse, SKU) row")
def set_safety(
    warehouse_id: Annotated[WarehouseId, Path()],
    sku: Annotated[SkuId, Path()],
    ordo: OrdoDep,
    _principal: Writer,
    _json: JsonBody,
    body: Annotated[SafetyIn, Body()],
) -> dict[str, Any]:
    [row] = svc.set_safety(ordo, [svc.SafetySetting(warehouse_id, sku, body.safety)])
    return row
