"""Service intents of customers' messages: ``POST /service/messages`` tags one (催单 / 改地址 /
换货 / 退货退款 / 投诉 / 咨询, with a confidence), links it to its order and customer, and opens an
incident for a person when it is a complaint or an address change on a known order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from ordo.api.deps import JsonBody, OrdoDep, Principal, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, length
from ordo.domain.access import Perm
from ordo.service.insight.intents import MAX_TEXT, tag_message

router = APIRouter(prefix=API_PREFIX, tags=["insight"])
IncidentWriter = Annotated[Principal, Depends(requires(Perm.INCIDENTS_WRITE))]


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Annotated[str, length(MAX_TEXT, 1), CLEAN]
    #: The order it is about (platform order number or Ordo id), when the ticket says so.
    order: Annotated[str, length(64, 1), CLEAN] | None = None
    #: The customer (their ref), when the message is not about an order (a question before buying).
    customer: Annotated[str, length(64, 1), CLEAN] | None = None
    #: Where the message came in (douyin, tmall …), when no order says so.
    channel: Annotated[str, length(32, 1), CLEAN] | None = None


@router.post(
    "/service/messages",
    summary="Tag a customer's message with its intent; open an incident if a person must act",
)
async def tag(
    ordo: OrdoDep, principal: IncidentWriter, _json: JsonBody, payload: MessageIn
) -> dict[str, Any]:
    """200 with the intent, its confidence, every intent's probability, the linked order and
    customer (an order outside the caller's scope is not linked; ``customer`` names one when no
    order does), and the incident opened (or ``already_open``) for a complaint or an address
    change. A message with a customer is a customer event that event-stream triggers count
    (连续3次 在抖音 咨询 未下单); 422 naming ``channel`` for an unknown channel."""
    return await run_in_threadpool(
        lambda: tag_message(
            ordo,
            payload.text,
            order_ref=payload.order,
            source=principal.source,
            scope=principal.scope,
            customer_ref=payload.customer,
            channel=payload.channel,
        )
    )
