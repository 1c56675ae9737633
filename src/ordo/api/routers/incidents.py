"""Incidents (异常): the list (filters, cursor), one incident, the human-queue actions, metrics.

Reading needs ``read``; acting (assign, acknowledge, resolve, dismiss) needs
``exceptions_write`` (operations), so a viewer sees the queue but cannot work it.
The paths are ``/api/v1/incidents…``; the former ``/api/v1/exceptions…`` answer too
(:mod:`ordo.api.former_paths`). The JSON keeps its field names (``exceptions``,
``exception_id``): clients and the web UI read them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ordo.api import render
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, BodyId, FilterText, PathId, Time, length
from ordo.domain.access import Perm
from ordo.domain.errors import ValidationError
from ordo.domain.incidents.incident import Detector, IncidentState
from ordo.service.incidents import queue as q
from ordo.service.people.users import assignable

router = APIRouter(prefix=API_PREFIX, tags=["incidents"])

Operator = Annotated[Principal, Depends(requires(Perm.INCIDENTS_WRITE))]
Note = Annotated[str, length(500), CLEAN]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoteIn(_In):
    note: Note = ""


class AssignIn(_In):
    assignee: Annotated[str, length(64, 1), CLEAN]


class BulkIn(_In):
    ids: Annotated[list[BodyId], Field(min_length=1, max_length=200)]
    action: Literal["acknowledge", "assign", "resolve", "dismiss"]
    note: Note = ""
    assignee: Annotated[str, length(64, 1), CLEAN] | None = None


def _page(rows: list[dict[str, Any]], last: int | None) -> dict[str, Any]:
    return {
        "exceptions": [render.with_times(r) for r in rows],
        "next_cursor": str(last) if last is not None else None,
    }


@router.get("/incidents", summary="Incidents, newest first, with filters")
def list_incidents(
    ordo: OrdoDep,
    principal: Reader,
    state: IncidentState | None = None,
    detector: Detector | None = None,
    order_id: Annotated[FilterText | None, Query()] = None,
    assignee: Annotated[FilterText | None, Query()] = None,
    queued: Annotated[bool | None, Query(description="true: only the human queue")] = None,
    priority: Annotated[int | None, Query(ge=1, le=5)] = None,
    channel: Annotated[FilterText | None, Query()] = None,
    cursor: render.IdCursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    after = int(cursor) if cursor else None
    f = q.IncidentFilter(
        state.value if state else None, detector.value if detector else None, order_id, assignee, queued,
        priority, principal.read_channel(channel, "read incidents"),
    )  # fmt: skip
    rows, last = q.list_incidents(ordo, f, after_id=after, limit=limit)
    return _page(principal.visible(ordo, rows, "order_id"), last)


@router.get("/incidents/metrics", summary="Auto-closure rate, alert precision, time to close")
def incident_metrics(
    ordo: OrdoDep,
    principal: Reader,
    since: Annotated[Time | None, Query(description="closed at or after, ISO-8601")] = None,
) -> dict[str, Any]:
    principal.unbound_only("incident metrics / 异常指标")
    return q.metrics(ordo, since_ns=since or 0)


@router.get("/incidents/{incident_id}", summary="One incident with its playbook steps")
def get_incident(incident_id: PathId, ordo: OrdoDep, principal: Reader) -> dict[str, Any]:
    found = q.get_incident(ordo, incident_id)
    principal.require_orders(ordo, [found["order_id"]], "read incidents")
    return render.with_times(found)


def _check_assignee(ordo: OrdoDep, principal: Principal, assignee: str) -> None:
    if assignee != principal.label and not assignable(ordo, assignee):
        raise ValidationError(
            "assignee",
            f"no active user {assignee!r}: give an incident to a person "
            "/ 没有该有效用户，异常须分派给具体的人",
            details={"assignee": assignee},
        )


@router.post(
    "/incidents/bulk", summary="Acknowledge, assign, resolve (with a note) or dismiss many: a result each"
)
def bulk(ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: BulkIn) -> dict[str, Any]:
    if payload.action == "assign" and payload.assignee:
        _check_assignee(ordo, principal, payload.assignee)
    results = q.bulk(
        ordo, payload.ids, payload.action, by=principal.source, note=payload.note, assignee=payload.assignee
    )
    return {
        "results": results,
        "ok": sum(r["ok"] for r in results),
        "failed": sum(not r["ok"] for r in results),
    }


@router.post(
    "/incidents/{incident_id}/assign", summary="Give an incident to a person (a user's login, or oneself)"
)
def assign(
    incident_id: PathId, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: AssignIn
) -> dict[str, Any]:
    _check_assignee(ordo, principal, payload.assignee)
    return render.with_times(q.assign(ordo, incident_id, payload.assignee, by=principal.source))


@router.post("/incidents/{incident_id}/acknowledge", summary="Take an incident on")
def acknowledge(
    incident_id: PathId, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: NoteIn
) -> dict[str, Any]:
    return render.with_times(q.acknowledge(ordo, incident_id, by=principal.source, note=payload.note))


@router.post(
    "/incidents/{incident_id}/resolve",
    summary="Close an incident as fixed (a note saying what was done is required)",
)
def resolve(
    incident_id: PathId, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: NoteIn
) -> dict[str, Any]:
    return render.with_times(q.resolve(ordo, incident_id, by=principal.source, note=payload.note))


@router.post("/incidents/{incident_id}/dismiss", summary="Close an incident as a false alarm")
def dismiss(
    incident_id: PathId, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: NoteIn
) -> dict[str, Any]:
    return render.with_times(q.dismiss(ordo, incident_id, by=principal.source, note=payload.note))
