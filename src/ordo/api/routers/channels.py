"""Channels: signed webhooks from the platforms, the SKU map, dead letters and replay.

``POST /api/v1/channels/{channel}/webhook`` takes the platform's own order payload
(JSON, as the platform sends it). It is authenticated by signature, not API key:

* ``X-Ordo-Timestamp``: Unix seconds when the body was signed (±300 s of the server's
  wall clock, never the business clock, which a demo runs 60× fast);
* ``X-Ordo-Signature``: ``sha256=`` + hex HMAC-SHA256 of ``<timestamp>.<raw body>``
  with the channel's secret (``$ORDO_CHANNEL_SECRET_<CHANNEL>``, or set in the store).

A bad or stale signature is 401 and writes nothing. Otherwise the answer is 200
(``created`` / ``duplicate``) or 202 (``pending``: an update parked until its order
arrives; ``dead_lettered``: kept with its reasons for replay) — never a reason for the
platform to retry, since nothing it sent is lost.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ordo.api import batching
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import BodyId
from ordo.domain.access import Perm
from ordo.service.channels import receive as svc
from ordo.service.channels.intake import Push
from ordo.service.channels.receive import SIGNATURE_HEADER, TIMESTAMP_HEADER
from ordo.service.people.scope import dead_letter_channels

router = APIRouter(prefix=API_PREFIX, tags=["channels"])
Writer = Annotated[Principal, Depends(requires(Perm.ORDERS_WRITE))]
_ACCEPTED = {svc.ChannelOutcome.PENDING, svc.ChannelOutcome.DEAD_LETTERED}
_SIGNED_HEADERS = [
    {"name": TIMESTAMP_HEADER, "in": "header", "required": True, "schema": {"type": "string"},
     "description": "Unix seconds when the body was signed (±300 s)"},
    {"name": SIGNATURE_HEADER, "in": "header", "required": True, "schema": {"type": "string"},
     "description": "sha256=<hex HMAC-SHA256 of '<timestamp>.<raw body>'>"},
]  # fmt: skip


@router.post(
    "/channels/{channel}/webhook",
    summary="A platform's order push (HMAC-signed)",
    responses={401: {"description": "bad, missing or stale signature; nothing written"}},
    openapi_extra={
        "parameters": _SIGNED_HEADERS,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
    },
)
async def webhook(channel: str, request: Request) -> Response:
    # The hottest route: it asks FastAPI for nothing but the path (the headers are read
    # here and documented above), and answers with bytes, skipping the dependency and
    # response-model machinery that cost more than authenticating and queueing the body.
    ordo = request.app.state.ordo
    body = await request.body()
    headers = request.headers
    # Secrets are cached (one read per channel per few seconds): an HMAC, no thread hop.
    svc.authenticate(ordo, channel, body, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER))
    batcher = batching.webhooks(request)
    if batcher is None:
        receipt = await run_in_threadpool(svc.receive, ordo, channel, body)
    else:  # authenticated first: nothing unauthenticated is ever queued
        push = Push(channel, svc.body_text(body))
        receipt = await asyncio.wrap_future(batcher.submit(push))
    return Response(
        orjson.dumps(receipt.as_dict()),
        status_code=202 if receipt.outcome in _ACCEPTED else 200,
        media_type="application/json",
    )


@router.get("/channels", summary="Channels and their status vocabularies")
def list_channels(ordo: OrdoDep, principal: Reader) -> dict[str, Any]:
    return {"channels": svc.channels(ordo.channels)}


class SkuMapIn(BaseModel):
    platform_sku: str = Field(min_length=1, max_length=64)
    ordo_sku: str = Field(min_length=1, max_length=64)


@router.post("/channels/{channel}/sku-map", summary="Map a platform SKU id to an Ordo SKU")
def map_sku(
    channel: str, ordo: OrdoDep, principal: Writer, _json: JsonBody, payload: Annotated[SkuMapIn, Body()]
) -> dict[str, str]:
    channel = svc.channel_name(channel, ordo.channels)  # 淘宝 / tb / taobao: stored by its canonical name
    principal.require_channels([channel], "remap SKUs")
    svc.set_sku_mapping(ordo, channel, payload.platform_sku, payload.ordo_sku)
    return {"channel": channel, "platform_sku": payload.platform_sku, "ordo_sku": payload.ordo_sku}


@router.post(
    "/channels/{channel}/preview",
    summary="What a payload would become, every problem on its field (writes nothing)",
    description="The twin of `ordo channels map`: the body is one payload exactly as the platform "
    "sends it. The answer is 200 whether or not it could be taken in (`accepted`); each problem "
    "names its field, with Ordo SKUs proposed for unmapped ones when `suggest_skus` is set.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
async def preview_payload(
    channel: str,
    request: Request,
    ordo: OrdoDep,
    principal: Reader,
    suggest_skus: Annotated[bool, Query(description="propose Ordo SKUs for unmapped ones")] = False,
) -> dict[str, Any]:
    from ordo.service.channels.preview import preview

    principal.require_channels([channel], "preview payloads")
    text = (await request.body()).decode("utf-8", errors="replace")
    result = await run_in_threadpool(preview, ordo, channel, text, suggest_skus=suggest_skus)
    return result.as_dict()


@router.get("/channels/dead-letters", summary="Payloads that could not be mapped, with reasons")
def list_dead_letters(
    ordo: OrdoDep,
    principal: Reader,
    state: Annotated[str | None, Query(pattern="^(open|replayed)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    if principal.scope.shops:  # a dead letter is of no known shop: outside a shop's scope
        rows = []
    else:  # a caller bound to channels sees their dead letters only
        rows = svc.dead_letters(ordo, state=state, limit=limit, channels=principal.scope.channels or None)
    if not principal.see_pii:  # raw bodies carry receivers' names and phones
        for row in rows:
            row["body"] = None
    return {"dead_letters": rows}


class ReplayIn(BaseModel):
    ids: list[BodyId] | None = Field(
        default=None, max_length=1000, description="omit to replay every open one"
    )


@router.post("/channels/dead-letters/replay", summary="Process dead letters again")
def replay_dead_letters(
    ordo: OrdoDep, principal: Writer, _json: JsonBody, payload: Annotated[ReplayIn, Body()]
) -> dict[str, Any]:
    ids = payload.ids
    if principal.scope.channels:
        found = dead_letter_channels(ordo, ids)
        if ids is None:  # "every open one" means every open one of this key's channels
            found = {i: c for i, c in found.items() if c in principal.scope.channels}
            ids = list(found)
        principal.require_channels(found.values(), "replay dead letters")
    receipts = svc.replay(ordo, ids)
    return {"results": [r.as_dict() for r in receipts]}
