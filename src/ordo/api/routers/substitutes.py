"""Substitute SKUs (替代商品): what may ship instead of an out-of-stock SKU, by channel and priority.

Reading needs any role; saving and removing need ``inventory_write`` and are audited
(``inventory.substitutes_changed`` events naming who). Orders use the table at stock-out
(``ordo.service.orders.intake_substitutes``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ordo.api.contract import may
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, JsonInt, length
from ordo.domain.access import Perm
from ordo.domain.inventory.substitutes import MAX_RATIO, Substitute
from ordo.domain.orders.model import Channel
from ordo.service.inventory import substitutes as svc

router = APIRouter(prefix=API_PREFIX, tags=["inventory"])
Writer = Annotated[Principal, Depends(requires(Perm.INVENTORY_WRITE))]
SkuId = Annotated[str, length(64, 1), CLEAN]


class SubstituteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: SkuId
    substitute: SkuId
    ratio: Annotated[JsonInt, Field(ge=1, le=MAX_RATIO, description="units of the substitute per unit")] = 1
    channel: Annotated[Channel | None, Field(description="only on this channel; none: every channel")] = None
    priority: Annotated[JsonInt, Field(ge=0, le=999, description="lower is tried first")] = 0


class SubstitutesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: Annotated[list[SubstituteIn], Field(min_length=1, max_length=500)]


@router.get("/substitutes", summary="Substitute SKUs, each with its units across warehouses and where")
def list_substitutes(
    ordo: OrdoDep,
    _principal: Reader,
    sku: Annotated[SkuId | None, Query(description="only this SKU's substitutes")] = None,
    channel: Annotated[Channel | None, Query(description="with sku: those that apply, best first")] = None,
) -> dict[str, Any]:
    return {"items": svc.list_substitutes(ordo, sku, channel.value if channel else None)}


@router.put("/substitutes", summary="Save substitute SKUs (insert or replace by sku, substitute, channel)")
def save_substitutes(
    ordo: OrdoDep, principal: Writer, _json: JsonBody, body: Annotated[SubstitutesIn, Body()]
) -> dict[str, Any]:
    items = [
        Substitute(i.sku, i.substitute, i.ratio, i.channel.value if i.channel else "", i.priority)
        for i in body.items
    ]
    saved = svc.save_substitutes(ordo, items, by=principal.label, field_prefix="items")
    return {"saved": saved, "items": svc.list_substitutes(ordo) if saved else []}


@router.delete("/substitutes/{sku}/{substitute}", summary="Remove one substitute", responses=may(404))
def delete_substitute(
    sku: Annotated[SkuId, Path()],
    substitute: Annotated[SkuId, Path()],
    ordo: OrdoDep,
    principal: Writer,
    channel: Annotated[Channel | None, Query(description="the row's channel; none: every channel")] = None,
) -> dict[str, Any]:
    scope = channel.value if channel else ""
    svc.delete_substitute(ordo, sku, substitute, scope, by=principal.label)
    return {"sku": sku, "substitute": substitute, "channel": scope or None, "deleted": True}
