"""Stock levels per (warehouse, SKU): locked reads and guarded, batched adjustments.

Reservation is a conditional UPDATE (``… WHERE on_hand - reserved - safety >= q``)
and the table's CHECK constraint is a last guard, so no code path can oversell. On
PostgreSQL the rows are first locked in (warehouse, sku) order; on SQLite the
transaction already holds the single write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.repositories.outbox import after_cursor
from ordo.adapters.store.rows import chunks, fetch_rows
from ordo.adapters.store.rows import mark as rows_mark
from ordo.adapters.store.schema import core as t
from ordo.domain.errors import StoreConflict
from ordo.domain.orders.milestones import Status
from ordo.domain.orders.model import Stock
from ordo.service.ports.inventory import Delta

__all__ = ["Delta", "StockRepository"]

S = t.stock.c


def _stock(r: Any) -> Stock:
    return Stock(r.warehouse_id, r.sku, r.on_hand, r.reserved, r.safety)


def _merged(deltas: Iterable[Delta]) -> list[tuple[str, str, int]]:
    """(warehouse, sku, total) per key, in key order (the lock order); zero totals dropped."""
    total: dict[tuple[str, str], int] = {}
    for d in deltas:
        key = (d.warehouse_id, d.sku)
        total[key] = total.get(key, 0) + d.quantity
    return [(w, s, q) for (w, s), q in sorted(total.items()) if q]


#: Available to promise of a row, clamped at 0 as ``ordo.domain.inventory.stock.atp`` does.
_ATP = sa.case((S.on_hand - S.reserved - S.safety > 0, S.on_hand - S.reserved - S.safety), else_=0)

# Guarded adjustments, each with the shape of its parameters: the guard and the CHECK constraint
# make a concurrent change fail the row instead of overselling.
_RESERVE_SQL = (
    "UPDATE stock SET reserved = reserved + ? WHERE warehouse_id = ? AND sku = ?"
    " AND on_hand - reserved - safety >= ?"
)
_RELEASE_SQL = "UPDATE stock SET reserved = reserved - ? WHERE warehouse_id = ? AND sku = ? AND reserved >= ?"
_CONSUME_SQL = (
    "UPDATE stock SET on_hand = on_hand - ?, reserved = reserved - ?"
    " WHERE warehouse_id = ? AND sku = ? AND reserved >= ? AND on_hand >= ?"
)

_Shape = Callable[[str, str, int], tuple[Any, ...]]


def _QWSQ(w: str, s: str, q: int) -> tuple[Any, ...]:  # named after its shape
    return (q, w, s, q)


def _QQWSQQ(w: str, s: str, q: int) -> tuple[Any, ...]:
    return (q, q, w, s, q, q)


class StockRepository:
    def __init__(self, conn: sa.Connection, *, lock_rows: bool) -> None:
        self._c = conn
        self._lock = lock_rows

    def lock(self, skus: Iterable[str]) -> list[Stock]:
        """Every warehouse's row for these SKUs, locked for this transaction."""
        out: list[Stock] = []
        for part in chunks(sorted(set(skus))):
            q = sa.select(t.stock).where(S.sku.in_(part)).order_by(S.warehouse_id, S.sku)
            if self._lock:
                q = q.with_for_update()
            out.extend(_stock(r) for r in self._c.execute(q))
        return out

    def lock_available(self, skus: Iterable[str]) -> list[tuple[str, str, int]]:
        """(warehouse, SKU, available to promise) for these SKUs, rows locked as in ``lock``.

        The hot path of intake (some ten rows an order): plain SQL and plain tuples from the
        driver. Rows come in (warehouse, SKU) order only where that is the lock order
        (PostgreSQL); SQLite's transaction already holds the write lock, and sorting the
        rows there would cost more than reading them."""
        return self._available(skus, " ORDER BY warehouse_id, sku FOR UPDATE" if self._lock else "")

    def available(self, skus: Iterable[str]) -> list[tuple[str, str, int]]:
        """``lock_available`` without the lock: a read snapshot's view (a what-if's)."""
        return self._available(skus, "")

    def _available(self, skus: Iterable[str], tail: str) -> list[tuple[str, str, int]]:
        out: list[tuple[str, str, int]] = []
        mark = rows_mark(self._c)
        for part in chunks(sorted(set(skus))):
            sql = (
                f"SELECT warehouse_id, sku, on_hand - reserved - safety FROM {t.stock.name}"
                f" WHERE sku IN ({','.join([mark] * len(part))}){tail}"
            )
            out.extend(fetch_rows(self._c, sql, tuple(part)))
        return out

    def reserve(self, deltas: Iterable[Delta]) -> None:
        self._apply(_RESERVE_SQL, _QWSQ, deltas, "not enough stock to reserve")

    def release(self, deltas: Iterable[Delta]) -> None:
        self._apply(_RELEASE_SQL, _QWSQ, deltas, "cannot release more than is reserved")

    def consume(self, deltas: Iterable[Delta]) -> None:
        self._apply(_CONSUME_SQL, _QQWSQQ, deltas, "cannot ship more than is reserved")

    def _apply(self, sql: str, shape: _Shape, deltas: Iterable[Delta], why: str) -> None:
        # Plain SQL and tuples: intake reserves some two thousand rows a batch.
        params = [shape(w, s, q) for w, s, q in _merged(deltas)]
        if not params:
            return
        sql = sql.replace("?", rows_mark(self._c))
        if self._c.dialect.supports_sane_multi_rowcount:
            changed = self._c.exec_driver_sql(sql, params).rowcount
        else:
            changed = sum(self._c.exec_driver_sql(sql, p).rowcount for p in params)
        if changed != len(params):
            # Another writer moved the stock since it was read: the caller retries.
            raise StoreConflict(f"{why} ({changed} of {len(params)} rows) / 库存已被并发修改")

    def set_levels(self, levels: Iterable[Stock]) -> None:
        """Replace the levels of these (warehouse, SKU) pairs (stock take, seeding)."""
        rows = [
            {
                "warehouse_id": s.warehouse_id,
                "sku": s.sku,
                "on_hand": s.on_hand,
                "reserved": s.reserved,
                "safety": s.safety,
            }
            for s in levels
        ]
        for part in chunks(rows, 400):
            cond = sa.or_(*(sa.and_(S.warehouse_id == r["warehouse_id"], S.sku == r["sku"]) for r in part))
            self._c.execute(sa.delete(t.stock).where(cond))
        if rows:
            self._c.execute(sa.insert(t.stock), rows)

    def get(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Stock]:
        out: dict[tuple[str, str], Stock] = {}
        for part in chunks(list(pairs), 400):
            cond = sa.or_(*(sa.and_(S.warehouse_id == w, S.sku == s) for w, s in part))
            out.update(
                {(r.warehouse_id, r.sku): _stock(r) for r in self._c.execute(sa.select(t.stock).where(cond))}
            )
        return out

    def query(
        self,
        *,
        warehouse_id: str | None = None,
        sku: str | None = None,
        low_only: bool = False,
        after: tuple[str, str] | None = None,
        limit: int = 100,
        low_threshold: int = 0,
        sku_in: Sequence[str] | None = None,
    ) -> list[Stock]:
        """A page in (warehouse, SKU) order; ``low_only``: ATP before clamping ≤ ``low_threshold``;
        ``sku_in``: only these SKUs."""
        q = sa.select(t.stock).order_by(S.warehouse_id, S.sku).limit(limit)
        if warehouse_id:
            q = q.where(S.warehouse_id == warehouse_id)
        if sku:
            q = q.where(S.sku == sku)
        if sku_in is not None:
            q = q.where(S.sku.in_(sorted(set(sku_in))))
        if low_only:
            q = q.where(S.on_hand - S.reserved - S.safety <= low_threshold)
        if after:
            q = q.where(sa.tuple_(S.warehouse_id, S.sku) > sa.tuple_(*after))
        return [_stock(r) for r in self._c.execute(q)]

    def totals(self) -> dict[str, int]:
        row = self._c.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(S.on_hand), 0), sa.func.coalesce(sa.func.sum(S.reserved), 0)
            )
        ).one()
        return {"on_hand": int(row[0]), "reserved": int(row[1])}

    # inventory: pools, safety stock, unpaid holders ------------------------------
    def pools(self, skus: Iterable[str] | None = None) -> dict[str, int]:
        """Total available-to-promise per SKU over every warehouse (all SKUs when None)."""
        q = sa.select(S.sku, sa.func.sum(_ATP)).group_by(S.sku)
        if skus is None:
            return {s: int(n) for s, n in self._c.execute(q)}
        out: dict[str, int] = {}
        for part in chunks(sorted(set(skus))):
            out.update({s: int(n) for s, n in self._c.execute(q.where(S.sku.in_(part)))})
        return out

    def set_safety(self, items: Sequence[tuple[str, str, int]]) -> None:
        """Set the safety stock of (warehouse, SKU, units); a missing row starts with 0 on hand."""
        merged = {(w, s): q for w, s, q in items}
        if not merged:
            return
        have = self.get(sorted(merged))
        update = [{"w": w, "s": s, "q": q} for (w, s), q in sorted(merged.items()) if (w, s) in have]
        if update:
            self._c.execute(
                sa.update(t.stock)
                .where(S.warehouse_id == sa.bindparam("w"), S.sku == sa.bindparam("s"))
                .values(safety=sa.bindparam("q")),
                update,
            )
        insert = [
            {"warehouse_id": w, "sku": s, "on_hand": 0, "reserved": 0, "safety": q}
            for (w, s), q in sorted(merged.items())
            if (w, s) not in have
        ]
        if insert:
            self._c.execute(sa.insert(t.stock), insert)

    def unpaid_holders(self, created_before_ns: int, limit: int) -> list[str]:
        """Orders awaiting payment that hold a reservation, accepted before this time (id order)."""
        o = t.orders.c
        q = (
            sa.select(o.id)
            .where(o.status == Status.PENDING_PAYMENT.value, o.warehouse_id.is_not(None))
            .where(o.created_at_ns <= created_before_ns)
            .order_by(o.id)
            .limit(limit)
        )
        return list(self._c.execute(q).scalars())

    def skus_moved(self, after_event_id: int, upto_event_id: int) -> list[str]:
        """SKUs of the orders with events in (after, upto]: what intake, cancels and shipments touched."""
        e, lines = t.events.c, t.order_lines.c
        ids = sa.select(e.order_id).where(
            after_cursor(after_event_id, upto_event_id), e.order_id.is_not(None)
        )
        q = sa.select(lines.sku).where(lines.order_id.in_(ids)).distinct().order_by(lines.sku)
        return list(self._c.execute(q).scalars())

    def skus_after(self, after: str | None, limit: int) -> list[str]:
        """Distinct stocked SKUs in order, after ``after``: a page of a channel's SKUs."""
        q = sa.select(S.sku).distinct().order_by(S.sku).limit(limit)
        if after is not None:
            q = q.where(S.sku > after)
        return list(self._c.execute(q).scalars())
