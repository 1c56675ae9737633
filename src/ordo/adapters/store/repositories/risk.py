"""Risk events, their history, disposal plans, and the impact scan over ``orders``.

The scan finds the orders of an event's divisions through ``ix_orders_adcode`` and those
reserved at its warehouses through ``ix_orders_warehouse``, and folds them by channel,
province and status in one grouped query. Plain SQL both backends run alike.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import risk as rt
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
    def _where(self, exposure: Exposure) -> sa.ColumnElement[bool] | None:
        covered = []
        if exposure.adcodes:
            covered.append(O.adcode.in_(sorted(exposure.adcodes)))
        if exposure.warehouses:
            covered.append(O.warehouse_id.in_(sorted(exposure.warehouses)))
        if not covered or not exposure.statuses:
            return None
        return sa.and_(O.status.in_(sorted(exposure.statuses)), sa.or_(*covered))

    def exposure_summary(self, exposure: Exposure) -> list[tuple[str, str, str, int, int, int]]:
        where = self._where(exposure)
        if where is None:
            return []
        prov = sa.func.coalesce(sa.func.substr(O.adcode, 1, 2), "")
        late = sa.func.sum(
            sa.case(
                (sa.and_(O.promised_at_ns.is_not(None), O.promised_at_ns <= exposure.horizon_ns), 1), else_=0
            )
        )
        q = (
            sa.select(O.channel, prov, O.status, sa.func.count(), sa.func.sum(O.total_fen), late)
            .where(where)
            .group_by(O.channel, prov, O.status)
        )
        return [
            (str(c), str(p), str(s), int(n), int(m or 0), int(r or 0))
            for c, p, s, n, m, r in self._c.execute(q)
        ]

    def exposed_orders(self, exposure: Exposure, limit: int) -> list[dict[str, Any]]:
        where = self._where(exposure)
        if where is None:
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
        q = sa.select(*cols).where(where).order_by(O.promised_at_ns.asc().nulls_last(), O.id).limit(limit)
        return [dict(r) for r in self._c.execute(q).mappings()]
