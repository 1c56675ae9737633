"""Orders, their lines, milestones and anomalies.

Writes come in batches (one executemany per table). Reads for the API return plain
dicts; reads for the service return what the domain needs (recorded steps).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store import tables as t
from ordo.adapters.store.rows import bulk_insert, chunks, from_csv, to_csv
from ordo.domain.lifecycle import Milestone, MilestoneUpdate
from ordo.domain.model import AcceptedOrder

O, L, M, A = t.orders.c, t.order_lines.c, t.milestones.c, t.anomalies.c


@dataclass(slots=True)
class Progress:
    """What the lifecycle needs to know about one order, read under lock."""

    order_id: str
    channel: str
    status: str
    warehouse_id: str | None
    steps: set[Milestone]


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: str | None = None
    channel: str | None = None
    warehouse_id: str | None = None
    customer_ref: str | None = None
    province: str | None = None
    created_from_ns: int | None = None
    created_to_ns: int | None = None


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
        for channel, ids in sorted(by_channel.items()):
            for part in chunks(sorted(ids)):
                q = sa.select(O.external_id, O.id).where(O.channel == channel, O.external_id.in_(part))
                out.update({(channel, ext): oid for ext, oid in self._c.execute(q).all()})
        return out

    def add(
        self, accepted: Sequence[AcceptedOrder], steps: Sequence[tuple[str, Milestone, int, str]]
    ) -> None:
        """Insert orders, their lines and their first milestones (order_id, step, at, source)."""
        if not accepted:
            return
        order_rows, line_rows = order_rows_of(accepted)
        bulk_insert(self._c, t.orders, order_rows)
        bulk_insert(self._c, t.order_lines, line_rows)
        self.add_milestones(steps, accepted[0].accepted_at_ns)

    def add_milestones(self, steps: Iterable[tuple[str, Milestone, int, str]], recorded_at_ns: int) -> None:
        rows = [
            {
                "order_id": oid,
                "milestone": m.value,
                "at_ns": at,
                "source": src,
                "recorded_at_ns": recorded_at_ns,
            }
            for oid, m, at, src in steps
        ]
        bulk_insert(self._c, t.milestones, rows)

    def set_status(self, changes: Sequence[tuple[str, str]], now_ns: int) -> None:
        if not changes:
            return
        self._c.execute(
            sa.update(t.orders)
            .where(O.id == sa.bindparam("oid"))
            .values(status=sa.bindparam("st"), updated_at_ns=now_ns),
            [{"oid": oid, "st": st} for oid, st in changes],
        )

    def add_anomalies(self, rejected: Iterable[tuple[MilestoneUpdate, str, str]], now_ns: int) -> None:
        rows = [
            {
                "order_id": u.order_id,
                "milestone": u.milestone.value,
                "source": u.source,
                "at_ns": u.at_ns,
                "code": code,
                "message": message[:500],
                "recorded_at_ns": now_ns,
            }
            for u, code, message in rejected
        ]
        if rows:
            self._c.execute(sa.insert(t.anomalies), rows)

    # reads for the service --------------------------------------------------
    def progress(self, order_ids: Iterable[str]) -> dict[str, Progress]:
        """Current steps of these orders; on PostgreSQL their rows stay locked (id order)."""
        ids = sorted(set(order_ids))
        out: dict[str, Progress] = {}
        for part in chunks(ids):
            q = sa.select(O.id, O.channel, O.status, O.warehouse_id).where(O.id.in_(part)).order_by(O.id)
            if self._lock:
                q = q.with_for_update()
            for r in self._c.execute(q):
                out[r.id] = Progress(r.id, r.channel, r.status, r.warehouse_id, set())
            steps = sa.select(M.order_id, M.milestone).where(M.order_id.in_(part))
            for oid, step in self._c.execute(steps):
                out[oid].steps.add(Milestone(step))
        return out

    def quantities(self, order_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Units per SKU of each order."""
        out: dict[str, dict[str, int]] = {}
        for part in chunks(sorted(set(order_ids))):
            for r in self._c.execute(sa.select(L.order_id, L.sku, L.quantity).where(L.order_id.in_(part))):
                need = out.setdefault(r.order_id, {})
                need[r.sku] = need.get(r.sku, 0) + r.quantity
        return out

    # reads for the API ------------------------------------------------------
    def get(self, order_id: str) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(t.orders).where(O.id == order_id)).mappings().first()
        if row is None:
            return None
        order = dict(row)
        order["lines"] = [
            {**dict(r), "flags": sorted(from_csv(r["flags"]))}
            for r in self._c.execute(
                sa.select(
                    L.line_no, L.sku, L.quantity, L.unit_price_fen, L.discount_fen, L.flags, L.warehouse_id
                )
                .where(L.order_id == order_id)
                .order_by(L.line_no)
            ).mappings()
        ]
        order["milestones"] = self.milestones(order_id)
        return order

    def milestones(self, order_id: str) -> list[dict[str, Any]]:
        """Recorded steps in time order (lifecycle order breaks ties)."""
        rows = [
            dict(r)
            for r in self._c.execute(
                sa.select(M.milestone, M.at_ns, M.source, M.recorded_at_ns).where(M.order_id == order_id)
            ).mappings()
        ]
        rows.sort(key=lambda r: (r["at_ns"], Milestone(r["milestone"]).number or 99))
        return rows

    def anomalies(self, order_id: str) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self._c.execute(
                sa.select(A.milestone, A.source, A.at_ns, A.code, A.message, A.recorded_at_ns)
                .where(A.order_id == order_id)
                .order_by(A.id)
            ).mappings()
        ]

    def search(self, f: OrderFilter, *, after_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first; ``after_id`` is the cursor (the last id of the previous page)."""
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
        if f.created_from_ns is not None:
            q = q.where(O.created_at_ns >= f.created_from_ns)
        if f.created_to_ns is not None:
            q = q.where(O.created_at_ns < f.created_to_ns)
        if after_id is not None:
            q = q.where(O.id < after_id)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def count_by_status(self) -> dict[str, int]:
        q = sa.select(O.status, sa.func.count()).group_by(O.status)
        return {r[0]: int(r[1]) for r in self._c.execute(q)}

    def open_ids(self, limit: int) -> list[str]:
        """Orders still moving (not delivered, completed, cancelled or refunded)."""
        done = ("delivered", "completed", "cancelled", "refunded", "returned")
        q = sa.select(O.id).where(O.status.not_in(done)).order_by(O.id).limit(limit)
        return list(self._c.execute(q).scalars())


def order_rows_of(accepted: Sequence[AcceptedOrder]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``orders`` and ``order_lines`` rows of accepted orders (also used by the benchmark)."""
    order_rows: list[dict[str, Any]] = []
    line_rows: list[dict[str, Any]] = []
    for a in accepted:
        o, ship = a.order, a.order.ship_to
        goods = o.goods_fen
        order_rows.append(
            {
                "id": o.id,
                "channel": o.channel,
                "external_id": o.external_id,
                "customer_ref": o.customer_ref,
                "status": a.status,
                "warehouse_id": a.warehouse_id,
                "hold_reason": a.hold_reason,
                "province": ship.province,
                "city": ship.city,
                "district": ship.district,
                "detail": ship.detail,
                "adcode": ship.adcode,
                "lat": ship.lat,
                "lng": ship.lng,
                "recipient_name": ship.name,
                "recipient_phone": ship.phone,
                "goods_fen": goods,
                "discount_fen": o.discount_fen,
                "freight_fen": o.freight_fen,
                "total_fen": goods - o.discount_fen + o.freight_fen,
                "tags": list(o.tags),
                "priority": o.priority,
                "remark": o.remark,
                "placed_at_ns": o.placed_at_ns,
                "paid_at_ns": o.paid_at_ns,
                "promised_at_ns": o.promised_at_ns,
                "created_at_ns": a.accepted_at_ns,
                "updated_at_ns": a.accepted_at_ns,
            }
        )
        for n, line in enumerate(o.lines):
            line_rows.append(
                {
                    "order_id": o.id,
                    "line_no": n,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price_fen": line.unit_price_fen,
                    "discount_fen": line.discount_fen,
                    "flags": to_csv(line.flags),
                    "warehouse_id": a.warehouse_id,
                }
            )
    return order_rows, line_rows
