"""Orders, their lines, milestones and anomalies.

Writes come in batches (one executemany per table). Reads for the API return the typed
rows of ``ordo.service.ports.orders`` (plain dicts at run time); reads for the service
return what the domain needs (recorded steps).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import sqlalchemy as sa

from ordo.adapters.store.repositories.order_rows import (
    LINE_COLUMNS,
    ORDER_COLUMNS,
    order_tuples_of,
    parcels_of,
)
from ordo.adapters.store.rows import chunks, fetch_rows, from_csv, insert_tuples
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import overview as ot
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import AcceptedOrder
from ordo.service.ports.orders import (
    AnomalyRecord,
    InterceptRecord,
    MilestoneRecord,
    OrderFilter,
    OrderLineRecord,
    OrderRecord,
    OrderSummary,
    Progress,
    RegionFilter,
)

O, L, M, A = t.orders.c, t.order_lines.c, t.milestones.c, t.anomalies.c

__all__ = ["OrderFilter", "OrderRepository", "Progress", "fetch_rows"]

_MILESTONE = {m.value: m for m in Milestone}


#: The columns an order list shows (search, a customer's orders), newest-first by id.
SUMMARY_COLUMNS = (
    O.id,
    O.channel,
    O.external_id,
    O.customer_ref,
    O.status,
    O.warehouse_id,
    O.hold_reason,
    O.province,
    O.city,
    O.district,
    O.recipient_name,
    O.recipient_phone,
    O.total_fen,
    O.tags,
    O.priority,
    O.placed_at_ns,
    O.created_at_ns,
    O.updated_at_ns,
)


def summaries(result: sa.CursorResult[Any]) -> list[OrderSummary]:
    """Rows of :data:`SUMMARY_COLUMNS` as typed summaries."""
    return [cast(OrderSummary, dict(r)) for r in result.mappings()]


def in_region(region: RegionFilter, province: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """Orders in a region: a province by its names (an indexed column, and orders without an
    adcode that name it), a city or district by the ship-to adcode's prefix."""
    if len(region.names) == 1:
        return province == region.names[0]
    if region.names:
        return province.in_(region.names)
    return O.adcode.startswith(region.prefix, autoescape=True)


