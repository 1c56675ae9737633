"""Merge candidates (合单): one customer's orders to one door that can ship as one parcel.

Orders qualify while they are still in the warehouse's hands (nothing at or past
``outbound``, not cancelled), are allocated to the same warehouse, go to the same
address and recipient, and are not sealed. Sealed is a tag convention: ``cod`` /
``货到付款`` (cash on delivery is collected per waybill) and ``sealed`` / ``封单`` /
``不拆不合`` (the channel, an operator or a rule — ``标记 封单`` — forbids touching the
order; the router never splits these either). Candidates are placed
within a window of each other. Checking an operator's merge uses the same rules.

Pure: the caller reads the orders and passes them in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ordo.domain.errors import LifecycleViolation, ValidationError
from ordo.domain.orders.milestones import LEFT_WAREHOUSE, Milestone

TAG_COD = "cod"
TAG_SEALED = "sealed"
#: Tags that keep an order out of any parcel merge.
SEALING_TAGS = frozenset({TAG_COD, TAG_SEALED, "货到付款", "封单", "不拆不合"})
#: Side states after which an order ships nothing.
_CLOSED = frozenset({Milestone.CANCELLED, Milestone.REFUNDED, Milestone.RETURN_REQUESTED, Milestone.RETURNED})
#: Default window: orders placed within a day of each other are proposed together.
DEFAULT_WINDOW_NS = 24 * 3600 * 1_000_000_000


def address_key(province: str, city: str, district: str, detail: str, name: str) -> str:
    """One door and one name on the label, spelled the same however a channel typed it.

    The phone is left out on purpose: platforms hand out a privacy number (隐私号) per order.
    """
    text = "|".join((province, city, district, detail, name))
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@dataclass(frozen=True, slots=True)
class OpenOrder:
    id: str
    customer_id: str
    address: str
    warehouse_id: str | None
    placed_at_ns: int
    steps: frozenset[Milestone]
    tags: tuple[str, ...] = ()
    parcel_id: str | None = None


def obstacle(order: OpenOrder) -> LifecycleViolation | None:
    """Why this order cannot join a parcel, or None."""
    if not _CLOSED.isdisjoint(order.steps):
        return LifecycleViolation(
            "order_closed",
            "order is cancelled or returned / 订单已取消或退货，不能合单",
            order_id=order.id,
        )
    if not LEFT_WAREHOUSE.isdisjoint(order.steps):
        return LifecycleViolation(
            "already_shipped", "goods have left the warehouse / 货物已出库，不能合单", order_id=order.id
        )
    sealing = SEALING_TAGS.intersection(order.tags)
    if sealing:
        return LifecycleViolation(
            "order_sealed",
            f"order is sealed ({', '.join(sorted(sealing))}) / 订单已封单或货到付款，不能合单",
            order_id=order.id,
        )
    if order.parcel_id is not None:
        return LifecycleViolation(
            "already_in_parcel",
            f"order already ships in parcel {order.parcel_id} / 订单已合入包裹 {order.parcel_id}",
            order_id=order.id,
            parcel_id=order.parcel_id,
        )
    if order.warehouse_id is None:
        return LifecycleViolation(
            "not_allocated", "order has no warehouse yet / 订单尚未分仓，不能合单", order_id=order.id
        )
    return None


def candidates(
    orders: Iterable[OpenOrder], window_ns: int = DEFAULT_WINDOW_NS
) -> list[tuple[OpenOrder, ...]]:
    """Groups of two or more orders that may ship as one parcel, oldest first within each."""
    groups: dict[tuple[str, str, str], list[OpenOrder]] = {}
    for o in orders:
        if obstacle(o) is None:
            assert o.warehouse_id is not None
            groups.setdefault((o.customer_id, o.address, o.warehouse_id), []).append(o)
    out: list[tuple[OpenOrder, ...]] = []
    for members in groups.values():
        members.sort(key=lambda o: (o.placed_at_ns, o.id))
        run: list[OpenOrder] = []
        for o in members:
            if run and o.placed_at_ns - run[0].placed_at_ns > window_ns:
                if len(run) > 1:
                    out.append(tuple(run))
                run = []
            run.append(o)
        if len(run) > 1:
            out.append(tuple(run))
    out.sort(key=lambda g: (g[0].placed_at_ns, g[0].id))
    return out


def check_parcel(orders: Sequence[OpenOrder]) -> None:
    """Raise unless these orders may be merged into one parcel (an operator's request)."""
    if len({o.id for o in orders}) < 2:
        raise ValidationError("order_ids", "a parcel merge needs two or more orders / 合单至少需要两个订单")
    for o in orders:
        problem = obstacle(o)
        if problem is not None:
            raise problem
    for field, code, zh in (
        ("customer_id", "different_customer", "订单属于不同客户"),
        ("address", "different_address", "收货地址或收件人不同"),
        ("warehouse_id", "different_warehouse", "订单由不同仓库发货"),
    ):
        values = {getattr(o, field) for o in orders}
        if len(values) > 1:
            raise LifecycleViolation(
                code,
                f"orders differ in {field}; they cannot ship as one parcel / {zh}，不能合单",
                order_ids=[o.id for o in orders],
            )
