"""Exceptions: the list (filters, cursor), one exception, the human-queue actions, metrics.

Reading needs ``read``; acting (assign, acknowledge, resolve, dismiss) needs
``exceptions_write`` (operations), so a viewer sees the queue but cannot work it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from ordo.api import render
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, FilterText, Time, length
from ordo.domain.access import Perm
from ordo.domain.incidents.incident import Detector, IncidentState
from ordo.service.incidents import queue as q

router = APIRouter(prefix=API_PREFIX, tags=["exceptions"])

Operator = Annotated[Principal, Depends(requires(Perm.INCIDENTS_WRITE))]
Note = Annotated[str, length(500), CLEAN]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoteIn(_In):
    note: Note = ""


class AssignIn(_In):
    assignee: Annotated[str, length(64, 1), CLEAN]


def _page(rows: list[dict[str, Any]], last: int | None) -> dict[str, Any]:
    return {
        "exceptions": [render.with_times(r) for r in rows],
        "next_cursor": render.encode_cursor(last) if last is not None else None,
    }


@router.get("/exceptions", summary="Exceptions, newest first, with filters")
def list_incidents(
    ordo: OrdoDep,
    _p: Reader,
    state: IncidentState | None = None,
    detector: Detector | None = None,
    order_id: Annotated[FilterText | None, Query()] = None,
    assignee: Annotated[FilterText | None, Query()] = None,
    queued: Annotated[bool | None, Query(description="true: only the human queue")] = None,
    priority: Annotated[int | None, Query(ge=1, le=5)] = None,
    channel: Annotated[FilterText | None, Query()] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    after = render.decode_cursor(cursor) if cursor else None
    if after is not None and (not isinstance(after, int) or isinstance(after, bool)):
        raise render.bad_cursor()
    f = q.IncidentFilter(
        state.value if state else None, detector.value if detector else None, order_id, assignee, queued,
        priority, channel,
    )  # fmt: skip
    rows, last = q.list_incidents(ordo, f, after_id=after, limit=limit)
    return _page(rows, last)


@router.get("/exceptions/metrics", summary="Auto-closure rate, alert precision, time to close")
def incident_metrics(
    ordo: OrdoDep,
    _p: Reader,
    since: Annotated[Time | None, Query(description="closed at or after, ISO-8601")] = None,
) -> dict[str, Any]:
    return q.metrics(ordo, since_ns=since or 0)


@router.get("/exceptions/{exception_id}", summary="One exception with its playbook steps")
def get_incident(exception_id: int, ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return render.with_times(q.get_incident(ordo, exception_id))


@router.post("/exceptions/{exception_id}/assign", summary="Give an exception to a person")
def assign(
    exception_id: int, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: AssignIn
) -> dict[str, Any]:
    return render.with_times(q.assign(ordo, exception_id, payload.assignee, by=principal.source))


@router.post("/exceptions/{exception_id}/acknowledge", summary="Take an exception on")
def acknowledge(
    exception_id: int, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: NoteIn
) -> dict[str, Any]:
    return render.with_times(q.acknowledge(ordo, exception_id, by=principal.source, note=payload.note))


@router.post("/exceptions/{exception_id}/resolve", summary="Close an exception as fixed")
def resolve(
    exception_id: int, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: NoteIn
) -> dict[str, Any]:
    return render.with_times(q.resolve(ordo, exception_id, by=principal.source, note=payload.note))


@router.post("/exceptions/{exception_id}/dismiss", summary="Close an exception as a false alarm")
def dismiss(
    exception_id: int, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: NoteIn
) -> dict[str, Any]:
    return render.with_times(q.dismiss(ordo, exception_id, by=principal.source, note=payload.note))
