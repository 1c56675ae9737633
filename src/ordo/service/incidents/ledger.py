"""Writing incidents: open, escalate to the human queue, move through the lifecycle.

Every change writes its event to the outbox in the caller's unit of work, so the
state and its event commit together. Callers: the scan, telemetry, the human queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ordo.domain import events as ev
from ordo.domain.events import Event
from ordo.domain.incidents import incident as x
from ordo.domain.incidents.incident import IncidentState, Raised
from ordo.domain.incidents.playbooks import human_priority, playbook
from ordo.service.ports import UnitOfWork

NS = 1_000_000_000


def open_many(
    uow: UnitOfWork, raised: Sequence[Raised], tiers: Mapping[str, str], now: int
) -> list[dict[str, Any]]:
    """Open what is not open already (one per order, detector and key); the new rows."""
    if not raised:
        return []
    taken = uow.incidents.open_keys([r.open_key for r in raised])
    rows: list[dict[str, Any]] = []
    events: list[Event] = []
    for r in raised:
        if r.open_key in taken:
            continue
        taken.add(r.open_key)
        tier = tiers.get(r.order_id, "regular")
        book = playbook(r.playbook)
        en, zh = x.DETECTOR_LABELS[r.detector]
        row: dict[str, Any] = {
            "order_id": r.order_id,
            "detector": r.detector.value,
            "key": r.key[:64],
            "open_key": r.open_key,
            "state": IncidentState.OPEN.value,
            "playbook": book.name,
            "channel": r.channel,
            "tier": tier,
            "queued": False,
            "priority": human_priority(book, tier),
            "assignee": None,
            "due_ns": None,
            "attempts": 0,
            "next_attempt_ns": now,  # the first attempt runs in this scan
            "opened_at_ns": now,
            "updated_at_ns": now,
            "closed_at_ns": None,
            "closed_by": None,
            "resolution": "",
            "steps": [],
            "details": {**r.details, "title": f"{en} / {zh}"},
        }
        row["id"] = uow.incidents.add(row)
        rows.append(row)
        events.append(
            _event(ev.INCIDENT_OPENED, row, now, {"playbook": book.name, "details": row["details"]})
        )
    uow.outbox.append(events)
    return rows


def escalate(uow: UnitOfWork, row: dict[str, Any], now: int, why: str) -> None:
    """Hand the incident to the human queue, with its priority and the person's SLA."""
    book = playbook(row["playbook"])
    row.update(queued=True, due_ns=now + book.human_sla_s * NS, updated_at_ns=now)
    uow.incidents.update(row["id"], {"queued": True, "due_ns": row["due_ns"], "updated_at_ns": now})
    uow.outbox.append(
        [
            _event(
                ev.INCIDENT_ESCALATED,
                row,
                now,
                {"priority": row["priority"], "due_ns": row["due_ns"], "why": why},
            )
        ]
    )


def move(
    uow: UnitOfWork,
    row: dict[str, Any],
    target: IncidentState,
    now: int,
    *,
    by: str,
    note: str = "",
) -> None:
    """Move to ``target`` (checked against the lifecycle); closing frees the open key."""
    x.check_transition(IncidentState(row["state"]), target)
    values: dict[str, Any] = {"state": target.value, "updated_at_ns": now}
    if target.closed:
        values.update(
            open_key=None, closed_at_ns=now, closed_by=by[:64], resolution=note[:500], next_attempt_ns=None
        )
    row.update(values)
    uow.incidents.update(row["id"], values)
    kind = x.CLOSING_EVENT.get(target, ev.INCIDENT_ACKNOWLEDGED)
    uow.outbox.append([_event(kind, row, now, {"by": by, "note": note, "state": target.value})])


def assign(uow: UnitOfWork, row: dict[str, Any], assignee: str, now: int, *, by: str) -> None:
    if IncidentState(row["state"]).closed:
        x.check_transition(IncidentState(row["state"]), IncidentState.ACKNOWLEDGED)
    values = {"assignee": assignee[:64], "queued": True, "updated_at_ns": now}
    row.update(values)
    uow.incidents.update(row["id"], values)
    uow.outbox.append([_event(ev.INCIDENT_ASSIGNED, row, now, {"assignee": assignee, "by": by})])


def _event(kind: str, row: Mapping[str, Any], now: int, extra: Mapping[str, Any]) -> Event:
    payload = {"exception_id": row["id"], "detector": row["detector"], "key": row["key"], **extra}
    return Event(kind, row["order_id"], now, payload, channel=row.get("channel"))
