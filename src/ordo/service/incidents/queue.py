"""The human queue and the read side: list, get, assign, acknowledge, resolve, dismiss, metrics.

People act on what automation could not close. Each action checks the incident
lifecycle (a dismissed alert is not resolved later) and writes its event with the
change. Dismissing says "false alarm", which is what alert precision counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ordo.domain.errors import NotFound
from ordo.domain.incidents.incident import Closed, IncidentState, closure_metrics
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
    return rows, (int(rows[-1]["id"]) if more and rows else None)


def _named(uow: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with ``assignee_name``: the display name of the user it is assigned to."""
    names = uow.people.names({r["assignee"] for r in rows if r.get("assignee")})
    for r in rows:
        r["assignee_name"] = names.get(r.get("assignee") or "", r.get("assignee"))
    return rows


def vars_of(f: IncidentFilter) -> dict[str, Any]:
    return {name: getattr(f, name) for name in IncidentFilter.__slots__}


def get_incident(app: Ordo, incident_id: int) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        row = uow.incidents.get(incident_id)
        if row is None:
            raise _missing(incident_id)
        row["coupons"] = [c for c in uow.incidents.coupons(row["order_id"]) if c["exception_id"] == row["id"]]
        _named(uow, [row])
    return row


def assign(app: Ordo, incident_id: int, assignee: str, *, by: str) -> dict[str, Any]:
    return _act(app, incident_id, lambda uow, row, now: ledger.assign(uow, row, assignee, now, by=by))


def acknowledge(app: Ordo, incident_id: int, *, by: str, note: str = "") -> dict[str, Any]:
    def work(uow: Any, row: dict[str, Any], now: int) -> None:
        if row["assignee"] is None:
            ledger.assign(uow, row, by, now, by=by)
        ledger.move(uow, row, IncidentState.ACKNOWLEDGED, now, by=by, note=note)

    return _act(app, incident_id, work)


def resolve(app: Ordo, incident_id: int, *, by: str, note: str = "") -> dict[str, Any]:
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
    return row


def _missing(incident_id: int) -> NotFound:
    return NotFound(f"no exception {incident_id} / 异常不存在", details={"exception_id": incident_id})
