"""The trigger runner: follows the outbox from its cursor, keeps each customer's events and
raises the tasks the live triggers fire, one batch and its cursor in one transaction.

Per event, each live trigger reading its kind does one indexed read of at most
:func:`~ordo.domain.triggers.lookback` of the customer's latest events (3 consecutive 咨询:
4 rows), so the work per event is bounded by the rules, not by the customer's history; no
state lives in memory between rounds. A task's key is (trigger, customer, completing event):
a batch read twice, or the same trigger republished in a later version, raises nothing new.

Which triggers are live: those of the active rule version (a canary's scope is by order, so
triggers follow the active version only). A trigger raises tasks for events at or after the
time its version was published; older events are history, which the backtest reads.
The background ``projector`` duty calls :func:`catch_up` after the overview's.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ordo.domain import events as ev
from ordo.domain.events import Event
from ordo.service.ports import UnitOfWork
from ordo.service.rules.text import triggers_of
from ordo.service.runtime.app import Ordo
from ordo.service.triggers.events import WATCHED, customer_events, order_ids
from ordo.service.triggers.judge import Trigger, customer_facts, judge

NAME = "triggers"
BATCH = 2_000


def live_triggers(uow: UnitOfWork) -> tuple[list[Trigger], int]:
    """The active version's triggers, and when that version was published (0: none)."""
    state = uow.rules.state()
    version = state["active_version"]
    if version is None:
        return [], 0
    row = uow.rules.version(int(version))
    if row is None:
        return [], 0
    found = [Trigger.of(r, int(version)) for r in triggers_of(row["text"])]
    return found, int(row["published_at_ns"])


def catch_up(app: Ordo, *, max_events: int = 200_000) -> int:
    """Read the outbox since the cursor, keep the customer events, raise the tasks; returns how
    many outbox rows were read. Cheap when nothing is new (one read)."""
    with app.store.uow(read_only=True) as uow:
        cursor = uow.overview.read_cursor(NAME)
        newest = uow.overview.last_event_id()
    if cursor is not None and cursor >= newest:
        return 0
    done = 0
    while done < max_events:
        step = app.retrying(lambda: _step(app))
        if step is None:
            break
        n, upto, last = step
        done += n
        if upto >= last:
            break
    return done


def _step(app: Ordo) -> tuple[int, int, int] | None:
    now = app.clock.now_ns()
    with app.store.uow() as uow:
        q = uow.overview
        cursor = q.lock_cursor(NAME, now)
        if cursor is None:
            q.set_cursor(NAME, 0, now)
            cursor = q.lock_cursor(NAME, now) or 0
        newest = q.last_event_id()
        if cursor >= newest:
            return None
        rows = q.events_between(cursor, newest, WATCHED, BATCH)
        upto = rows[-1]["id"] if len(rows) == BATCH else newest
        raise_tasks(uow, rows, now)
        q.set_cursor(NAME, upto, now)
        uow.commit()
    app.notifier.notify()
    return len(rows), upto, newest


def raise_tasks(uow: UnitOfWork, rows: Any, now: int) -> list[int]:
    """Keep a batch's customer events and raise the tasks they complete; the new tasks' ids."""
    customers = uow.triggers.customers_of(order_ids(rows))
    added = uow.triggers.add_events(customer_events(rows, customers))
    if not added:
        return []
    triggers, since = live_triggers(uow)
    if not triggers:
        return []
    facts: dict[tuple[str, int], Mapping[str, Any]] = {}

    def facts_of(ref: str, at_ns: int) -> Mapping[str, Any]:
        # The customer as they stood just before the event, as the backtest reads them: the
        # same answer however late the runner reads the event.
        if (ref, at_ns) not in facts:
            stats = uow.triggers.stats_at(ref, at_ns)
            facts[ref, at_ns] = customer_facts(stats, uow.triggers.tiers([ref]).get(ref), at_ns)
        return facts[ref, at_ns]

    raised: list[int] = []
    for row, event in added:
        if event.at_ns < since:
            continue
        for t in triggers:
            if not t.reads(event):
                continue
            history = uow.triggers.recent_events(row.customer_ref, t.kinds(), event, t.lookback())
            values = judge(
                t,
                row.customer_ref,
                event,
                history,
                functools.partial(facts_of, row.customer_ref, event.at_ns),
                now,
            )
            if values is not None:
                task_id = uow.triggers.add_task(values)
                if task_id is not None:
                    raised.append(task_id)
                    payload = {
                        "task_id": task_id,
                        "customer_ref": row.customer_ref,
                        "rule_id": t.rule.id,
                        "role": values["role"],
                        "assignee": values["assignee"],
                        "due_at_ns": values["due_at_ns"],
                    }
                    uow.outbox.append([Event(ev.TASK_RAISED, event.order_id, now, payload, event.channel)])
    return raised
