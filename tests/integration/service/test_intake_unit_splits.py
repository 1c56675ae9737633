"""A line's units split across warehouses at intake: 30 cups when 上海 and 广州 hold 20 each
ship as two parcels, each part reserved, released and shown at its own warehouse, on both
backends."""

from __future__ import annotations

import dataclasses
import random

from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.domain.orders.model import Line
from ordo.domain.routing import explain
from ordo.domain.routing.parcel_lines import shipped_lines
from ordo.domain.routing.plan import Parcel
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import cancel
from ordo.service.orders.worklist import detail
from ordo.service.routing.expand import expand
from tests.conftest import SKUS, STOCK, WAREHOUSES, new_order
from tests.integration.service.routing_helpers import decisions, stored_order


def _reserved(app) -> dict[tuple[str, str], int]:
    with app.store.uow(read_only=True) as uow:
        return {(s.warehouse_id, s.sku): s.reserved for s in uow.stock.query(limit=100)}


def test_thirty_cups_ship_as_twenty_and_ten_from_two_warehouses(shop):
    before = _reserved(shop)
    [r] = intake(shop, [new_order("UNITS-1", [("SKU-CUP", 30)])])
    assert r.hold_reason is None
    order = stored_order(shop, r.order_id)
    parts = sorted((ln["warehouse_id"], ln["quantity"]) for ln in order["lines"])
    assert sorted(q for _, q in parts) == [10, 20]
    assert {w for w, _ in parts} == {"WH-SH", "WH-GZ"}
    after = _reserved(shop)
    for wh, q in parts:
        assert after[(wh, "SKU-CUP")] == before[(wh, "SKU-CUP")] + q
    # The order keeps its amount to the fen.
    assert (
        sum(ln["quantity"] * ln["unit_price_fen"] - ln["discount_fen"] for ln in order["lines"]) == 30 * 3_900
    )
    # The order page: two parcels, each with its warehouse and its quantity.
    page = detail(shop, r.order_id)
    assert page is not None
    got = {p["warehouse_id"]: [(i["sku"], i["quantity"]) for i in p["items"]] for p in page["parcels"]}
    assert got == {wh: [("SKU-CUP", q)] for wh, q in parts}
    # The decision explains the split and the extra parcel's freight.
    [row] = decisions(shop, r.order_id)
    assert row["status"] == "split"
    with shop.store.uow(read_only=True) as uow:
        snap = expand(row, shop.caches.routing.listing(uow, row["network"]))
    assert "SKU-CUP 需要 30 件" in explain(snap, "zh") and "extra parcel" in explain(snap, "en")
    # Cancelling releases both parts.
    cancel(shop, [r.order_id], reason="changed my mind")
    assert _reserved(shop) == before


def test_more_units_than_every_warehouse_holds_is_still_a_stock_out(shop):
    [r] = intake(shop, [new_order("UNITS-2", [("SKU-CUP", 41)])])
    assert r.hold_reason == "no_stock"


def test_shipped_lines_share_the_discount_by_units_to_the_fen():
    order = new_order("X", [("SKU-CUP", 5)])
    line = Line("SKU-CUP", 5, 3_900, discount_fen=101, platform_line_id="oid-1")
    order = dataclasses.replace(order, lines=(line,))
    parcels = [Parcel("WH-SH", (("SKU-CUP", 3),), "sf", 0, 0, 0.0, 0.0),
               Parcel("WH-GZ", (("SKU-CUP", 2),), "sf", 0, 0, 0.0, 0.0)]  # fmt: skip
    cut, where = shipped_lines(order, parcels)
    assert [(ln.quantity, ln.discount_fen, ln.platform_line_id) for ln in cut.lines] == [
        (3, 60, "oid-1"),
        (2, 41, "oid-1"),
    ]
    assert where == ["WH-SH", "WH-GZ"]
    assert cut.total_fen == order.total_fen


def test_with_quantity_splits_switched_off_in_the_settings_the_order_waits_for_stock(sqlite_url, clock):
    settings = Settings(database_url=sqlite_url, quantity_split=False)
    app = bootstrap(settings, clock=clock, rng=random.Random(7))
    try:
        save_catalog(app, warehouses=WAREHOUSES, skus=SKUS, stock=STOCK)
        [r] = intake(app, [new_order("UNITS-OFF", [("SKU-CUP", 30)])])
        assert r.hold_reason == "no_stock"
    finally:
        app.store.dispose()
