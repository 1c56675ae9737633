"""The stored form of accepted orders: ``orders`` and ``order_lines`` rows, and the parcels
an order's lines make. Pure row building, no I/O (the repository in ``orders`` writes them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from ordo.adapters.store.rows import to_csv
from ordo.domain.orders.model import AcceptedOrder
from ordo.service.ports.orders import OrderLineRecord, ParcelRecord

#: Column order of :func:`order_tuples_of`'s rows.
ORDER_COLUMNS = (
    "id",
    "channel",
    "external_id",
    "customer_ref",
    "status",
    "warehouse_id",
    "hold_reason",
    "province",
    "city",
    "district",
    "detail",
    "adcode",
    "lat",
    "lng",
    "recipient_name",
    "recipient_phone",
    "goods_fen",
    "discount_fen",
    "freight_fen",
    "total_fen",
    "tags",
    "priority",
    "remark",
    "placed_at_ns",
    "paid_at_ns",
    "promised_at_ns",
    "created_at_ns",
    "updated_at_ns",
)
LINE_COLUMNS = (
    "order_id",
    "line_no",
    "sku",
    "quantity",
    "unit_price_fen",
    "discount_fen",
    "flags",
    "warehouse_id",
    "platform_line_id",
)
_NO_TAGS = "[]"


def order_tuples_of(
    accepted: Sequence[AcceptedOrder],
    line_warehouses: Sequence[Sequence[str | None] | None] | None = None,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The ``orders`` and ``order_lines`` rows of accepted orders, as tuples in ``ORDER_COLUMNS``
    / ``LINE_COLUMNS`` order, tags as JSON text: intake's insert path, with no dict per row
    (``dict(zip(ORDER_COLUMNS, row))`` where a dict is wanted).

    ``line_warehouses`` (per order, one per line; None: the order's warehouse) is where each
    line ships from when an order is split."""
    order_rows: list[tuple[Any, ...]] = []
    line_rows: list[tuple[Any, ...]] = []
    dumps = orjson.dumps
    for k, a in enumerate(accepted):
        o = a.order
        ship = o.ship_to
        goods = o.goods_fen
        oid = o.id
        at = a.accepted_at_ns
        order_rows.append(
            (
                oid,
                o.channel,
                o.external_id,
                o.customer_ref,
                a.status,
                a.warehouse_id,
                a.hold_reason,
                ship.province,
                ship.city,
                ship.district,
                ship.detail,
                ship.adcode,
                ship.lat,
                ship.lng,
                ship.name,
                ship.phone,
                goods,
                o.discount_fen,
                o.freight_fen,
                goods - o.discount_fen + o.freight_fen,
                dumps(list(o.tags)).decode() if o.tags else _NO_TAGS,
                o.priority,
                o.remark,
                o.placed_at_ns,
                o.paid_at_ns,
                o.promised_at_ns,
                at,
                at,
            )
        )
        wh = line_warehouses[k] if line_warehouses else None
        for n, line in enumerate(o.lines):
            flags = line.flags
            line_rows.append(
                (
                    oid,
                    n,
                    line.sku,
                    line.quantity,
                    line.unit_price_fen,
                    line.discount_fen,
                    to_csv(flags) if flags else "",
                    wh[n] if wh else a.warehouse_id,
                    line.platform_line_id,
                )
            )
    return order_rows, line_rows


def parcels_of(lines: Sequence[OrderLineRecord]) -> list[ParcelRecord]:
    """The parcels an order ships as: its lines grouped by warehouse, in line order (one
    parcel unless the order was split; none before it is routed)."""
    out: dict[str, ParcelRecord] = {}
    for ln in lines:
        wh = ln.get("warehouse_id")
        if wh is not None:
            out.setdefault(wh, {"warehouse_id": wh, "lines": []})["lines"].append(ln["line_no"])
    return list(out.values())
