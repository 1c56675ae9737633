"""Webhook subscriptions (admin only): create, list, delete, dead letters, replay a time range."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from ordo.api.deps import JsonBody, OrdoDep, Principal, requires
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, Time, length
from ordo.domain.access import Perm
from ordo.service.events import subscriptions as webhooks

router = APIRouter(prefix=API_PREFIX, tags=["webhooks"])

Admin = Annotated[Principal, Depends(requires(Perm.ADMIN))]


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: Annotated[str, length(500, 1), CLEAN]
    event_types: Annotated[list[Annotated[str, length(40, 1)]], Field(max_length=32)] = Field(
        default=[], description="event types to receive; empty means all"
    )
    secret: Annotated[str, length(200, 16), CLEAN] | None = Field(
        default=None, description="HMAC-SHA256 key; generated (and shown once) when absent"
    )


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    from_: Time = Field(alias="from")
    to: Time


@router.post("/webhooks", status_code=201, summary="Subscribe an endpoint to events")
def create(ordo: OrdoDep, _admin: Admin, _json: JsonBody, body: SubscriptionIn) -> dict[str, Any]:
    return with_times(webhooks.create_subscription(ordo, body.url, body.event_types, body.secret))


@router.get("/webhooks", summary="List webhook subscriptions (never their secrets)")
def list_all(ordo: OrdoDep, _admin: Admin) -> dict[str, Any]:
    return {"subscriptions": [with_times(s) for s in webhooks.list_subscriptions(ordo)]}


@router.delete("/webhooks/{sub_id}", status_code=204, summary="Delete a subscription")
def delete(ordo: OrdoDep, _admin: Admin, sub_id: str) -> Response:
    webhooks.delete_subscription(ordo, sub_id)
    return Response(status_code=204)


@router.get("/webhooks/{sub_id}/dead-letters", summary="Events the endpoint never took")
def dead_letters(ordo: OrdoDep, _admin: Admin, sub_id: str) -> dict[str, Any]:
    return {"dead_letters": [with_times(d) for d in webhooks.dead_letters(ordo, sub_id)]}


@router.post("/webhooks/{sub_id}/replay", status_code=202, summary="Deliver a time range again")
def replay(ordo: OrdoDep, _admin: Admin, _json: JsonBody, sub_id: str, body: ReplayIn) -> dict[str, Any]:
    return webhooks.replay(ordo, sub_id, body.from_, body.to)
