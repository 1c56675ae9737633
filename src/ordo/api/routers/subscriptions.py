"""Outbound event subscriptions (admin only): create, list, delete, dead letters, replay a time range.

The paths are ``/api/v1/subscriptions…``; the former ``/api/v1/webhooks…`` answer too
(:mod:`ordo.api.former_paths`). Inbound pushes from the platforms are channel webhooks
(``ordo.api.routers.channels``), not these.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from ordo.api.deps import JsonBody, OrdoDep, Principal, requires
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, Time, length
from ordo.domain.access import Perm
from ordo.service.events import subscriptions

router = APIRouter(prefix=API_PREFIX, tags=["subscriptions"])

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


@router.post("/subscriptions", status_code=201, summary="Subscribe an endpoint to events")
def create(ordo: OrdoDep, _admin: Admin, _json: JsonBody, body: SubscriptionIn) -> dict[str, Any]:
    return with_times(subscriptions.create_subscription(ordo, body.url, body.event_types, body.secret))


@router.get("/subscriptions", summary="List subscriptions (never their secrets)")
def list_all(ordo: OrdoDep, _admin: Admin) -> dict[str, Any]:
    return {"subscriptions": [with_times(s) for s in subscriptions.list_subscriptions(ordo)]}


@router.delete("/subscriptions/{sub_id}", status_code=204, summary="Delete a subscription")
def delete(ordo: OrdoDep, _admin: Admin, sub_id: str) -> None:
    # Returns nothing (not a Response) so headers set by dependencies reach the answer.
    subscriptions.delete_subscription(ordo, sub_id)


@router.get("/subscriptions/{sub_id}/dead-letters", summary="Events the endpoint never took")
def dead_letters(ordo: OrdoDep, _admin: Admin, sub_id: str) -> dict[str, Any]:
    return {"dead_letters": [with_times(d) for d in subscriptions.dead_letters(ordo, sub_id)]}


@router.post("/subscriptions/{sub_id}/replay", status_code=202, summary="Deliver a time range again")
def replay(ordo: OrdoDep, _admin: Admin, _json: JsonBody, sub_id: str, body: ReplayIn) -> dict[str, Any]:
    return subscriptions.replay(ordo, sub_id, body.from_, body.to)
