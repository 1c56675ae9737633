"""Routing decisions: one row per order and attempt, the networks they point into, re-routes.

Writes come in batches (intake writes one row per routed order in its transaction);
reads serve the explanation API and re-routing. ``data`` is stored as the service
encoded it (compact JSON text): this module never looks inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.rows import bulk_insert
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import routing as rt

D, N, O, L = rt.routing_decisions.c, rt.routing_networks.c, t.orders.c, t.order_lines.c

#: Statuses of an order that may still leave from another warehouse.
OPEN_STATUSES = ("pending_payment", "paid", "processing", "in_warehouse")


class RoutingRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    # decisions --------------------------------------------------------------
    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        bulk_insert(self._c, rt.routing_decisions, rows)

    def attempts(self, order_id: str) -> list[dict[str, Any]]:
        q = sa.select(rt.routing_decisions).where(D.order_id == order_id).order_by(D.attempt)
        return [dict(r) for r in self._c.execute(q).mappings()]

    # networks ---------------------------------------------------------------
    def network(self, digest: str) -> str | None:
        return self._c.execute(sa.select(N.warehouses).where(N.digest == digest)).scalar()

    def save_network(self, digest: str, warehouses: str, now_ns: int) -> None:
        """Store a network once; a second call with the same digest does nothing."""
        if self.network(digest) is None:
            self._c.execute(
                sa.insert(rt.routing_networks).values(
                    digest=digest, warehouses=warehouses, created_at_ns=now_ns
                )
            )

    # orders, as re-routing needs them ---------------------------------------------
    def order_exists(self, order_id: str) -> bool:
        """A plain look (``OrderRepository.progress`` would lock the row on PostgreSQL)."""
        return self._c.execute(sa.select(O.id).where(O.id == order_id)).first() is not None

    def open_orders_at(self, warehouse_id: str, limit: int = 10_000) -> list[str]:
        """Orders reserved at a warehouse whose status still lets them leave from another."""
        q = (
            sa.select(O.id)
            .where(O.warehouse_id == warehouse_id, O.status.in_(OPEN_STATUSES))
            .order_by(O.id)
            .limit(limit)
        )
        return list(self._c.execute(q).scalars())

    def set_plan(self, order_id: str, warehouse_id: str | None, hold_reason: str | None, now_ns: int) -> None:
        """Point an order (and its lines) at its new warehouse, or hold it unrouted."""
        self._c.execute(
            sa.update(t.orders)
            .where(O.id == order_id)
            .values(warehouse_id=warehouse_id, hold_reason=hold_reason, updated_at_ns=now_ns)
        )
        self._c.execute(
            sa.update(t.order_lines).where(L.order_id == order_id).values(warehouse_id=warehouse_id)
        )
