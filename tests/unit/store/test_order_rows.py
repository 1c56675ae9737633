"""The tuple rows intake inserts: every column of ``orders`` and ``order_lines``, in order."""

from __future__ import annotations

import dataclasses

import orjson

from ordo.adapters.store.repositories.order_rows import (
    LINE_COLUMNS,
    ORDER_COLUMNS,
    order_tuples_of,
    parcels_of,
)
from ordo.adapters.store.schema import core as t
from ordo.domain.orders.model import AcceptedOrder
from tests.conftest import T0, new_order


def _accepted():
    plain = new_order("T-1", [("SKU-TEA", 2), ("SKU-MILK", 1)])
    tagged = dataclasses.replace(new_order("T-2", [("SKU-CUP", 1)]), id="O2", tags=("urgent", "加急"))
    return [
        AcceptedOrder(dataclasses.replace(plain, id="O1"), "processing", "WH-SH", None, T0),
        AcceptedOrder(tagged, "pending_stock", None, "no_stock", T0 + 1),
    ]


def test_tuple_rows_fill_every_column_of_the_tables_from_the_order():
    accepted = _accepted()
    order_tuples, line_tuples = order_tuples_of(accepted)
    # The phone's keyed hash is added beside these by the repository (it needs the pepper).
    assert {*ORDER_COLUMNS, "recipient_phone_key"} == {c.name for c in t.orders.columns}
    assert set(LINE_COLUMNS) == {c.name for c in t.order_lines.columns}
    first, second = (dict(zip(ORDER_COLUMNS, r, strict=True)) for r in order_tuples)
    o = accepted[0].order
    assert (first["id"], first["status"], first["warehouse_id"], first["hold_reason"]) == (
        "O1",
        "processing",
        "WH-SH",
        None,
    )
    assert (first["goods_fen"], first["total_fen"]) == (o.goods_fen, o.total_fen)
    assert (first["province"], first["placed_at_ns"], first["created_at_ns"]) == (
        o.ship_to.province,
        o.placed_at_ns,
        T0,
    )
    assert (first["tags"], orjson.loads(second["tags"])) == ("[]", ["urgent", "加急"])
    assert (second["hold_reason"], second["updated_at_ns"]) == ("no_stock", T0 + 1)
    lines = [dict(zip(LINE_COLUMNS, r, strict=True)) for r in line_tuples]
    assert [(r["order_id"], r["line_no"], r["sku"], r["warehouse_id"]) for r in lines] == [
        ("O1", 0, "SKU-TEA", "WH-SH"),
        ("O1", 1, "SKU-MILK", "WH-SH"),
        ("O2", 0, "SKU-CUP", None),
    ]
    assert lines[0]["quantity"] == 2 and lines[0]["unit_price_fen"] == o.lines[0].unit_price_fen


def test_a_split_order_records_each_lines_warehouse_and_shows_as_parcels():
    accepted = _accepted()
    _, lines = order_tuples_of(accepted, [["WH-SH", "WH-BJ"], None])
    at = LINE_COLUMNS.index("warehouse_id")
    assert [r[at] for r in lines] == ["WH-SH", "WH-BJ", None]
    rows = [dict(zip(LINE_COLUMNS, r, strict=True)) for r in lines if r[0] == "O1"]
    assert parcels_of(rows) == [
        {"warehouse_id": "WH-SH", "lines": [0]},
        {"warehouse_id": "WH-BJ", "lines": [1]},
    ]
    assert parcels_of([{"line_no": 0, "warehouse_id": None}]) == []
