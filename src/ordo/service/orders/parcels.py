"""Parcel merges (合单): propose a customer's orders that can ship together, and merge them.

A merge is one transaction: the orders are read (locked on PostgreSQL), judged by
``ordo.domain.orders.consolidation``, tied to a new parcel, and announced with one
``order.parcel_merged`` event per order. Only orders still in the warehouse's hands
qualify; the lifecycle refuses the rest with a code naming the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ordo.domain import events as ev
from ordo.domain.errors import LifecycleViolation, NotFound
from ordo.domain.events import Event
from ordo.domain.orders.consolidation import OpenOrder, candidates, check_parcel
from ordo.service.runtime.app import Ordo


def _view(group: Sequence[OpenOrder]) -> dict[str, Any]:
    return {
        "order_ids": [o.id for o in group],
        "warehouse_id": group[0].warehouse_id,
        "placed_from_ns": group[0].placed_at_ns,
        "placed_to_ns": group[-1].placed_at_ns,
    }


def merge_candidates(app: Ordo, customer_id: str, *, window_s: int | None = None) -> list[dict[str, Any]]:
    """Groups of this customer's orders that could ship as one parcel, oldest first."""
    window = app.identity.merge_window_s if window_s is None else window_s
    with app.store.uow(read_only=True) as uow:
        row = uow.identity.customer(customer_id)
        if row is None:
            raise NotFound(f"no customer {customer_id!r} / 客户不存在", details={"customer_id": customer_id})
        orders = uow.parcels.open_orders(row["root"])
    return [_view(g) for g in candidates(orders, window * 1_000_000_000)]


def merge_parcel(
    app: Ordo, order_ids: Sequence[str], *, by: str, customer_id: str | None = None
) -> dict[str, Any]:
    """Merge these orders (of ``customer_id``, when given) into one parcel.

    Raises a 409-type error with the rule's code if any order may not join.
    """
    with app.store.uow() as uow:
        orders = uow.parcels.orders(order_ids)
        missing = sorted(set(order_ids) - {o.id for o in orders})
        if missing:
            raise NotFound(f"no order {missing[0]!r} / 订单不存在", details={"order_ids": missing})
        check_parcel(orders)
        if customer_id is not None:
            row = uow.identity.customer(customer_id)
            if row is None:
                raise NotFound(
                    f"no customer {customer_id!r} / 客户不存在", details={"customer_id": customer_id}
                )
            if row["root"] != orders[0].customer_id:
                raise LifecycleViolation(
                    "different_customer",
                    "these orders belong to another customer / 订单不属于该客户",
                    customer_id=customer_id,
                )
        now = app.clock.now_ns()
        parcel_id = "PA" + app.ids.order_id()[2:]
        first = orders[0]
        assert first.warehouse_id is not None
        ids = [o.id for o in orders]
        uow.parcels.add(parcel_id, first.customer_id, first.warehouse_id, ids, now, by)
        uow.outbox.append(
            Event(
                ev.PARCEL_MERGED,
                o.id,
                now,
                payload={
                    "parcel_id": parcel_id,
                    "order_ids": ids,
                    "warehouse_id": first.warehouse_id,
                    "by": by,
                },
            )
            for o in orders
        )
        uow.commit()
    app.notifier.notify()
    return {
        "parcel_id": parcel_id,
        "customer_id": first.customer_id,
        "warehouse_id": first.warehouse_id,
        "order_ids": ids,
    }
