"""Storage of the dashboard's projections: the persisted overview counters, the order
flow by minute, the tag index, and each projector's outbox cursor.

Two kinds of query live here. The projector's: lock its cursor row, add deltas
(upserts), and the few primary-key lookups it needs about the orders its events
name. The rebuild's: grouped scans of the orders (the one place that reads every
order, run by ``ordo db rebuild-aggregates``, or once when no cursor exists yet).
Reads for the page touch only the small projection tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ordo.adapters.store.repositories.outbox import after_cursor
from ordo.adapters.store.rows import chunks
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import overview as ot
from ordo.service.ports.events import EventRecord, OrderFacts

O, M, A = t.orders.c, t.milestones.c, t.anomalies.c
C, F, K, G = ot.overview_counts.c, ot.overview_flow.c, ot.projector_cursors.c, ot.order_tags.c
KEY_LEN = 64


class OverviewRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn
        self._postgres = conn.dialect.name == "postgresql"

    def _insert(self, table: sa.Table) -> Any:
        return (postgresql.insert if self._postgres else sqlite.insert)(table)

    # cursor ---------------------------------------------------------------------------------
    def lock_cursor(self, name: str, now_ns: int) -> int | None:
        """Take the projector's turn (a write on its row) and return its cursor; None if none yet.

        The write comes first so SQLite takes its write lock and PostgreSQL its row lock
        before anything is read: a second process waits here instead of applying twice.
        """
        done = self._c.execute(
            sa.update(ot.projector_cursors).where(K.name == name).values(updated_at_ns=now_ns)
        )
        if done.rowcount == 0:
            return None
        return int(self._c.execute(sa.select(K.event_id).where(K.name == name)).scalar_one())

    def read_cursor(self, name: str) -> int | None:
        found = self._c.execute(sa.select(K.event_id).where(K.name == name)).scalar()
        return None if found is None else int(found)

    def set_cursor(self, name: str, event_id: int, now_ns: int) -> None:
        stmt = self._insert(ot.projector_cursors).values(name=name, event_id=event_id, updated_at_ns=now_ns)
        self._c.execute(
            stmt.on_conflict_do_update(
                index_elements=["name"], set_={"event_id": event_id, "updated_at_ns": now_ns}
            )
        )

    # deltas ---------------------------------------------------------------------------------
    def add_counts(self, deltas: Mapping[tuple[str, str], int]) -> None:
        rows = [{"dim": d, "key": k[:KEY_LEN], "n": n} for (d, k), n in sorted(deltas.items()) if n]
        if rows:
            stmt = self._insert(ot.overview_counts)
            self._c.execute(
                stmt.on_conflict_do_update(index_elements=["dim", "key"], set_={"n": C.n + stmt.excluded.n}),
                rows,
            )

    def add_flow(self, deltas: Mapping[tuple[int, str], int]) -> None:
        rows = [{"minute_ns": m, "channel": c, "n": n} for (m, c), n in sorted(deltas.items()) if n]
        if rows:
            stmt = self._insert(ot.overview_flow)
            self._c.execute(
                stmt.on_conflict_do_update(
                    index_elements=["minute_ns", "channel"], set_={"n": F.n + stmt.excluded.n}
                ),
                rows,
            )

    def prune_flow(self, before_ns: int) -> None:
        self._c.execute(sa.delete(ot.overview_flow).where(F.minute_ns < before_ns))

    def add_tags(self, rows: Iterable[tuple[str, str, str, str, int]]) -> None:
        """(tag, order_id, channel, province, created_at_ns) rows; indexed ones stay as they are."""
        names = ("tag", "order_id", "channel", "province", "created_at_ns")
        values = [dict(zip(names, (r[0][:KEY_LEN], *r[1:]), strict=True)) for r in sorted(set(rows))]
        if values:
            self._c.execute(self._insert(ot.order_tags).on_conflict_do_nothing(), values)

    def move_tags(self, provinces: Mapping[str, str]) -> None:
        """Orders whose ship-to province changed (an address correction): their tag rows follow."""
        for order_id, province in sorted(provinces.items()):
            self._c.execute(sa.update(ot.order_tags).where(G.order_id == order_id).values(province=province))

    def order_facts(self, order_ids: Iterable[str]) -> dict[str, OrderFacts]:
        """Promise, warehouse, place, channel, creation time and tags of these orders, by primary key."""
        out: dict[str, OrderFacts] = {}
        cols = (O.id, O.promised_at_ns, O.warehouse_id, O.province, O.channel, O.created_at_ns, O.tags)
        for part in chunks(sorted(set(order_ids)), 400):
            q = sa.select(*cols).where(O.id.in_(list(part)))
            out.update({r.id: cast(OrderFacts, dict(r._mapping)) for r in self._c.execute(q)})
        return out

    # reads for the page ------------------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        """dimension -> key -> n."""
        out: dict[str, dict[str, int]] = {}
        for dim, key, n in self._c.execute(sa.select(C.dim, C.key, C.n)):
            out.setdefault(dim, {})[key] = int(n)
        return out

    def flow(self, from_ns: int) -> list[tuple[int, str, int]]:
        """(minute_ns, channel, orders) from ``from_ns`` on (a primary-key range)."""
        q = sa.select(F.minute_ns, F.channel, F.n).where(F.minute_ns >= from_ns)
        return [(int(m), str(c), int(n)) for m, c, n in self._c.execute(q)]

    # rebuild: the only full scans ---------------------------------------------------------------
    def one_snapshot(self) -> None:
        """Let every read of this transaction see one snapshot, or the rebuild's scans and its
        cursor could disagree (PostgreSQL; SQLite's transaction already is one). First thing."""
        if self._postgres:
            self._c.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    def clear(self) -> None:
        for table in (ot.overview_counts, ot.overview_flow, ot.order_tags):
            self._c.execute(sa.delete(table))

    def scan_counts(self) -> dict[tuple[str, str], int]:
        """Orders by status, channel, province and warehouse: one grouped scan."""
        out: dict[tuple[str, str], int] = {}
        q = sa.select(O.status, O.channel, O.province, O.warehouse_id, sa.func.count()).group_by(
            O.status, O.channel, O.province, O.warehouse_id
        )
        for status, channel, province, warehouse, n in self._c.execute(q):
            for key in (
                ("status", status),
                ("channel", channel),
                ("province", province),
                ("warehouse", warehouse),
            ):
                if key[1]:
                    out[key] = out.get(key, 0) + int(n)
        return out

    def scan_deliveries(self) -> tuple[int, int]:
        """(delivered orders with a promise, of which on time)."""
        on_time = sa.case((M.at_ns <= O.promised_at_ns, 1), else_=0)
        q = (
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(on_time), 0))
            .select_from(t.milestones.join(t.orders, O.id == M.order_id))
            .where(M.milestone == "delivered", O.promised_at_ns.is_not(None))
        )
        row = self._c.execute(q).one()
        return int(row[0]), int(row[1])

    def scan_anomalies(self) -> list[tuple[str | None, str | None, str, int]]:
        """(warehouse, province, reporting source, anomalies) over every refused update."""
        q = (
            sa.select(O.warehouse_id, O.province, A.source, sa.func.count())
            .select_from(t.anomalies.outerjoin(t.orders, O.id == A.order_id))
            .group_by(O.warehouse_id, O.province, A.source)
        )
        return [(r[0], r[1], str(r[2]), int(r[3])) for r in self._c.execute(q)]

    def scan_flow(self, first_id: str, from_ns: int, minute_ns: int) -> dict[tuple[int, str], int]:
        """Orders per (minute, channel) created from ``from_ns`` on.

        Order ids begin with their creation time, so ``id >= first_id`` (the smallest id
        issued at ``from_ns``) makes this a primary-key range read, not a scan.
        """
        out: dict[tuple[int, str], int] = {}
        q = sa.select(O.created_at_ns, O.channel).where(O.id >= first_id, O.created_at_ns >= from_ns)
        for created, channel in self._c.execute(q):
            key = (int(created) // minute_ns * minute_ns, str(channel))
            out[key] = out.get(key, 0) + 1
        return out

    def fill_tags(self) -> None:
        """Index every stored order's tags in one statement (each backend's JSON functions)."""
        if self._postgres:
            sql = (
                "INSERT INTO order_tags (tag, order_id, channel, province, created_at_ns) "
                "SELECT DISTINCT left(x.tag, 64), o.id, o.channel, o.province, o.created_at_ns FROM orders o "
                "CROSS JOIN LATERAL json_array_elements_text(o.tags) AS x(tag) "
                "ON CONFLICT DO NOTHING"
            )
        else:
            sql = (
                "INSERT OR IGNORE INTO order_tags (tag, order_id, channel, province, created_at_ns) "
                "SELECT substr(j.value, 1, 64), o.id, o.channel, o.province, o.created_at_ns "
                "FROM orders o, json_each(o.tags) j "
                "WHERE o.tags != '[]'"
            )
        self._c.exec_driver_sql(sql)

    def last_event_id(self) -> int:
        return int(self._c.execute(sa.select(sa.func.coalesce(sa.func.max(t.events.c.id), 0))).scalar_one())

    def events_between(
        self, after_id: int, upto_id: int, types: Iterable[str], limit: int
    ) -> list[EventRecord]:
        """Outbox rows of these types with ``after_id < id <= upto_id``, in id order."""
        E = t.events.c
        q = (
            sa.select(E.id, E.type, E.order_id, E.channel, E.at_ns, E.payload)
            .where(after_cursor(after_id, upto_id), E.type.in_(list(types)))
            .order_by(E.id)
            .limit(limit)
        )
        return [cast(EventRecord, dict(r)) for r in self._c.execute(q).mappings()]
