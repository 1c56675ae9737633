"""The tuple rows intake inserts are the dict rows the rest of Ordo (and the benchmark) uses."""

from __future__ import annotations

import dataclasses

import orjson

from ordo.adapters.store.repositories.order_rows import (
    LINE_COLUMNS,
    ORDER_COLUMNS,
    order_rows_of,
    order_tuples_of,
    parcels_of,
)
from ordo.domain.orders.model import AcceptedOrder
from tests.conftest import T0, new_order


def _accepted():
    plain = new_order("T-1", [("SKU-TEA", 2), ("SKU-MILK", 1)])
    tagged = dataclasses.replace(new_order("T-2", [("SKU-CUP", 1)]), id="O2", tags=("urgent", "加急"))
    return [
        AcceptedOrder(dataclasses.replace(plain, id="O1"), "processing", "WH-SH", None, T0),
        AcceptedOrder(tagged, "pending_stock", None, "no_stock", T0 + 1),
    ]


def test_tuple_rows_equal_the_dict_rows_column_for_column():
    accepted = _accepted()
    orders, lines = order_rows_of(accepted)
    order_tuples, line_tuples = order_tuples_of(accepted)
    for row in orders:
        row["tags"] = orjson.dumps(row["tags"]).decode()
    assert [tuple(r[c] for c in ORDER_COLUMNS) for r in orders] == order_tuples
    assert [tuple(r[c] for c in LINE_COLUMNS) for r in lines] == line_tuples
    assert set(ORDER_COLUMNS) == set(orders[0]) and set(LINE_COLUMNS) == set(lines[0])


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
