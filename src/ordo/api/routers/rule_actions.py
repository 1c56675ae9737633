"""What the rules' actions left: permission freezes (list, lift) and notify channels (admin).

``/api/v1/freezes`` lists the permissions rules froze (``in_force`` says which still hold);
an admin lifts one with a note (audited). ``/api/v1/notify/channels`` keeps where 通知 goes
(WeCom / DingTalk / Feishu bots, e-mail); secrets go in and never come out.
``/api/v1/notify/deliveries`` shows each message's status (pending, sent, failed, summarised).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, length
from ordo.domain.access import Perm
from ordo.service.events import alerts
from ordo.service.rules import freezes
from ordo.service.rules.records import Actor

router = APIRouter(prefix=API_PREFIX, tags=["rule actions"])

Admin = Annotated[Principal, Depends(requires(Perm.ADMIN))]


class LiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    note: Annotated[str, length(1000, 1), CLEAN]


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["wecom", "dingtalk", "feishu", "email"]
    target: Annotated[str, length(1000, 1), CLEAN] = Field(
        description="the bot's webhook URL, or comma-separated e-mail addresses"
    )
    secret: Annotated[str, length(500, 1), CLEAN] | None = Field(
        default=None,
        description="the bot's signing secret (DingTalk 加签, Feishu 签名校验) or the SMTP password",
    )
    roles: Annotated[list[Annotated[str, length(64, 1), CLEAN]], Field(max_length=32)] = Field(
        default=[], description="rule roles served (ops, risk …); empty: every role"
    )
    options: dict[str, StrictStr | StrictInt | StrictBool] = Field(
        default={}, description="e-mail: host, port, from, user, starttls"
    )
    enabled: StrictBool = True


def _actor(p: Principal) -> Actor:
    return Actor(p.login or p.key_id or p.person, p.role, person=p.person or None, display=p.name or None)


@router.get("/freezes", summary="Permissions frozen by rules (in force or not)")
def list_freezes(ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return {"freezes": freezes.list_freezes(ordo)}


@router.post("/freezes/{freeze_id}/lift", summary="Give a frozen permission back before its signal clears")
def lift(ordo: OrdoDep, p: Admin, _json: JsonBody, freeze_id: int, body: LiftIn) -> dict[str, Any]:
    return freezes.lift(ordo, _actor(p), freeze_id, note=body.note)


@router.get("/notify/channels", summary="Where 通知 goes (never the secrets)")
def list_channels(ordo: OrdoDep, _admin: Admin) -> dict[str, Any]:
    return {"channels": alerts.channels(ordo)}


@router.put("/notify/channels/{name}", summary="Add or replace a notify channel")
def put_channel(ordo: OrdoDep, _admin: Admin, _json: JsonBody, name: str, body: ChannelIn) -> dict[str, Any]:
    return alerts.put_channel(
        ordo, name, kind=body.kind, target=body.target, secret=body.secret, roles=body.roles,
        options=body.options, enabled=body.enabled,
    )  # fmt: skip


@router.delete("/notify/channels/{name}", status_code=204, summary="Remove a notify channel")
def delete_channel(ordo: OrdoDep, _admin: Admin, name: str) -> None:
    alerts.delete_channel(ordo, name)


@router.get("/notify/deliveries", summary="Each notify message and its status")
def list_deliveries(
    ordo: OrdoDep, _admin: Admin, status: Literal["pending", "sent", "failed", "summarised"] | None = None
) -> dict[str, Any]:
    return {"deliveries": alerts.deliveries(ordo, status=status)}
