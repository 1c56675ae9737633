"""The human queue and the read side: list, get, assign, acknowledge, resolve, dismiss, metrics.

People act on what automation could not close. Each action checks the incident
lifecycle (a dismissed alert is not resolved later) and writes its event with the
change. Dismissing says "false alarm", which is what alert precision counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ordo.domain.errors import NotFound, OrdoError, ValidationError
from ordo.domain.incidents.incident import Closed, IncidentState, closure_metrics
from ordo.domain.incidents.wording import step_text
from ordo.service.incidents import ledger
from ordo.service.runtime.app import Ordo


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    state: str | None = None
    detector: str | None = None
    order_id: str | None = None
    assignee: str | None = None
    queued: bool | None = None
    priority: int | None = None
    channel: str | None = None


def list_incidents(
    app: Ordo, f: IncidentFilter, *, after_id: int | None = None, limit: int = 50
) -> tuple[list[dict[str, Any]], int | None]:
    """Newest first, and the cursor of the next page (None: no more)."""
    with app.store.uow(read_only=True) as uow:
        rows = uow.incidents.search(vars_of(f), after_id=after_id, limit=limit + 1)
        more = len(rows) > limit
        rows = _named(uow, rows[:limit])
    now = app.clock.now_ns()
    return [present(r, now) for r in rows], (int(rows[-1]["id"]) if more and rows else None)


def _named(uow: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with ``assignee_name``: the display name of the user it is assigned to."""
    names = uow.people.names({r["assignee"] for r in rows if r.get("assignee")})
    for r in rows:
        r["assignee_name"] = names.get(r.get("assignee") or "", r.get("assignee"))
    return rows


def present(row: dict[str, Any], now: int) -> dict[str, Any]:
    """The row as people read it: each step's result in words, the breach, the SLA left.

    ``steps[i].text`` is ``{"en", "zh"}`` ("已催仓 / reminded the warehouse"); ``breach``
    (an SLA incident) names the awaited step, the step it counts from, the deadline and
    how long it is over (until closing, or now); ``sla_left_s`` is what the person still
    has on a queued incident (negative: overdue).
    """
    row["steps"] = [{**s, "text": step_text(str(s.get("step")), str(s.get("outcome")))} for s in row["steps"]]
    details = row.get("details") or {}
    deadline = details.get("deadline_ns")
    if isinstance(deadline, int) and details.get("expect"):
        until = row.get("closed_at_ns") or now
        row["breach"] = {
            "expect": details["expect"],
            "after": details.get("after"),
            "deadline_ns": deadline,
            "over_s": max(0, (until - deadline) // 1_000_000_000),
        }
    else:
        row["breach"] = None
    due = row.get("due_ns")
    open_ = row["state"] in (IncidentState.OPEN.value, IncidentState.ACKNOWLEDGED.value)
    row["sla_left_s"] = (due - now) // 1_000_000_000 if isinstance(due, int) and open_ else None
    return row


def vars_of(f: IncidentFilter) -> dict[str, Any]:
    return {name: getattr(f, name) for name in IncidentFilter.__slots__}


def get_incident(app: Ordo, incident_id: int) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        row = uow.incidents.get(incident_id)
        if row is None:
            raise _missing(incident_id)
        row["coupons"] = [c for c in uow.incidents.coupons(row["order_id"]) if c["exception_id"] == row["id"]]
        _named(uow, [row])
    return present(row, app.clock.now_ns())


def assign(app: Ordo, incident_id: int, assignee: str, *, by: str) -> dict[str, Any]:
    return _act(app, incident_id, lambda uow, row, now: ledger.assign(uow, row, assignee, now, by=by))


def acknowledge(app: Ordo, incident_id: int, *, by: str, note: str = "") -> dict[str, Any]:
    def work(uow: Any, row: dict[str, Any], now: int) -> None:
        if row["assignee"] is None:
            ledger.assign(uow, row, by, now, by=by)
        ledger.move(uow, row, IncidentState.ACKNOWLEDGED, now, by=by, note=note)

    return _act(app, incident_id, work)


def resolve(app: Ordo, incident_id: int, *, by: str, note: str = "") -> dict[str, Any]:
    """Close as fixed: the note (what was done) is required, so the next person knows."""
    if not note.strip():
        raise ValidationError(
            "note",
            "say what was done to resolve the incident / 解决异常须填写处理说明",
            details={"exception_id": incident_id},
        )
    return _act(
        app,
        incident_id,
        lambda uow, row, now: ledger.move(uow, row, IncidentState.RESOLVED, now, by=by, note=note),
    )


def dismiss(app: Ordo, incident_id: int, *, by: str, note: str = "") -> dict[str, Any]:
    """A false alarm: closes the incident and counts against alert precision."""
    return _act(
        app,
        incident_id,
        lambda uow, row, now: ledger.move(uow, row, IncidentState.DISMISSED, now, by=by, note=note),
    )


BULK_ACTIONS = ("acknowledge", "assign", "resolve", "dismiss")


def bulk(
    app: Ordo, ids: list[int], action: str, *, by: str, note: str = "", assignee: str | None = None
) -> list[dict[str, Any]]:
    """One action over many incidents, each in its own transaction: a result per incident.

    A refused one (closed already, missing, no note) is reported with its error code and
    message and does not stop the others.
    """
    if action not in BULK_ACTIONS:
        raise ValidationError(
            "action", f"unknown action {action!r} / 未知操作", details={"allowed": list(BULK_ACTIONS)}
        )
    if action == "assign" and not assignee:
        raise ValidationError("assignee", "name the person to assign to / 须指定处理人")
    if action == "resolve" and not note.strip():
        raise ValidationError("note", "say what was done to resolve the incidents / 解决异常须填写处理说明")
    results: list[dict[str, Any]] = []
    for incident_id in dict.fromkeys(ids):
        try:
            if action == "assign":
                row = assign(app, incident_id, str(assignee), by=by)
            elif action == "acknowledge":
                row = acknowledge(app, incident_id, by=by, note=note)
            elif action == "resolve":
                row = resolve(app, incident_id, by=by, note=note)
            else:
                row = dismiss(app, incident_id, by=by, note=note)
            results.append(
                {"id": incident_id, "ok": True, "state": row["state"], "assignee": row["assignee"]}
            )
        except OrdoError as e:
            results.append({"id": incident_id, "ok": False, "error": e.code, "message": str(e)})
    return results


def metrics(app: Ordo, *, since_ns: int = 0) -> dict[str, Any]:
    """Auto-closure rate, alert precision and time to close (incidents closed since ``since_ns``)."""
    with app.store.uow(read_only=True) as uow:
        closed = [Closed(d, IncidentState(s), o, c) for d, s, o, c in uow.incidents.closed_since(since_ns)]
        still_open = uow.incidents.open_counts()
    return closure_metrics(closed, still_open)


def _act(app: Ordo, incident_id: int, work: Any) -> dict[str, Any]:
    def transaction() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = uow.incidents.get(incident_id, lock=True)
            if row is None:
                raise _missing(incident_id)
            work(uow, row, now)
            uow.commit()
        return row

    row = app.retrying(transaction)
    app.notifier.notify()
    with app.store.uow(read_only=True) as uow:
        _named(uow, [row])
    return present(row, app.clock.now_ns())


def _missing(incident_id: int) -> NotFound:
    return NotFound(f"no exception {incident_id} / 异常不存在", details={"exception_id": incident_id})
