"""Parcel merges (合单) in SQL: the orders a merge needs to judge, and the parcels made.

Reads return ``OpenOrder`` values for ``ordo.domain.orders.consolidation``; on PostgreSQL the
order rows are locked (id order), so a milestone recorded concurrently waits for the merge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.repositories.identity import pairs
from ordo.adapters.store.rows import bulk_insert, chunks
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import identity as it
from ordo.domain.orders.consolidation import OpenOrder, address_key
from ordo.domain.orders.milestones import Milestone

O, M, OC, PO = t.orders.c, t.milestones.c, it.order_customers.c, it.parcel_orders.c
#: Statuses whose orders can no longer share a parcel; skipped before any milestone is read.
_DONE = (
    "shipped",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "completed",
    "cancelled",
    "refunded",
    "returning",
    "returned",
)


class ParcelRepository:
    def __init__(self, conn: sa.Connection, *, lock_rows: bool) -> None:
        self._c = conn
        self._lock = lock_rows

    def open_orders(self, customer_id: str, limit: int = 500) -> list[OpenOrder]:
        """A customer's orders that have not shipped, newest first."""
        q = (
            sa.select(OC.order_id)
            .join(t.orders, O.id == OC.order_id)
            .where(OC.customer_id == customer_id, O.status.not_in(_DONE))
            .order_by(OC.order_id.desc())
            .limit(limit)
        )
        return self.orders(list(self._c.execute(q).scalars()))

    def orders(self, order_ids: Sequence[str]) -> list[OpenOrder]:
        """These orders as the merge rules see them (unknown ids are left out), in id order."""
        ids = sorted(set(order_ids))
        rows: dict[str, Any] = {}
        steps: dict[str, set[Milestone]] = {}
        parcel: dict[str, str] = {}
        customer: dict[str, str] = {}
        for part in chunks(ids):
            q = (
                sa.select(
                    O.id,
                    O.province,
                    O.city,
                    O.district,
                    O.detail,
                    O.recipient_name,
                    O.warehouse_id,
                    O.placed_at_ns,
                    O.tags,
                )
                .where(O.id.in_(part))
                .order_by(O.id)
            )
            if self._lock:
                q = q.with_for_update()
            rows.update({r.id: r for r in self._c.execute(q)})
            for oid, step in self._c.execute(sa.select(M.order_id, M.milestone).where(M.order_id.in_(part))):
                steps.setdefault(oid, set()).add(Milestone(step))
            parcel.update(
                pairs(self._c.execute(sa.select(PO.order_id, PO.parcel_id).where(PO.order_id.in_(part))))
            )
            customer.update(
                pairs(self._c.execute(sa.select(OC.order_id, OC.customer_id).where(OC.order_id.in_(part))))
            )
        return [
            OpenOrder(
                id=r.id,
                customer_id=customer.get(r.id, ""),
                address=address_key(r.province, r.city, r.district, r.detail, r.recipient_name),
                warehouse_id=r.warehouse_id,
                placed_at_ns=r.placed_at_ns,
                steps=frozenset(steps.get(r.id, ())),
                tags=tuple(r.tags or ()),
                parcel_id=parcel.get(r.id),
            )
            for r in rows.values()
        ]

    def add(
        self,
        parcel_id: str,
        customer_id: str,
        warehouse_id: str,
        order_ids: Sequence[str],
        now_ns: int,
        by: str,
    ) -> None:
        self._c.execute(
            sa.insert(it.parcels).values(
                id=parcel_id,
                customer_id=customer_id,
                warehouse_id=warehouse_id,
                created_at_ns=now_ns,
                created_by=by[:64],
            )
        )
        bulk_insert(
            self._c, it.parcel_orders, [{"order_id": oid, "parcel_id": parcel_id} for oid in order_ids]
        )

    def get(self, parcel_id: str) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(it.parcels).where(it.parcels.c.id == parcel_id)).mappings().first()
        if row is None:
            return None
        members = self._c.execute(
            sa.select(PO.order_id).where(PO.parcel_id == parcel_id).order_by(PO.order_id)
        )
        return {**dict(row), "order_ids": list(members.scalars())}
