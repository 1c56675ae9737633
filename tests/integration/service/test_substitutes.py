"""Substitute SKUs at stock-out: an order whose SKU no warehouse has ships the substitute the
table names for its channel, reserved and audited; the table's writes are validated and
audited; on both backends."""

from __future__ import annotations

import orjson
import pytest

from ordo.domain import events as ev
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.inventory.substitutes import Substitute
from ordo.domain.orders.model import Sku, Stock
from ordo.service.inventory.catalog import save_catalog
from ordo.service.inventory.substitutes import delete_substitute, list_substitutes, save_substitutes
from ordo.service.orders.intake import intake
from ordo.service.orders.worklist import detail
from tests.conftest import SKUS, STOCK, WAREHOUSES, make_app, new_order
from tests.integration.service.routing_helpers import stored_order

EXTRA = [Sku("SKU-GONE", "旧款杯", "home", 3_900, 400), Sku("SKU-ALT", "新款杯", "home", 4_200, 400)]


@pytest.fixture(params=["sqlite", "postgresql"])
def shop(request, clock):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = make_app(url, clock)
    save_catalog(
        app, warehouses=WAREHOUSES, skus=[*SKUS, *EXTRA], stock=[*STOCK, Stock("WH-SH", "SKU-ALT", 10)]
    )
    yield app
    app.store.dispose()


def _events(app, kind: str) -> list[dict]:
    with app.store.uow(read_only=True) as uow:
        return uow.outbox.after(0, limit=1000, types=[kind])


def _payload(e: dict) -> dict:
    p = e["payload"]
    return orjson.loads(p) if isinstance(p, str | bytes) else p


def test_a_stock_out_ships_the_channel_s_substitute_and_says_so(shop):
    save_substitutes(shop, [Substitute("SKU-GONE", "SKU-ALT", 1, "tmall", 0)], by="alice")
    [r] = intake(shop, [new_order("SUB-1", [("SKU-GONE", 2), ("SKU-TEA", 1)])])
    assert r.hold_reason is None and r.warehouse_id == "WH-SH"
    order = stored_order(shop, r.order_id)
    lines = {ln["sku"]: ln["quantity"] for ln in order["lines"]}
    assert lines == {"SKU-ALT": 2, "SKU-TEA": 1}
    # Reserved as it ships, and the substitute's units left are what the panel shows.
    [row] = list_substitutes(shop, "SKU-GONE", "tmall")
    assert row["available"] == 8 and row["warehouses"][0]["warehouse_id"] == "WH-SH"
    [swapped] = [e for e in _events(shop, ev.ORDER_SUBSTITUTED) if e["order_id"] == r.order_id]
    payload = _payload(swapped)
    assert payload["swaps"] == [{"sku": "SKU-GONE", "quantity": 2, "substitute": "SKU-ALT", "units": 2}]
    assert payload["by"]
    # The order page's "who did what" names the substitution.
    page = detail(shop, r.order_id)
    assert page is not None and "order.substituted" in [a["type"] for a in page["audit"]]


def test_another_channel_or_an_order_that_says_no_stays_held(shop):
    save_substitutes(shop, [Substitute("SKU-GONE", "SKU-ALT", 1, "tmall", 0)], by="alice")
    [jd] = intake(shop, [new_order("SUB-2", [("SKU-GONE", 1)], channel="jd")])
    assert jd.hold_reason == "no_stock"
    assert stored_order(shop, jd.order_id)["lines"][0]["sku"] == "SKU-GONE"


def test_without_a_row_a_stock_out_is_held_as_before(shop):
    [r] = intake(shop, [new_order("SUB-3", [("SKU-GONE", 1)])])
    assert r.hold_reason == "no_stock"


def test_writes_are_validated_by_field_and_audited_with_who(shop):
    with pytest.raises(ValidationError) as err:
        save_substitutes(shop, [Substitute("SKU-GONE", "SKU-NOPE")], by="alice", field_prefix="items")
    assert err.value.field == "items[0].substitute"
    save_substitutes(shop, [Substitute("SKU-GONE", "SKU-ALT", 2, "", 3)], by="alice")
    [row] = list_substitutes(shop)
    assert (row["ratio"], row["priority"], row["channel"], row["updated_by"]) == (2, 3, None, "alice")
    delete_substitute(shop, "SKU-GONE", "SKU-ALT", "", by="bob")
    assert list_substitutes(shop) == []
    with pytest.raises(NotFound):
        delete_substitute(shop, "SKU-GONE", "SKU-ALT", "", by="bob")
    changes = [(_payload(e)["change"], _payload(e)["by"]) for e in _events(shop, ev.SUBSTITUTES_CHANGED)]
    assert changes == [("saved", "alice"), ("removed", "bob")]
