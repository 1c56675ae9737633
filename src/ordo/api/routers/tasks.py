"""Tasks raised by event-stream triggers (任务): the list (filters, cursor), one task, assigning
and closing; and ``POST /triggers/backtest``, which tasks a rule text's triggers would have
raised over the stored customer events of a period.

Reading needs ``read`` and a caller bound to no channel or shop (a task is about a customer,
across channels); assigning and closing need ``exceptions_write`` (the people who work the
queues); a backtest needs ``rules_edit``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ordo.api import render
from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, FilterText, PathId, Time, length
from ordo.domain.access import Perm
from ordo.domain.errors import ValidationError
from ordo.service.people.users import assignable
from ordo.service.rules.text import MAX_TEXT_CHARS
from ordo.service.triggers import assign_task, backtest_triggers, close_task, get_task, list_tasks

router = APIRouter(prefix=API_PREFIX, tags=["tasks"])

Operator = Annotated[Principal, Depends(requires(Perm.INCIDENTS_WRITE))]
Editor = Annotated[Principal, Depends(requires(Perm.RULES_EDIT))]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssignIn(_In):
    assignee: Annotated[str, length(64, 1), CLEAN]


class CloseIn(_In):
    note: Annotated[str, length(1000), CLEAN] = ""


class BacktestIn(_In):
    #: Rule text; its trigger lines are replayed (other lines are read and left aside).
    text: Annotated[str, length(MAX_TEXT_CHARS, 1), CLEAN]
    since: Time
    until: Time
    limit: Annotated[int, Field(ge=1, le=10_000, strict=True)] = 1000


@router.get("/tasks", summary="Tasks raised by event-stream triggers, newest first, with filters")
def tasks(
    ordo: OrdoDep,
    principal: Reader,
    status: Literal["open", "closed"] | None = "open",
    role: Annotated[FilterText | None, Query(description="customer_service, sales …")] = None,
    assignee: Annotated[FilterText | None, Query()] = None,
    customer: Annotated[FilterText | None, Query(description="the customer's ref")] = None,
    cursor: render.IdCursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """200 with ``items`` (each with its owner, due time, ``overdue`` and bilingual labels) and
    ``next_cursor`` for the next page."""
    principal.unbound_only("tasks / 任务")
    rows = list_tasks(
        ordo,
        status=status,
        role=role,
        assignee=assignee,
        customer_ref=customer,
        after_id=int(cursor) if cursor else None,
        limit=limit,
    )
    last = rows[-1]["id"] if len(rows) == limit else None
    return {"items": [render.with_times(r) for r in rows], "next_cursor": str(last) if last else None}


@router.get("/tasks/{task_id}", summary="One task")
def task(task_id: PathId, ordo: OrdoDep, principal: Reader) -> dict[str, Any]:
    principal.unbound_only("tasks / 任务")
    return render.with_times(get_task(ordo, task_id))


@router.post("/tasks/{task_id}/assign", summary="Give an open task to a person (a user's login, or oneself)")
def assign(
    task_id: PathId, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: AssignIn
) -> dict[str, Any]:
    """200 with the task; 404 if there is none; 409 if it is closed; 422 for no such user."""
    if payload.assignee != principal.label and not assignable(ordo, payload.assignee):
        raise ValidationError(
            "assignee",
            f"no active user {payload.assignee!r} / 没有该有效用户",
            details={"assignee": payload.assignee},
        )
    return render.with_times(assign_task(ordo, task_id, payload.assignee, by=principal.source))


@router.post("/tasks/{task_id}/close", summary="Close a task (done, or nothing to do), with a note")
def close(
    task_id: PathId, ordo: OrdoDep, principal: Operator, _json: JsonBody, payload: CloseIn
) -> dict[str, Any]:
    """200 with the task; 404 if there is none; 409 if it is already closed."""
    return render.with_times(close_task(ordo, task_id, by=principal.source, note=payload.note))


@router.post("/triggers/backtest", summary="Which tasks a rule text's triggers would have raised in a period")
def backtest(ordo: OrdoDep, principal: Editor, _json: JsonBody, payload: BacktestIn) -> dict[str, Any]:
    """200 with ``count``, ``by_rule`` and the first ``limit`` tasks (each with the event that
    completed its sequence); 422 ``rule_syntax`` for a line that cannot be read, 422 when the
    text has no trigger or ``until`` is not after ``since``."""
    principal.unbound_only("trigger backtests / 触发器回测")
    out = backtest_triggers(
        ordo, payload.text, since_ns=payload.since, until_ns=payload.until, limit=payload.limit
    )
    return render.with_times(out)
