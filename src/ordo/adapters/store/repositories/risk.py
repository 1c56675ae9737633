"""Risk events, their history, disposal plans, and the impact scan over ``orders``.

The scan finds the orders of an event's divisions through ``ix_orders_adcode`` and those
reserved at its warehouses through ``ix_orders_warehouse``, and folds them by channel,
province and status in one grouped query. Plain SQL both backends run alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson
import sqlalchemy as sa

from ordo.adapters.store.rows import CHUNK, bulk_insert, chunks, fetch_rows, from_csv
from ordo.adapters.store.rows import mark as rows_mark
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import risk as rt
from ordo.adapters.store.schema import routing as routing_t
from ordo.service.ports.risk import Exposure

O, EV, H, P = t.orders.c, rt.risk_events.c, rt.risk_history.c, rt.risk_plans.c
LIVE = ("potential", "confirmed")


class RiskRepository:
    def __init__(self, conn: sa.Connection, *, lock_rows: bool = False) -> None:
        self._c = conn
        self._lock = lock_rows

    # events -----------------------------------------------------------------------------
    def add_event(self, row: dict[str, Any]) -> None:
        self._c.execute(sa.insert(rt.risk_events).values(**row))

    def update_event(self, event_id: str, values: dict[str, Any]) -> None:
        self._c.execute(sa.update(rt.risk_events).where(EV.id == event_id).values(**values))

    def event(self, event_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        q = sa.select(rt.risk_events).where(EV.id == event_id)
        if lock and self._lock:
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return dict(row) if row else None

    def event_by_ref(self, source: str, source_ref: str) -> dict[str, Any] | None:
        q = sa.select(rt.risk_events).where(EV.source == source, EV.source_ref == source_ref).limit(1)
        row = self._c.execute(q).mappings().first()
        return dict(row) if row else None

    def events_by_refs(self, source_refs: Sequence[str]) -> list[dict[str, Any]]:
        if not source_refs:
            return []
        q = sa.select(rt.risk_events).where(EV.source_ref.in_(list(source_refs))).order_by(EV.id)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def events(self, *, live_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        q = sa.select(rt.risk_events).order_by(EV.created_at_ns.desc(), EV.id.desc()).limit(limit)
        if live_only:
            q = q.where(EV.status.in_(LIVE))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def live_events(self, now_ns: int) -> list[dict[str, Any]]:
        q = sa.select(rt.risk_events).where(
            EV.status.in_(LIVE),
            EV.starts_at_ns <= now_ns,
            sa.or_(EV.ends_at_ns.is_(None), EV.ends_at_ns > now_ns),
        )
        return [dict(r) for r in self._c.execute(q.order_by(EV.id)).mappings()]

    # history ----------------------------------------------------------------------------
    def add_history(self, subject: str, at_ns: int, actor: str, action: str, detail: str) -> None:
        self._c.execute(
            sa.insert(rt.risk_history).values(
                subject=subject, at_ns=at_ns, actor=actor[:64], action=action[:32], detail=detail
            )
        )

    def history(self, subject: str, limit: int = 500) -> list[dict[str, Any]]:
        q = sa.select(rt.risk_history).where(H.subject == subject).order_by(H.id).limit(limit)
        return [dict(r) for r in self._c.execute(q).mappings()]

    # plans ------------------------------------------------------------------------------
    def add_plan(self, row: dict[str, Any]) -> None:
        self._c.execute(sa.insert(rt.risk_plans).values(**row))

    def plan(self, plan_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        q = sa.select(rt.risk_plans).where(P.id == plan_id)
        if lock and self._lock:
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return dict(row) if row else None

    def update_plan(self, plan_id: str, values: dict[str, Any]) -> None:
        self._c.execute(sa.update(rt.risk_plans).where(P.id == plan_id).values(**values))

    def add_plan_decisions(self, plan_id: str, rows: Sequence[tuple[str, str, str]]) -> None:
        """Per order of a plan (order id, decision data JSON, effect JSON): one executemany."""
        bulk_insert(
            self._c,
            rt.risk_plan_decisions,
            [{"plan_id": plan_id, "order_id": o, "decision": d, "effect": e} for o, d, e in rows],
        )

    def plan_decisions(self, plan_id: str) -> dict[str, tuple[str, dict[str, Any]]]:
        """Per order of a plan, its decision's data (as stored) and effect, as the proposal
        stored them."""
        mark = rows_mark(self._c)
        sql = f"SELECT order_id, decision, effect FROM {rt.risk_plan_decisions.name} WHERE plan_id = {mark}"
        return {oid: (d, orjson.loads(e)) for oid, d, e in fetch_rows(self._c, sql, (plan_id,))}

    def plans(self, event_id: str) -> list[dict[str, Any]]:
        q = sa.select(rt.risk_plans).where(P.event_id == event_id).order_by(P.created_at_ns, P.id)
        return [dict(r) for r in self._c.execute(q).mappings()]

    # impact scan ------------------------------------------------------------------------
    # Each read walks one covering index (``ix_orders_exposure_place`` or ``_origin``, migration
    # 0025) in its own order, so the grouping streams and no table row is read. An order both
    # going into the area and shipping from a covered warehouse counts once, by place.
    def _late(self, exposure: Exposure) -> sa.ColumnElement[Any]:
        at_risk = sa.and_(O.promised_at_ns.is_not(None), O.promised_at_ns <= exposure.horizon_ns)
        return sa.func.sum(sa.case((at_risk, 1), else_=0))

    def _by_place(self, exposure: Exposure) -> sa.ColumnElement[bool] | None:
        if not exposure.adcodes or not exposure.statuses:
            return None
        return sa.and_(O.adcode.in_(sorted(exposure.adcodes)), O.status.in_(sorted(exposure.statuses)))

    def _by_origin(self, exposure: Exposure) -> sa.ColumnElement[bool] | None:
        if not exposure.warehouses or not exposure.statuses:
            return None
        where = sa.and_(
            O.warehouse_id.in_(sorted(exposure.warehouses)), O.status.in_(sorted(exposure.statuses))
        )
        if exposure.adcodes:
            where = sa.and_(where, sa.or_(O.adcode.is_(None), O.adcode.not_in(sorted(exposure.adcodes))))
        return where

    def exposure_by_place(self, exposure: Exposure) -> list[tuple[str, str, str, int, int, int]]:
        where = self._by_place(exposure)
        if where is None:
            return []
        q = (
            sa.select(
                O.adcode, O.status, O.channel, sa.func.count(), sa.func.sum(O.total_fen), self._late(exposure)
            )
            .where(where)
            .group_by(O.adcode, O.status, O.channel)
        )
        return [
            (str(a), str(s), str(c), int(n), int(m or 0), int(r or 0))
            for a, s, c, n, m, r in self._c.execute(q)
        ]

    def exposure_by_origin(self, exposure: Exposure) -> list[tuple[str, str, str, int, int, int]]:
        where = self._by_origin(exposure)
        if where is None:
            return []
        q = (
            sa.select(
                O.warehouse_id,
                O.status,
                O.channel,
                sa.func.count(),
                sa.func.sum(O.total_fen),
                self._late(exposure),
            )
            .where(where)
            .group_by(O.warehouse_id, O.status, O.channel)
        )
        return [
            (str(w), str(s), str(c), int(n), int(m or 0), int(r or 0))
            for w, s, c, n, m, r in self._c.execute(q)
        ]

    def exposed_orders(self, exposure: Exposure, limit: int) -> list[dict[str, Any]]:
        parts = [
            sa.select(O.id.label("id"), O.promised_at_ns.label("p")).where(w)
            for w in (self._by_place(exposure), self._by_origin(exposure))
            if w is not None
        ]
        if not parts or limit <= 0:
            return []
        both = parts[0] if len(parts) == 1 else sa.union_all(*parts)
        sub = both.subquery()
        # The earliest promises first, from the indexes alone; then only those rows are read.
        first = sa.select(sub.c.id).order_by(sub.c.p.is_(None), sub.c.p, sub.c.id).limit(limit)
        ids = list(self._c.execute(first).scalars())
        if not ids:
            return []
        # Plain tuples in chunks: a plan reads up to 10,000 of them (an expanding IN through the
        # expression layer cost a third of a second there).
        cols = ("id", "channel", "status", "warehouse_id", "province", "city", "adcode", "total_fen",
                "promised_at_ns")  # fmt: skip
        rows: dict[str, dict[str, Any]] = {}
        for where, args in self._id_sets("id", ids):
            sql = f"SELECT {','.join(cols)} FROM {t.orders.name} WHERE {where}"
            for r in fetch_rows(self._c, sql, args):
                rows[r[0]] = dict(zip(cols, r, strict=True))
        return [rows[i] for i in ids if i in rows]

    # disposal plans' what-if --------------------------------------------------------------
    def read_snapshot(self) -> None:
        """Make this transaction one read-only snapshot: a plan's what-if reads many tables
        and must neither see them at different moments nor lock a row (PostgreSQL: repeatable
        read, read only — a stray write or ``FOR UPDATE`` fails; SQLite: a deferred ``BEGIN``
        in WAL mode already reads one snapshot and takes no lock)."""
        if self._c.dialect.name == "postgresql":
            self._c.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def _id_sets(self, column: str, ids: Sequence[str]) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """``column`` among ``ids`` as SQL and its parameters: on PostgreSQL one array
        parameter for them all (no 900-placeholder statement for the driver to parse per
        chunk, one round trip); on SQLite chunks of an IN list."""
        if not ids:
            return
        if self._c.dialect.name == "postgresql":
            yield f"{column} = ANY(%s)", (list(ids),)
            return
        mark = rows_mark(self._c)
        for part in chunks(ids):
            yield f"{column} IN ({','.join([mark] * len(part))})", tuple(part)

    def plan_inputs(self, order_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """What routing an order again needs, for many orders in a few queries and no lock:
        the order's columns with its ``lines``, its milestones (``steps``), and its first and
        latest routing attempts (``attempts``: the rules' directives, the plan it now has)."""
        ids = sorted(set(order_ids))
        out: dict[str, dict[str, Any]] = {}
        cols = [c.name for c in t.orders.columns]
        dcols = [c.name for c in routing_t.routing_decisions.columns]
        d = routing_t.routing_decisions.name
        for where, args in self._id_sets("id", ids):
            sql = f"SELECT {','.join(cols)} FROM {t.orders.name} WHERE {where}"
            for r in fetch_rows(self._c, sql, args):
                row = dict(zip(cols, r, strict=True))
                if isinstance(row["tags"], str):  # SQLite keeps JSON as text
                    row["tags"] = orjson.loads(row["tags"])
                out[row["id"]] = {**row, "lines": [], "attempts": [], "steps": set()}
        for where, args in self._id_sets("order_id", ids):
            sql = (
                "SELECT order_id, sku, quantity, unit_price_fen, discount_fen, flags"
                f" FROM {t.order_lines.name} WHERE {where} ORDER BY order_id, line_no"
            )
            for oid, sku, qty, price, discount, flags in fetch_rows(self._c, sql, args):
                out[oid]["lines"].append(
                    {
                        "sku": sku,
                        "quantity": qty,
                        "unit_price_fen": price,
                        "discount_fen": discount,
                        "flags": sorted(from_csv(flags)),
                    }
                )
            sql = f"SELECT order_id, milestone FROM {t.milestones.name} WHERE {where}"
            for oid, step in fetch_rows(self._c, sql, args):
                out[oid]["steps"].add(step)
            # The first attempt and the latest only (a re-routed order has many): which is the
            # latest from the primary key alone, then those rows by key.
            sql = f"SELECT order_id, max(attempt) FROM {d} WHERE {where} GROUP BY order_id"
            last = fetch_rows(self._c, sql, args)
            keys = [(oid, 1) for oid, _ in last] + [(oid, int(n)) for oid, n in last if int(n) > 1]
            for sql, kargs in self._key_sets(d, dcols, keys):
                for r in fetch_rows(self._c, sql, kargs):
                    out[r[0]]["attempts"].append(dict(zip(dcols, r, strict=True)))
        for order in out.values():
            order["attempts"].sort(key=lambda a: a["attempt"])
        return out

    def _key_sets(
        self, table: str, cols: Sequence[str], keys: Sequence[tuple[str, int]]
    ) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """Rows of ``table`` by (order_id, attempt) keys: PostgreSQL joins two arrays
        unnested; SQLite takes row values in chunks."""
        if not keys:
            return
        if self._c.dialect.name == "postgresql":
            sql = (
                f"SELECT {','.join('d.' + c for c in cols)} FROM {table} d"
                " JOIN unnest(%s::text[], %s::int[]) AS k(o, a) ON d.order_id = k.o AND d.attempt = k.a"
            )
            yield sql, ([k[0] for k in keys], [k[1] for k in keys])
            return
        mark = rows_mark(self._c)
        for few in chunks(keys, CHUNK // 2):
            pairs = ",".join([f"({mark},{mark})"] * len(few))
            sql = f"SELECT {','.join(cols)} FROM {table} WHERE (order_id, attempt) IN (VALUES {pairs})"
            yield sql, tuple(x for k in few for x in k)

    def versions(
        self, order_ids: Sequence[str], *, lock: bool = True
    ) -> dict[str, tuple[int, str, str | None, str | None, int]]:
        """Per order (updated_at_ns, status, warehouse, hold reason, latest attempt): what a
        plan checks has not changed since it was made. With ``lock`` the orders' rows stay
        locked on PostgreSQL (id order) until the transaction ends."""
        out: dict[str, tuple[int, str, str | None, str | None, int]] = {}
        d = routing_t.routing_decisions.name
        tail = f" FOR UPDATE OF {t.orders.name}" if lock and self._lock else ""
        for where, args in self._id_sets(f"{t.orders.name}.id", sorted(set(order_ids))):
            sql = (
                f"SELECT {t.orders.name}.id, updated_at_ns, status, warehouse_id, hold_reason,"
                f" (SELECT max(attempt) FROM {d} WHERE {d}.order_id = {t.orders.name}.id)"
                f" FROM {t.orders.name} WHERE {where} ORDER BY {t.orders.name}.id{tail}"
            )
            for oid, at, status, wh, hold, attempt in fetch_rows(self._c, sql, args):
                out[oid] = (int(at), str(status), wh, hold, int(attempt or 0))
        return out

    def move_orders(self, moves: Sequence[tuple[str, str | None, str | None]], now_ns: int) -> None:
        """Point each order (and its lines) at its new warehouse, or hold it unrouted:
        ``(order id, warehouse, hold reason)``, as many as a plan moves, two statements."""
        if not moves:
            return
        # Grouped by where they go (a few warehouses): one UPDATE per group (on PostgreSQL with
        # one array parameter; on SQLite per chunk of an IN list), not one statement per order.
        mark = rows_mark(self._c)
        groups: dict[tuple[str | None, str | None], list[str]] = {}
        for oid, wh, hold in moves:
            groups.setdefault((wh, hold), []).append(oid)
        for (wh, hold), ids in groups.items():
            for where, args in self._id_sets("id", sorted(ids)):
                self._c.exec_driver_sql(
                    f"UPDATE {t.orders.name} SET warehouse_id = {mark}, hold_reason = {mark},"
                    f" updated_at_ns = {mark} WHERE {where}",
                    (wh, hold, now_ns, *args),
                )
            for where, args in self._id_sets("order_id", sorted(ids)):
                self._c.exec_driver_sql(
                    f"UPDATE {t.order_lines.name} SET warehouse_id = {mark} WHERE {where}", (wh, *args)
                )
