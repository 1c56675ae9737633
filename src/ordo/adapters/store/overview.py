"""Read-side queries behind the dashboard's overview: the one-off totals a projection
starts from, and the few per-order facts it needs while it follows the outbox.

Each query reads its table once (a start-up cost); afterwards the projection reads
only new events and primary-key lookups. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store import tables as t
from ordo.adapters.store.rows import chunks

O, M, A = t.orders.c, t.milestones.c, t.anomalies.c


def status_channel_place_counts(conn: sa.Connection) -> list[tuple[str, str, str, str | None, int]]:
    """(status, channel, province, warehouse, orders) for every combination present."""
    q = sa.select(O.status, O.channel, O.province, O.warehouse_id, sa.func.count()).group_by(
        O.status, O.channel, O.province, O.warehouse_id
    )
    return [(r[0], r[1], r[2], r[3], int(r[4])) for r in conn.execute(q)]


def created_since(conn: sa.Connection, first_id: str) -> list[tuple[int, str]]:
    """(created_at_ns, channel) of orders whose id sorts at or after ``first_id``.

    Order ids begin with their creation time, so this is a primary-key range scan.
    """
    q = sa.select(O.created_at_ns, O.channel).where(O.id >= first_id)
    return [(int(r[0]), str(r[1])) for r in conn.execute(q)]


def deliveries(conn: sa.Connection) -> tuple[int, int]:
    """(delivered orders with a promise, of which on time)."""
    on_time = sa.case((M.at_ns <= O.promised_at_ns, 1), else_=0)
    q = (
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(on_time), 0))
        .select_from(t.milestones.join(t.orders, O.id == M.order_id))
        .where(M.milestone == "delivered", O.promised_at_ns.is_not(None))
    )
    row = conn.execute(q).one()
    return int(row[0]), int(row[1])


def anomaly_places(conn: sa.Connection) -> list[tuple[str | None, str | None, str, int]]:
    """(warehouse, province, reporting source, anomalies) over every refused update."""
    q = (
        sa.select(O.warehouse_id, O.province, A.source, sa.func.count())
        .select_from(t.anomalies.outerjoin(t.orders, O.id == A.order_id))
        .group_by(O.warehouse_id, O.province, A.source)
    )
    return [(r[0], r[1], str(r[2]), int(r[3])) for r in conn.execute(q)]


def order_facts(conn: sa.Connection, order_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Promise, warehouse and province of these orders, by primary key."""
    out: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(set(order_ids)), 400):
        q = sa.select(O.id, O.promised_at_ns, O.warehouse_id, O.province).where(O.id.in_(list(part)))
        out.update({r.id: dict(r._mapping) for r in conn.execute(q)})
    return out
