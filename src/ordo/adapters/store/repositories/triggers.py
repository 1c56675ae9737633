"""Customer events and the tasks triggers raise (``ordo.service.ports.triggers``): all the SQL.

Events are inserted with ``ON CONFLICT DO NOTHING`` on (outbox event, kind) and tasks on their
``dedupe_key``, the same on SQLite and PostgreSQL, so a batch read twice keeps one of each.
It decides nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ordo.adapters.store.rows import chunks
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema.triggers import customer_events, tasks
from ordo.domain.triggers import CustomerEvent
from ordo.service.ports.customer_stats import StatsRow
from ordo.service.ports.triggers import EventRow, TaskRow

__all__ = ["TriggerRepository"]

E, T = customer_events.c, tasks.c
_TASK_COLUMNS = [c for c in tasks.c]


#: A customer's latest events of some kinds up to one event: built once, bound per call (it runs
#: once per trigger and event).
_RECENT = (
    sa.select(E.id, E.kind, E.at_ns, E.channel, E.order_id)
    .where(E.customer_ref == sa.bindparam("ref"), E.kind.in_(sa.bindparam("kinds", expanding=True)))
    .where(
        sa.or_(
            E.at_ns < sa.bindparam("at"),
            sa.and_(E.at_ns == sa.bindparam("at"), E.id <= sa.bindparam("id")),
        )
    )
    .order_by(E.at_ns.desc(), E.id.desc())
    .limit(sa.bindparam("n"))
)


def _event(r: Any) -> CustomerEvent:
    return CustomerEvent(r.kind, int(r.at_ns), r.channel, r.order_id, int(r.id))


def _task(r: Any) -> TaskRow:
    return TaskRow(**{c.name: r._mapping[c.name] for c in _TASK_COLUMNS})


class TriggerRepository:
    def __init__(self, conn: sa.Connection, *, lock_rows: bool = False) -> None:
        self._c = conn
        self._lock = lock_rows
        self._insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert

    def customers_of(self, order_ids: Iterable[str]) -> dict[str, str]:
        O = t.orders.c
        out: dict[str, str] = {}
        for part in chunks(sorted(set(order_ids))):
            for oid, ref in self._c.execute(sa.select(O.id, O.customer_ref).where(O.id.in_(part))):
                if ref:
                    out[oid] = ref
        return out

    def tiers(self, refs: Iterable[str]) -> dict[str, str]:
        C = t.customers.c
        out: dict[str, str] = {}
        for part in chunks(sorted(set(refs))):
            out.update(
                {r: tier for r, tier in self._c.execute(sa.select(C.ref, C.tier).where(C.ref.in_(part)))}
            )
        return out

    def stats_at(self, customer_ref: str, at_ns: int) -> StatsRow:
        O, M = t.orders.c, t.milestones.c
        cancelled = (
            sa.select(M.order_id)
            .where(M.order_id == O.id, M.milestone == "cancelled", M.at_ns < at_ns)
            .exists()
        )
        placed = sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(O.total_fen), 0), sa.func.min(O.placed_at_ns),
            sa.func.max(O.placed_at_ns),
        ).where(O.customer_ref == customer_ref, O.placed_at_ns < at_ns, ~cancelled)  # fmt: skip
        n, spend, first, last = self._c.execute(placed).one()
        returns = self._c.execute(
            sa.select(sa.func.count())
            .select_from(t.milestones.join(t.orders, O.id == M.order_id))
            .where(O.customer_ref == customer_ref, M.milestone == "returned", M.at_ns < at_ns)
        ).scalar_one()
        return StatsRow(customer_ref, int(n), int(spend), int(returns), first, last)

    def add_events(self, rows: Sequence[EventRow]) -> list[tuple[EventRow, CustomerEvent]]:
        if not rows:
            return []
        stmt = (
            self._insert(customer_events).on_conflict_do_nothing().returning(E.id, E.source_event_id, E.kind)
        )
        values = [
            {
                "customer_ref": r.customer_ref,
                "kind": r.kind,
                "channel": r.channel,
                "order_id": r.order_id,
                "at_ns": r.at_ns,
                "source_event_id": r.source_event_id,
            }
            for r in rows
        ]
        # One statement for the batch (RETURNING over many rows); an event already kept returns nothing.
        ids = {(src, kind): int(i) for i, src, kind in self._c.execute(stmt, values)}
        out: list[tuple[EventRow, CustomerEvent]] = []
        for row in rows:
            new_id = ids.get((row.source_event_id, row.kind))
            if new_id is not None:
                out.append((row, CustomerEvent(row.kind, row.at_ns, row.channel, row.order_id, new_id)))
        out.sort(key=lambda pair: pair[1].id)
        return out

    def recent_events(
        self, customer_ref: str, kinds: Iterable[str], upto: CustomerEvent, limit: int
    ) -> list[CustomerEvent]:
        params = {
            "ref": customer_ref,
            "kinds": sorted(set(kinds)),
            "at": upto.at_ns,
            "id": upto.id,
            "n": limit,
        }
        return [_event(r) for r in reversed(self._c.execute(_RECENT, params).all())]

    def events_between(self, since_ns: int, until_ns: int, limit: int) -> list[tuple[str, CustomerEvent]]:
        q = (
            sa.select(E.id, E.customer_ref, E.kind, E.at_ns, E.channel, E.order_id)
            .where(E.at_ns >= since_ns, E.at_ns < until_ns)
            .order_by(E.at_ns, E.id)
            .limit(limit)
        )
        return [(r.customer_ref, _event(r)) for r in self._c.execute(q)]

    def add_task(self, values: dict[str, Any]) -> int | None:
        stmt = self._insert(tasks).values(**values).on_conflict_do_nothing().returning(T.id)
        found = self._c.execute(stmt).scalar()
        return None if found is None else int(found)

    def tasks(
        self,
        *,
        status: str | None,
        role: str | None,
        assignee: str | None,
        customer_ref: str | None,
        after_id: int | None,
        limit: int,
    ) -> list[TaskRow]:
        q = sa.select(*_TASK_COLUMNS).order_by(T.id.desc()).limit(limit)
        for col, value in ((T.status, status), (T.role, role), (T.assignee, assignee)):
            if value is not None:
                q = q.where(col == value)
        if customer_ref is not None:
            q = q.where(T.customer_ref == customer_ref)
        if after_id is not None:
            q = q.where(T.id < after_id)
        return [_task(r) for r in self._c.execute(q)]

    def task(self, task_id: int, *, lock: bool = False) -> TaskRow | None:
        q = sa.select(*_TASK_COLUMNS).where(T.id == task_id)
        if lock and self._lock:
            q = q.with_for_update()
        r = self._c.execute(q).first()
        return None if r is None else _task(r)

    def update_task(self, task_id: int, values: dict[str, Any]) -> None:
        self._c.execute(sa.update(tasks).where(T.id == task_id).values(**values))
