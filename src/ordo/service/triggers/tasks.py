"""Tasks raised by triggers: listed, assigned to a person, closed. Each write is one unit of
work with its outbox event (``task.assigned`` / ``task.closed``); time from the injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from ordo.domain import events as ev
from ordo.domain.errors import Conflict, NotFound, ValidationError
from ordo.domain.events import Event
from ordo.service.ports import TaskRow
from ordo.service.runtime.app import Ordo

STATUSES = ("open", "closed")
_LABEL = {"open": ("待处理", "open"), "closed": ("已关闭", "closed")}
_ROLE_LABEL = {"customer_service": ("客服", "customer service"), "sales": ("销售", "sales")}


class TaskNotFound(NotFound):
    def __init__(self, task_id: int) -> None:
        super().__init__(f"no task {task_id} / 任务 {task_id} 不存在", details={"task_id": task_id})


def view(row: TaskRow, now_ns: int) -> dict[str, Any]:
    """A task as the API and the page show it (labels in both languages, overdue or not)."""
    out = asdict(row)
    zh, en = _LABEL.get(row.status, (row.status, row.status))
    out["status_label"] = {"zh": zh, "en": en}
    if row.role is not None:
        rz, re_ = _ROLE_LABEL.get(row.role, (row.role, row.role))
        out["role_label"] = {"zh": rz, "en": re_}
    else:
        out["role_label"] = None
    out["overdue"] = row.status == "open" and row.due_at_ns < now_ns
    return out


def list_tasks(
    app: Ordo,
    *,
    status: str | None = "open",
    role: str | None = None,
    assignee: str | None = None,
    customer_ref: str | None = None,
    after_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    if status is not None and status not in STATUSES:
        raise ValidationError(
            "status", f"status must be one of {', '.join(STATUSES)} / 状态只能是 open 或 closed"
        )
    now = app.clock.now_ns()
    with app.store.uow(read_only=True) as uow:
        rows = uow.triggers.tasks(
            status=status,
            role=role,
            assignee=assignee,
            customer_ref=customer_ref,
            after_id=after_id,
            limit=limit,
        )
    return [view(r, now) for r in rows]


def get_task(app: Ordo, task_id: int) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        row = uow.triggers.task(task_id)
    if row is None:
        raise TaskNotFound(task_id)
    return view(row, app.clock.now_ns())


def assign_task(app: Ordo, task_id: int, assignee: str, *, by: str) -> dict[str, Any]:
    """Give an open task to a person (by user name)."""
    assignee = assignee.strip()
    if not assignee or len(assignee) > 64:
        raise ValidationError("assignee", "assignee must be 1–64 characters / 指派人须为 1–64 个字符")
    return _change_open_task(
        app,
        task_id,
        lambda now: {"assignee": assignee},
        ev.TASK_ASSIGNED,
        {"assignee": assignee, "by": by},
        "the task is closed / 任务已关闭",
    )


def close_task(app: Ordo, task_id: int, *, by: str, note: str = "") -> dict[str, Any]:
    """Close a task (done, or nothing to do), with who closed it and why."""
    if len(note) > 1000:
        raise ValidationError("note", "note is at most 1000 characters / 备注最多 1000 个字符")
    return _change_open_task(
        app,
        task_id,
        lambda now: {"status": "closed", "closed_at_ns": now, "closed_by": by[:64], "note": note or None},
        ev.TASK_CLOSED,
        {"by": by},
        "the task is already closed / 任务已关闭",
    )


def _change_open_task(
    app: Ordo,
    task_id: int,
    changes: Callable[[int], dict[str, Any]],
    kind: str,
    payload: dict[str, Any],
    closed_message: str,
) -> dict[str, Any]:
    """One unit of work: lock the task, refuse it unless open, change it, append its event."""

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = uow.triggers.task(task_id, lock=True)
            if row is None:
                raise TaskNotFound(task_id)
            if row.status != "open":
                raise Conflict(closed_message, details={"task_id": task_id})
            uow.triggers.update_task(task_id, changes(now))
            body = {"task_id": task_id, **payload, "customer_ref": row.customer_ref}
            uow.outbox.append([Event(kind, row.order_id, now, body)])
            uow.commit()
            found = uow.triggers.task(task_id)
        assert found is not None
        return view(found, now)

    out = app.retrying(work)
    app.notifier.notify()
    return out