class OrderRepository:
    def __init__(self, conn: sa.Connection, *, lock_rows: bool) -> None:
        self._c = conn
        self._lock = lock_rows

    # writes -----------------------------------------------------------------
    def existing(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Order ids already stored for these (channel, external id) pairs."""
        by_channel: dict[str, list[str]] = {}
        for channel, external_id in set(keys):
            by_channel.setdefault(channel, []).append(external_id)
        out: dict[tuple[str, str], str] = {}
        # One `channel = ? AND external_id IN (...)` per channel: both backends walk the
        # unique (channel, external_id) index, where a row-value IN is a slow scan on SQLite.
        # Plain SQL: with small batches (webhooks) building the statement cost more than running it.
        mark = self._mark()
        for channel, ids in sorted(by_channel.items()):
            for part in chunks(sorted(ids)):
                sql = (
                    f"SELECT external_id, id FROM {t.orders.name}"
                    f" WHERE channel = {mark} AND external_id IN ({','.join([mark] * len(part))})"
                )
                out.update({(channel, ext): oid for ext, oid in fetch_rows(self._c, sql, (channel, *part))})
        return out

    def add(
        self,
        accepted: Sequence[AcceptedOrder],
        steps: Sequence[tuple[str, Milestone, int, str]],
        line_warehouses: Sequence[Sequence[str | None] | None] | None = None,
        phone_keys: Sequence[str | None] | None = None,
    ) -> None:
        """Insert orders, their lines and their first milestones (order_id, step, at, source).

        ``line_warehouses``: per order, the warehouse of each line when it is split (see
        :func:`order_tuples_of`); ``phone_keys``: per order, its phone's keyed hash."""
        if not accepted:
            return
        order_rows, line_rows = order_tuples_of(accepted, line_warehouses)
        if phone_keys is None:
            insert_tuples(self._c, t.orders.name, ORDER_COLUMNS, order_rows)
        else:
            keyed = [(*row, key) for row, key in zip(order_rows, phone_keys, strict=True)]
            insert_tuples(self._c, t.orders.name, (*ORDER_COLUMNS, "recipient_phone_key"), keyed)
        insert_tuples(self._c, t.order_lines.name, LINE_COLUMNS, line_rows)
        self.add_milestones(steps, accepted[0].accepted_at_ns)

    def add_milestones(self, steps: Iterable[tuple[str, Milestone, int, str]], recorded_at_ns: int) -> None:
        rows = [(oid, m._value_, at, src, recorded_at_ns) for oid, m, at, src in steps]
        self._many(t.milestones.name, ("order_id", "milestone", "at_ns", "source", "recorded_at_ns"), rows)

    def set_status(self, changes: Sequence[tuple[str, str]], now_ns: int) -> None:
        if changes:
            mark = self._mark()
            sql = f"UPDATE {t.orders.name} SET status = {mark}, updated_at_ns = {mark} WHERE id = {mark}"
            self._c.exec_driver_sql(sql, [(st, now_ns, oid) for oid, st in changes])

    def add_anomalies(self, rejected: Iterable[tuple[MilestoneUpdate, str, str]], now_ns: int) -> None:
        rows = [
            (u.order_id, u.milestone._value_, u.source, u.at_ns, code, message[:500], now_ns)
            for u, code, message in rejected
        ]
        columns = ("order_id", "milestone", "source", "at_ns", "code", "message", "recorded_at_ns")
        self._many(t.anomalies.name, columns, rows)

    # Status ingestion writes thousands of rows a second: plain SQL and tuples straight to
    # the driver's executemany, past SQLAlchemy's per-parameter type processing.
    def _mark(self) -> str:
        return "?" if self._c.dialect.paramstyle == "qmark" else "%s"

    def _many(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        insert_tuples(self._c, table, columns, rows)

    # reads for the service --------------------------------------------------
    def progress(self, order_ids: Iterable[str]) -> dict[str, Progress]:
        """Current steps of these orders; on PostgreSQL their rows stay locked (id order)."""
        # The hot path of status ingestion: plain SQL and fetchall, no per-row ORM-ish work;
        # (order_id, milestone) is the primary key, so the steps come from the index alone.
        ids = sorted(set(order_ids))
        out: dict[str, Progress] = {}
        mark = self._mark()
        lock = " FOR UPDATE" if self._lock else ""
        for part in chunks(ids):
            marks = ",".join([mark] * len(part))
            args = tuple(part)
            orders_sql = (
                f"SELECT id, channel, status, warehouse_id, hold_reason FROM {t.orders.name}"
                f" WHERE id IN ({marks}) ORDER BY id{lock}"
            )
            for oid, channel, status, warehouse_id, hold_reason in fetch_rows(self._c, orders_sql, args):
                out[oid] = Progress(oid, channel, status, warehouse_id, set(), hold_reason)
            steps_sql = f"SELECT order_id, milestone FROM {t.milestones.name} WHERE order_id IN ({marks})"
            for oid, step in fetch_rows(self._c, steps_sql, args):
                out[oid].steps.add(_MILESTONE[step])
        return out

    def quantities(self, order_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Units per SKU of each order."""
        out: dict[str, dict[str, int]] = {}
        for part in chunks(sorted(set(order_ids))):
            for r in self._c.execute(sa.select(L.order_id, L.sku, L.quantity).where(L.order_id.in_(part))):
                need = out.setdefault(r.order_id, {})
                need[r.sku] = need.get(r.sku, 0) + r.quantity
        return out

    def stock_lines(self, order_ids: Iterable[str]) -> dict[str, list[tuple[str, str, int]]]:
        """What each order's reservation holds: (warehouse, SKU, units) per line.

        A split order (its lines at more than one warehouse, the order's warehouse — its first
        parcel's — among them) holds each line at the line's warehouse; any other order holds
        every line at the order's warehouse (an order without one holds nothing). Moving an
        order (a re-route, a playbook) points all its lines at the new warehouse."""
        out: dict[str, list[tuple[str, str, int]]] = {}
        mark = self._mark()
        for part in chunks(sorted(set(order_ids))):
            sql = (
                f"SELECT l.order_id, l.sku, l.quantity, l.warehouse_id, o.warehouse_id"
                f" FROM {t.order_lines.name} l JOIN {t.orders.name} o ON o.id = l.order_id"
                f" WHERE l.order_id IN ({','.join([mark] * len(part))}) ORDER BY l.order_id, l.line_no"
            )
            lines: dict[str, list[tuple[str, int, str | None, str | None]]] = {}
            for oid, sku, qty, line_wh, order_wh in fetch_rows(self._c, sql, tuple(part)):
                lines.setdefault(oid, []).append((sku, qty, line_wh, order_wh))
            for oid, rows in lines.items():
                # Lines at several warehouses, the order's among them: split at intake and not
                # moved whole since (a move that did not rewrite the lines names another).
                at = {r[2] for r in rows if r[2] is not None}
                split = len(at) > 1 and rows[0][3] in at
                held = [
                    (line_wh or order_wh if split else order_wh, sku, qty)
                    for sku, qty, line_wh, order_wh in rows
                ]
                out[oid] = [(w, sku, qty) for w, sku, qty in held if w is not None]
        return out

    # reads for the API ------------------------------------------------------
    def get(self, order_id: str) -> OrderRecord | None:
        row = self._c.execute(sa.select(t.orders).where(O.id == order_id)).mappings().first()
        if row is None:
            return None
        order = cast(OrderRecord, dict(row))  # every column of ``orders``: the record's fields
        order["lines"] = [
            cast(OrderLineRecord, {**dict(r), "flags": sorted(from_csv(r["flags"]))})
            for r in self._c.execute(
                sa.select(
                    L.line_no, L.sku, L.quantity, L.unit_price_fen, L.discount_fen, L.flags, L.warehouse_id
                )
                .where(L.order_id == order_id)
                .order_by(L.line_no)
            ).mappings()
        ]
        order["parcels"] = parcels_of(order["lines"])
        order["milestones"] = self.milestones(order_id)
        found = (
            self._c.execute(sa.select(t.order_intercepts).where(t.order_intercepts.c.order_id == order_id))
            .mappings()
            .first()
        )
        order["intercept"] = None
        if found is not None:
            order["intercept"] = cast(InterceptRecord, {k: v for k, v in found.items() if k != "order_id"})
        return order

    def milestones(self, order_id: str) -> list[MilestoneRecord]:
        """Recorded steps in time order (lifecycle order breaks ties)."""
        rows = [
            cast(MilestoneRecord, dict(r))
            for r in self._c.execute(
                sa.select(M.milestone, M.at_ns, M.source, M.recorded_at_ns).where(M.order_id == order_id)
            ).mappings()
        ]
        rows.sort(key=lambda r: (r["at_ns"], Milestone(r["milestone"]).number or 99))
        return rows

    def anomalies(self, order_id: str) -> list[AnomalyRecord]:
        return [
            cast(AnomalyRecord, dict(r))
            for r in self._c.execute(
                sa.select(A.milestone, A.source, A.at_ns, A.code, A.message, A.recorded_at_ns)
                .where(A.order_id == order_id)
                .order_by(A.id)
            ).mappings()
        ]

    def search(self, f: OrderFilter, *, after_id: str | None = None, limit: int = 50) -> list[OrderSummary]:
        """Newest first; ``after_id`` is the cursor (the last id of the previous page)."""
        if f.tag is not None:
            return self._search_tagged(f, after_id, limit)
        q = sa.select(*SUMMARY_COLUMNS).order_by(O.id.desc()).limit(limit)
        for column, value in (
            (O.status, f.status),
            (O.channel, f.channel),
            (O.warehouse_id, f.warehouse_id),
            (O.customer_ref, f.customer_ref),
            (O.province, f.province),
        ):
            if value is not None:
                q = q.where(column == value)
        if f.region is not None:
            q = q.where(in_region(f.region, O.province))
        if f.channels is not None:
            q = q.where(O.channel.in_(sorted(f.channels)))
        if f.created_from_ns is not None:
            q = q.where(O.created_at_ns >= f.created_from_ns)
        if f.created_to_ns is not None:
            q = q.where(O.created_at_ns < f.created_to_ns)
        if after_id is not None:
            q = q.where(O.id < after_id)
        return summaries(self._c.execute(q))

    def _search_tagged(self, f: OrderFilter, after_id: str | None, limit: int) -> list[OrderSummary]:
        """Driven by the tag index (``order_tags``, kept by the overview projector), newest
        first: its (tag, order), (tag, channel, order) or (tag, province, order) key yields
        the page in order, and the time window is checked in the index's own rows; only
        status, warehouse and customer are read from the orders it names."""
        g = ot.order_tags.c
        q = (
            sa.select(*SUMMARY_COLUMNS)
            .select_from(ot.order_tags.join(t.orders, O.id == g.order_id))
            .where(g.tag == f.tag)
            .order_by(g.order_id.desc())
            .limit(limit)
        )
        for column, value in (
            (O.status, f.status),
            (g.channel, f.channel),
            (O.warehouse_id, f.warehouse_id),
            (O.customer_ref, f.customer_ref),
            (g.province, f.province),
        ):
            if value is not None:
                q = q.where(column == value)
        if f.region is not None:
            q = q.where(in_region(f.region, g.province))
        if f.channels is not None:
            q = q.where(g.channel.in_(sorted(f.channels)))
        if f.created_from_ns is not None:
            q = q.where(g.created_at_ns >= f.created_from_ns)
        if f.created_to_ns is not None:
            q = q.where(g.created_at_ns < f.created_to_ns)
        if after_id is not None:
            q = q.where(g.order_id < after_id)
        return summaries(self._c.execute(q))

    def count_by_status(self) -> dict[str, int]:
        q = sa.select(O.status, sa.func.count()).group_by(O.status)
        return {r[0]: int(r[1]) for r in self._c.execute(q)}

    def open_ids(self, limit: int) -> list[str]:
        """Orders still moving (not delivered, completed, cancelled or refunded)."""
        done = ("delivered", "completed", "cancelled", "refunded", "returned")
        q = sa.select(O.id).where(O.status.not_in(done)).order_by(O.id).limit(limit)
        return list(self._c.execute(q).scalars())
