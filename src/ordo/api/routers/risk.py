"""The risk radar: outside events (typhoons, warnings, closures, strikes …), feeds in
standard formats, the impact scan, and disposal plans (propose → approve → execute → revert)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ordo.api import render
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, authenticated
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, JsonInt, Time, length
from ordo.domain.access import Role
from ordo.domain.errors import NotFound, PermissionDenied
from ordo.domain.risk import Assets, EventDraft, RiskKind, Severity, area_from_json
from ordo.service.risk import events, impact, plans
from ordo.service.rules.records import Actor

router = APIRouter(prefix=API_PREFIX + "/risk", tags=["risk"])

_WRITERS = frozenset({Role.OPS, Role.ADMIN, Role.RISK})
_OPERATORS = frozenset({Role.OPS, Role.ADMIN})
MAX_FEED = 1_000_000


def _allowed(roles: frozenset[Role], what: str, zh: str) -> Any:
    async def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if principal.role not in roles:
            raise PermissionDenied(
                f"role {principal.role} may not {what} / 角色「{principal.role}」无权{zh}",
                details={"role": principal.role.value, "allowed": sorted(r.value for r in roles)},
            )
        return principal

    return check


Writer = Annotated[Principal, Depends(_allowed(_WRITERS, "record risk events", "登记风险事件"))]
Operator = Annotated[Principal, Depends(_allowed(_OPERATORS, "carry out risk plans", "执行处置预案"))]
Id = Annotated[str, length(32, 1), CLEAN]
Text = Annotated[str, length(200), CLEAN]


def _actor(p: Principal) -> Actor:
    return Actor(p.login or p.key_id or p.person, p.role, person=p.person or None, display=p.name or None)


def _id(value: str, what: str = "event") -> str:
    if len(value) > 32 or not value.isprintable():
        raise NotFound(f"no {what} {value[:32]!r} / 不存在", details={f"{what}_id": value[:32]})
    return value


class AssetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    warehouses: list[Annotated[str, length(32, 1), CLEAN]] = Field(default_factory=list, max_length=200)
    carriers: list[Annotated[str, length(32, 1), CLEAN]] = Field(default_factory=list, max_length=50)
    lanes: list[Annotated[str, length(48, 3), CLEAN]] = Field(default_factory=list, max_length=500)


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: RiskKind
    title: Annotated[str, length(200, 1), CLEAN]
    severity: Severity = Severity.MODERATE
    confidence: float = Field(0.8, ge=0.0, le=1.0, strict=True)
    source: Annotated[str, length(64, 1), CLEAN] = "manual"
    source_ref: Annotated[str, length(200), CLEAN] = ""
    #: ``{"type": "polygon", "coordinates": [[[lng, lat], …]]}``, ``{"type": "track",
    #: "points": [[lng, lat], …], "radius_km": 150}`` or ``{"type": "regions", "adcodes": […]}``.
    area: dict[str, Any] | None = None
    assets: AssetsIn = AssetsIn()
    starts_at: Time | None = None
    ends_at: Time | None = None
    owners: list[Annotated[str, length(64, 1), CLEAN]] = Field(default_factory=list, max_length=10)


class FeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The document as sent by the agency: CAP 1.2 XML, GeoJSON, or RSS with GeoRSS / GDACS.
    document: Annotated[str, Field(min_length=1, max_length=MAX_FEED)]
    format: Literal["cap", "geojson", "georss"] | None = None
    source: Annotated[str, length(64), CLEAN] = ""


class ReviseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity | None = None
    area: dict[str, Any] | None = None
    ends_at: Time | None = None
    owners: list[Annotated[str, length(64, 1), CLEAN]] | None = Field(None, max_length=10)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal["potential", "confirmed", "no_impact", "restored"]
    #: How long the confirmed impact lasts.
    hours: JsonInt | None = Field(None, ge=1, le=2160)
    note: Annotated[str, length(500), CLEAN] = ""


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    note: Annotated[str, length(500), CLEAN] = ""


@router.get("/radar", summary="Live events with their exposure totals and outlines, and every warehouse")
def radar(ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return render.with_times(impact.radar(ordo))


@router.get("/events", summary="Risk events, newest first")
def list_events(
    ordo: OrdoDep,
    _p: Reader,
    live: Annotated[bool, Query(description="potential or confirmed only / 仅进行中")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict[str, Any]:
    return {"events": [render.with_times(e) for e in events.listing(ordo, live_only=live, limit=limit)]}


@router.post("/events", status_code=201, summary="Record an outside event (or update a feed's known one)")
def create_event(ordo: OrdoDep, principal: Writer, _json: JsonBody, body: EventIn) -> dict[str, Any]:
    draft = EventDraft(
        kind=body.kind,
        title=body.title,
        severity=body.severity,
        confidence=body.confidence,
        source=body.source,
        area=area_from_json(body.area),
        assets=Assets(
            frozenset(body.assets.warehouses), frozenset(body.assets.carriers), frozenset(body.assets.lanes)
        ),
        starts_at_ns=body.starts_at,
        ends_at_ns=body.ends_at,
        source_ref=body.source_ref,
        owners=tuple(body.owners),
    )
    return render.with_times(events.record(ordo, draft, actor=principal.label))


@router.post("/feeds", status_code=201, summary="Read a feed document (CAP 1.2, GeoJSON, GDACS/GeoRSS)")
def import_feed(ordo: OrdoDep, principal: Writer, _json: JsonBody, body: FeedIn) -> dict[str, Any]:
    got = events.import_feed(
        ordo, body.document.encode(), fmt=body.format, actor=principal.label, source=body.source
    )
    return {"events": [render.with_times(e) for e in got]}


@router.get("/events/{event_id}", summary="One event with its history and plans")
def get_event(event_id: str, ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return render.with_times(events.get(ordo, _id(event_id)))


@router.patch("/events/{event_id}", summary="The event moved or changed: severity, area, end, owners")
def revise_event(
    event_id: str, ordo: OrdoDep, principal: Writer, _json: JsonBody, body: ReviseIn
) -> dict[str, Any]:
    got = events.revise(
        ordo,
        _id(event_id),
        actor=principal.label,
        severity=body.severity.value if body.severity else None,
        area=area_from_json(body.area) if body.area is not None else None,
        ends_at_ns=body.ends_at,
        owners=body.owners,
    )
    return render.with_times(got)


@router.post("/events/{event_id}/status", summary="Judge the impact: confirmed (hours), no impact, restored")
def set_status(
    event_id: str, ordo: OrdoDep, principal: Writer, _json: JsonBody, body: StatusIn
) -> dict[str, Any]:
    got = events.set_status(
        ordo, _id(event_id), body.status, actor=principal.label, hours=body.hours, note=body.note
    )
    return render.with_times(got)


@router.post("/events/{event_id}/end", summary="The event is over: restored, the router forgets it")
def end_event(
    event_id: str, ordo: OrdoDep, principal: Writer, _json: JsonBody, body: NoteIn
) -> dict[str, Any]:
    return render.with_times(events.end(ordo, _id(event_id), actor=principal.label, note=body.note))


@router.get(
    "/events/{event_id}/impact", summary="Exposed orders, parcels, warehouses and lanes; money at stake"
)
def event_impact(
    event_id: str, ordo: OrdoDep, _p: Reader, limit: Annotated[int, Query(ge=0, le=1000)] = 200
) -> dict[str, Any]:
    return render.with_times(impact.scan(ordo, _id(event_id), limit=limit))


@router.post("/events/{event_id}/plans", status_code=201, summary="Propose a disposal plan (处置预案)")
def propose_plan(
    event_id: str, ordo: OrdoDep, principal: Operator, _json: JsonBody, _body: NoteIn
) -> dict[str, Any]:
    return render.with_times(plans.propose(ordo, _id(event_id), actor=_actor(principal)))


@router.get("/plans/{plan_id}", summary="A plan with its actions, result and audit")
def get_plan(plan_id: str, ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return render.with_times(plans.get(ordo, _id(plan_id, "plan")))


@router.post("/plans/{plan_id}/approve", summary="Approve a plan with its tier's right (never one's own)")
def approve_plan(
    plan_id: str,
    ordo: OrdoDep,
    principal: Annotated[Principal, Depends(authenticated)],
    _json: JsonBody,
    body: NoteIn,
) -> dict[str, Any]:
    return render.with_times(
        plans.approve(ordo, _id(plan_id, "plan"), actor=_actor(principal), note=body.note)
    )


@router.post("/plans/{plan_id}/reject", summary="Reject a proposed or approved plan")
def reject_plan(
    plan_id: str,
    ordo: OrdoDep,
    principal: Annotated[Principal, Depends(authenticated)],
    _json: JsonBody,
    body: NoteIn,
) -> dict[str, Any]:
    if principal.role not in _WRITERS:
        raise PermissionDenied(
            f"role {principal.role} may not reject plans / 角色「{principal.role}」无权驳回处置预案",
            details={"role": principal.role.value},
        )
    return render.with_times(
        plans.reject(ordo, _id(plan_id, "plan"), actor=_actor(principal), note=body.note)
    )


@router.post("/plans/{plan_id}/execute", summary="Carry out an approved plan as a batch")
def execute_plan(
    plan_id: str, ordo: OrdoDep, principal: Operator, _json: JsonBody, _body: NoteIn
) -> dict[str, Any]:
    return render.with_times(plans.execute(ordo, _id(plan_id, "plan"), actor=_actor(principal)))


@router.post("/plans/{plan_id}/revert", summary="Undo an executed plan")
def revert_plan(
    plan_id: str, ordo: OrdoDep, principal: Operator, _json: JsonBody, _body: NoteIn
) -> dict[str, Any]:
    return render.with_times(plans.revert(ordo, _id(plan_id, "plan"), actor=_actor(principal)))
