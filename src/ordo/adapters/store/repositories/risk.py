"""Risk events, their history, disposal plans, and the impact scan over ``orders``.

The scan finds the orders of an event's divisions through ``ix_orders_adcode`` and those
reserved at its warehouses through ``ix_orders_warehouse``, and folds them by channel,
province and status in one grouped query. Plain SQL both backends run alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.rows import chunks, from_csv
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
        cols = (
            O.id,
            O.channel,
            O.status,
            O.warehouse_id,
            O.province,
            O.city,
            O.adcode,
            O.total_fen,
            O.promised_at_ns,
        )
        rows = {r["id"]: dict(r) for r in self._c.execute(sa.select(*cols).where(O.id.in_(ids))).mappings()}
        return [rows[i] for i in ids if i in rows]

    # disposal plans' what-if --------------------------------------------------------------
    def plan_inputs(self, order_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """What routing an order again needs, for many orders in a few queries: the order's
        columns with its ``lines``, and its routing attempts oldest first (``attempts``)."""
        ids = sorted(set(order_ids))
        out: dict[str, dict[str, Any]] = {}
        L, D = t.order_lines.c, routing_t.routing_decisions.c
        for part in chunks(ids):
            for r in self._c.execute(sa.select(t.orders).where(O.id.in_(part))).mappings():
                out[r["id"]] = {**dict(r), "lines": [], "attempts": []}
            q = (
                sa.select(L.order_id, L.sku, L.quantity, L.unit_price_fen, L.discount_fen, L.flags)
                .where(L.order_id.in_(part))
                .order_by(L.order_id, L.line_no)
            )
            for r in self._c.execute(q).mappings():
                line = {**dict(r), "flags": sorted(from_csv(r["flags"]))}
                out[r["order_id"]]["lines"].append(line)
            q = (
                sa.select(routing_t.routing_decisions)
                .where(D.order_id.in_(part))
                .order_by(D.order_id, D.attempt)
            )
            for r in self._c.execute(q).mappings():
                out[r["order_id"]]["attempts"].append(dict(r))
        return out

    def move_orders(self, moves: Sequence[tuple[str, str | None, str | None]], now_ns: int) -> None:
        """Point each order (and its lines) at its new warehouse, or hold it unrouted:
        ``(order id, warehouse, hold reason)``, as many as a plan moves, two statements."""
        if not moves:
            return
        L = t.order_lines.c
        self._c.execute(
            sa.update(t.orders)
            .where(O.id == sa.bindparam("oid"))
            .values(warehouse_id=sa.bindparam("wh"), hold_reason=sa.bindparam("hold"), updated_at_ns=now_ns),
            [{"oid": oid, "wh": wh, "hold": hold} for oid, wh, hold in moves],
        )
        self._c.execute(
            sa.update(t.order_lines)
            .where(L.order_id == sa.bindparam("oid"))
            .values(warehouse_id=sa.bindparam("wh")),
            [{"oid": oid, "wh": wh} for oid, wh, _ in moves],
        )
