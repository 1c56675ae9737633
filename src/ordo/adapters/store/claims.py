"""What the status-update service reads besides progress: who reported each milestone, when.

The conflict check compares a system's claim against milestones that other
systems reported earlier, so it needs each milestone's time and source.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ordo.adapters.store import tables as t
from ordo.adapters.store.rows import chunks
from ordo.domain.lifecycle import Milestone
from ordo.domain.status_graph import Known

M = t.milestones.c
_BY_VALUE = {m.value: m for m in Milestone}


def known_milestones(conn: sa.Connection, order_ids: Iterable[str]) -> dict[str, dict[Milestone, Known]]:
    out: dict[str, dict[Milestone, Known]] = {}
    for part in chunks(sorted(set(order_ids))):
        q = sa.select(M.order_id, M.milestone, M.at_ns, M.source).where(M.order_id.in_(part))
        for oid, step, at, source in conn.execute(q):
            steps = out.get(oid)
            if steps is None:
                steps = out[oid] = {}
            steps[_BY_VALUE[step]] = Known(at, source)
    return out


def order_channels(conn: sa.Connection, order_ids: Iterable[str]) -> dict[str, str]:
    """The channel of each of these orders that exists."""
    out: dict[str, str] = {}
    O = t.orders.c
    for part in chunks(sorted(set(order_ids))):
        out.update({r.id: r.channel for r in conn.execute(sa.select(O.id, O.channel).where(O.id.in_(part)))})
    return out


def add_vocabulary_anomalies(conn: sa.Connection, rows: list[dict[str, object]]) -> None:
    """Reports in words the status graph does not know, kept like any refused update."""
    if rows:
        conn.execute(sa.insert(t.anomalies), rows)
