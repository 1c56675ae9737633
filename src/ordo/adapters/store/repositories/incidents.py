"""Incidents, the scan's watch list, sensor state and coupons: reads and writes in batches.

The scan asks indexed questions only: watch rows whose ``due_ns`` has come, incidents
whose next playbook attempt is due, open incidents of the orders that just moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.rows import bulk_insert, chunks, from_csv, to_csv
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import incidents as xt
from ordo.domain.incidents.incident import OPEN_STATES
from ordo.domain.incidents.telemetry import SensorState
from ordo.domain.orders.holds import HoldReason
from ordo.service.ports.incidents import Watch

X, W, TS = xt.order_exceptions.c, xt.exception_watch.c, xt.telemetry_state.c
O, L = t.orders.c, t.order_lines.c
_OPEN = [s.value for s in OPEN_STATES]

__all__ = ["IncidentRepository", "Watch"]


def _watch_row(w: Watch) -> dict[str, Any]:
    """A watch as its ``exception_watch`` row."""
    return {
        "order_id": w.order_id,
        "channel": w.channel,
        "tier": w.tier,
        "warehouse_id": w.warehouse_id,
        "hold_reason": w.hold_reason,
        "steps": w.steps,
        "fired": to_csv(w.fired),
        "last_milestone": w.last_milestone,
        "last_at_ns": w.last_at_ns,
        "carrier": w.carrier,
        "due_ns": w.due_ns,
        "done": w.done,
    }


class IncidentRepository:
    def __init__(self, conn: sa.Connection, *, lock_rows: bool) -> None:
        self._c = conn
        self._lock = lock_rows

    # the scan's cursor ------------------------------------------------------
    def lock_scan(self) -> tuple[int, int]:
        q = sa.select(xt.exception_scan.c.cursor, xt.exception_scan.c.last_scan_ns).where(
            xt.exception_scan.c.id == 1
        )
        if self._lock:
            q = q.with_for_update()
        cursor, last = self._c.execute(q).one()
        return int(cursor), int(last)

    def set_scan(self, cursor: int, now_ns: int) -> None:
        self._c.execute(
            sa.update(xt.exception_scan)
            .where(xt.exception_scan.c.id == 1)
            .values(cursor=cursor, last_scan_ns=now_ns)
        )

    # the watch list ---------------------------------------------------------
    def watches(self, order_ids: Iterable[str]) -> dict[str, Watch]:
        out: dict[str, Watch] = {}
        for part in chunks(sorted(set(order_ids))):
            for r in self._c.execute(sa.select(xt.exception_watch).where(W.order_id.in_(part))).mappings():
                steps = r["steps"]
                out[r["order_id"]] = Watch(
                    r["order_id"],
                    r["channel"],
                    r["tier"],
                    r["warehouse_id"],
                    r["hold_reason"],
                    dict(steps),
                    set(from_csv(r["fired"])),
                    r["last_milestone"],
                    r["last_at_ns"],
                    r["carrier"],
                    r["due_ns"],
                    r["done"],
                    True,
                )
        return out

    def new_watches(self, order_ids: Iterable[str]) -> dict[str, Watch]:
        """Watch rows for orders not watched yet, from the orders and their customers."""
        out: dict[str, Watch] = {}
        tier = sa.func.coalesce(t.customers.c.tier, "regular")
        for part in chunks(sorted(set(order_ids))):
            q = (
                sa.select(O.id, O.channel, O.warehouse_id, O.hold_reason, tier.label("tier"))
                .select_from(t.orders.outerjoin(t.customers, t.customers.c.ref == O.customer_ref))
                .where(O.id.in_(part))
            )
            for r in self._c.execute(q):
                out[r.id] = Watch(r.id, r.channel, r.tier, r.warehouse_id, r.hold_reason)
        return out

    def tiers(self, order_ids: Iterable[str]) -> dict[str, str]:
        """The customer tier of each order (orders of unknown customers are left out)."""
        out: dict[str, str] = {}
        for part in chunks(sorted(set(order_ids))):
            q = (
                sa.select(O.id, t.customers.c.tier)
                .select_from(t.orders.join(t.customers, t.customers.c.ref == O.customer_ref))
                .where(O.id.in_(part))
            )
            out.update({r[0]: r[1] for r in self._c.execute(q)})
        return out

    def save_watches(self, watches: Iterable[Watch]) -> None:
        fresh: list[dict[str, Any]] = []
        known: list[dict[str, Any]] = []
        for w in watches:
            (known if w.stored else fresh).append(_watch_row(w))
            w.stored = True
        bulk_insert(self._c, xt.exception_watch, fresh)
        if known:
            cols = [c for c in known[0] if c != "order_id"]
            stmt = (
                sa.update(xt.exception_watch)
                .where(W.order_id == sa.bindparam("b_order_id"))
                .values({c: sa.bindparam(f"b_{c}") for c in cols})
            )
            self._c.execute(stmt, [{f"b_{k}": v for k, v in r.items()} for r in known])

    def recorded(self, order_ids: Iterable[str]) -> dict[str, dict[str, tuple[int, str]]]:
        """Every recorded step of these orders: milestone → (at, source)."""
        out: dict[str, dict[str, tuple[int, str]]] = {}
        m = t.milestones.c
        for part in chunks(sorted(set(order_ids))):
            q = sa.select(m.order_id, m.milestone, m.at_ns, m.source).where(m.order_id.in_(part))
            for oid, step, at, source in self._c.execute(q):
                out.setdefault(oid, {})[step] = (int(at), source)
        return out

    def due_watches(self, now_ns: int, limit: int) -> list[str]:
        q = sa.select(W.order_id).where(W.due_ns <= now_ns).order_by(W.due_ns).limit(limit)
        return list(self._c.execute(q).scalars())

    # incidents -------------------------------------------------------------
    def open_keys(self, keys: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for part in chunks(sorted(set(keys))):
            out.update(self._c.execute(sa.select(X.open_key).where(X.open_key.in_(part))).scalars())
        return out

    def add(self, row: Mapping[str, Any]) -> int:
        new_id = self._c.execute(
            sa.insert(xt.order_exceptions).values(dict(row)).returning(X.id)
        ).scalar_one()
        return int(new_id)

    def update(self, incident_id: int, values: Mapping[str, Any]) -> None:
        self._c.execute(sa.update(xt.order_exceptions).where(X.id == incident_id).values(dict(values)))

    def get(self, incident_id: int, *, lock: bool = False) -> dict[str, Any] | None:
        q = sa.select(xt.order_exceptions).where(X.id == incident_id)
        if lock and self._lock:
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return dict(row) if row else None

    def open_of_orders(self, order_ids: Iterable[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in chunks(sorted(set(order_ids))):
            q = sa.select(xt.order_exceptions).where(X.order_id.in_(part), X.state.in_(_OPEN)).order_by(X.id)
            out.extend(dict(r) for r in self._c.execute(q).mappings())
        return out

    def attempts_due(self, now_ns: int, limit: int) -> list[dict[str, Any]]:
        q = (
            sa.select(xt.order_exceptions)
            .where(X.next_attempt_ns <= now_ns)
            .order_by(X.next_attempt_ns, X.id)
            .limit(limit)
        )
        return [dict(r) for r in self._c.execute(q).mappings()]

    def search(
        self, filters: Mapping[str, Any], *, after_id: int | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Newest first; filters by column equality (``queued``, ``state``, ``detector`` …)."""
        q = sa.select(xt.order_exceptions).order_by(X.id.desc()).limit(limit)
        for name, value in filters.items():
            if value is not None:
                q = q.where(X[name] == value)
        if after_id is not None:
            q = q.where(X.id < after_id)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def closed_since(self, since_ns: int) -> list[tuple[str, str, int, int]]:
        q = sa.select(X.detector, X.state, X.opened_at_ns, X.closed_at_ns).where(X.closed_at_ns >= since_ns)
        return [(r[0], r[1], int(r[2]), int(r[3])) for r in self._c.execute(q)]

    def open_counts(self) -> dict[str, int]:
        q = sa.select(X.detector, sa.func.count()).where(X.state.in_(_OPEN)).group_by(X.detector)
        return {r[0]: int(r[1]) for r in self._c.execute(q)}

    def open_by_order(self) -> list[tuple[str, str]]:
        """(order id, detector) of every open incident (for health)."""
        q = sa.select(X.order_id, X.detector).where(X.state.in_(_OPEN))
        return [(r[0], r[1]) for r in self._c.execute(q)]

    # telemetry --------------------------------------------------------------
    def sensor_states(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], SensorState]:
        out: dict[tuple[str, str], SensorState] = {}
        wanted = sorted(set(keys))
        for part in chunks(wanted, 400):
            q = sa.select(xt.telemetry_state).where(sa.tuple_(TS.order_id, TS.device_id).in_(list(part)))
            for r in self._c.execute(q).mappings():
                key = (r["order_id"], r["device_id"])
                out[key] = SensorState(
                    key[0],
                    key[1],
                    r["outside_since_ns"],
                    r["last_at_ns"],
                    r["last_celsius"],
                    r["readings"],
                    r["alerted"],
                    r["peak_c"],
                )
        return out

    def save_sensor_states(self, states: Iterable[SensorState], known: set[tuple[str, str]]) -> None:
        rows = [
            {
                "order_id": s.order_id,
                "device_id": s.device_id,
                "outside_since_ns": s.outside_since_ns,
                "last_at_ns": s.last_at_ns,
                "last_celsius": s.last_celsius,
                "readings": s.readings,
                "alerted": s.alerted,
                "peak_c": s.peak_c,
            }
            for s in states
        ]
        bulk_insert(
            self._c, xt.telemetry_state, [r for r in rows if (r["order_id"], r["device_id"]) not in known]
        )
        update = [r for r in rows if (r["order_id"], r["device_id"]) in known]
        if update:
            stmt = (
                sa.update(xt.telemetry_state)
                .where(TS.order_id == sa.bindparam("b_o"), TS.device_id == sa.bindparam("b_d"))
                .values({c: sa.bindparam(f"b_{c}") for c in update[0] if c not in ("order_id", "device_id")})
            )
            self._c.execute(
                stmt,
                [
                    {"b_o": r["order_id"], "b_d": r["device_id"]}
                    | {f"b_{k}": v for k, v in r.items() if k not in ("order_id", "device_id")}
                    for r in update
                ],
            )

    def cold_categories(self, order_ids: Iterable[str]) -> dict[str, set[str]]:
        """Per order, the SKU categories of its cold-chain lines (no entry: nothing cold)."""
        out: dict[str, set[str]] = {}
        for part in chunks(sorted(set(order_ids))):
            q = (
                sa.select(L.order_id, t.skus.c.category)
                .select_from(t.order_lines.join(t.skus, t.skus.c.sku == L.sku))
                .where(L.order_id.in_(part))
                .where(sa.or_(L.flags.like("%cold_chain%"), t.skus.c.flags.like("%cold_chain%")))
            )
            for oid, category in self._c.execute(q):
                out.setdefault(oid, set()).add(category)
        return out

    # order facts the playbooks change ---------------------------------------
    def set_allocation(self, order_id: str, warehouse_id: str, now_ns: int) -> None:
        """The order ships from ``warehouse_id``; a wait for stock ends, any other hold stays."""
        hold = sa.case((O.hold_reason == HoldReason.NO_STOCK.value, sa.null()), else_=O.hold_reason)
        self._c.execute(
            sa.update(t.orders)
            .where(O.id == order_id)
            .values(warehouse_id=warehouse_id, hold_reason=hold, updated_at_ns=now_ns)
        )
        self._c.execute(
            sa.update(t.order_lines).where(L.order_id == order_id).values(warehouse_id=warehouse_id)
        )

    def set_promise(self, order_id: str, promised_at_ns: int, now_ns: int) -> None:
        self._c.execute(
            sa.update(t.orders)
            .where(O.id == order_id)
            .values(promised_at_ns=promised_at_ns, updated_at_ns=now_ns)
        )

    def channels(self, order_ids: Iterable[str]) -> dict[str, str]:
        """The channel of each order that exists."""
        out: dict[str, str] = {}
        for part in chunks(sorted(set(order_ids))):
            out.update(
                {r[0]: r[1] for r in self._c.execute(sa.select(O.id, O.channel).where(O.id.in_(part)))}
            )
        return out

    def order_brief(self, order_id: str) -> dict[str, Any] | None:
        q = sa.select(
            O.id, O.channel, O.status, O.warehouse_id, O.hold_reason, O.lat, O.lng, O.promised_at_ns,
            O.total_fen,
        ).where(O.id == order_id)  # fmt: skip
        row = self._c.execute(q).mappings().first()
        return dict(row) if row else None

    def demand(self, order_id: str) -> tuple[dict[str, int], frozenset[str]]:
        """Units per SKU and the handling flags of an order's lines."""
        need: dict[str, int] = {}
        flags: set[str] = set()
        for sku, qty, fl in self._c.execute(
            sa.select(L.sku, L.quantity, L.flags).where(L.order_id == order_id)
        ):
            need[sku] = need.get(sku, 0) + qty
            flags |= from_csv(fl)
        return need, frozenset(flags)

    def add_coupon(self, order_id: str, incident_id: int, amount_fen: int, reason: str, now_ns: int) -> None:
        self._c.execute(
            sa.insert(xt.compensation_coupons).values(
                order_id=order_id,
                exception_id=incident_id,
                amount_fen=amount_fen,
                reason=reason[:200],
                issued_at_ns=now_ns,
            )
        )

    def coupons(self, order_id: str) -> list[dict[str, Any]]:
        q = sa.select(xt.compensation_coupons).where(xt.compensation_coupons.c.order_id == order_id)
        return [dict(r) for r in self._c.execute(q.order_by(xt.compensation_coupons.c.id)).mappings()]

    # health ------------------------------------------------------------------
    def health_rows(self, limit: int | None = None) -> list[tuple[Any, ...]]:
        """Open watched orders with what health needs, one tuple each (id order)."""
        q = (
            sa.select(
                W.order_id,
                W.channel,
                W.tier,
                W.hold_reason,
                W.last_milestone,
                W.last_at_ns,
                W.carrier,
                W.due_ns,
                O.warehouse_id,
                O.province,
                O.total_fen,
                O.promised_at_ns,
            )
            .select_from(xt.exception_watch.join(t.orders, O.id == W.order_id))
            .where(W.done == sa.false())
            .order_by(W.order_id)
        )
        if limit is not None:
            q = q.limit(limit)
        return [tuple(r) for r in self._c.execute(q)]
