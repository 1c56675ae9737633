"""The inventory API: filters, low stock, safety stock, channel stock rules; 4xx naming the field."""

from __future__ import annotations

import pytest

from ordo.domain.access import Role
from ordo.domain.inventory import stock as inv


def test_inventory_filters_by_warehouse_and_shows_pool_and_channel_sellable(client, admin):
    r = client.put("/api/v1/inventory/channels/tmall", json={"rules": [{"buffer_units": 10}]}, headers=admin)
    assert r.status_code == 200, r.text
    page = client.get("/api/v1/inventory", params={"warehouse_id": "WH-GZ"}, headers=admin).json()
    by_sku = {i["sku"]: i for i in page["items"]}
    assert set(by_sku) == {"SKU-TEA", "SKU-CUP", "SKU-GAS"}
    assert (by_sku["SKU-CUP"]["pool"], by_sku["SKU-CUP"]["sellable"]) == (40, {"tmall": 30})
    r = client.get("/api/v1/inventory", params={"channel": "douyin", "sku": "SKU-CUP"}, headers=admin)
    assert r.json() == {"items": [], "next_cursor": None}  # douyin has no stock rules: sells nothing here


def test_stock_rows_carry_the_product_and_warehouse_names_and_the_total_over_warehouses(client, admin):
    page = client.get("/api/v1/inventory", params={"sku": "SKU-CUP"}, headers=admin).json()
    rows = {i["warehouse_id"]: i for i in page["items"]}
    assert len(rows) >= 2
    names = {i["name"] for i in rows.values()}
    assert len(names) == 1 and names != {""}  # the catalogue's product name, every row
    assert rows["WH-GZ"]["warehouse_name"] not in ("", "WH-GZ")
    assert {i["pool"] for i in rows.values()} == {sum(i["available"] for i in rows.values())}


def test_an_unknown_channel_filter_is_a_422_naming_it(client, admin):
    r = client.get("/api/v1/inventory", params={"channel": "ebay"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "channel"


def test_the_low_stock_list_pages_and_takes_a_warning_threshold(client, admin, post_order):
    post_order("L-1", [("SKU-RARE", 4)])
    r = client.get("/api/v1/inventory/low", headers=admin)
    assert [(i["warehouse_id"], i["sku"]) for i in r.json()["items"]] == [("WH-BJ", "SKU-RARE")]
    r = client.get("/api/v1/inventory/low", params={"threshold": 30, "limit": 2}, headers=admin).json()
    first = [(i["warehouse_id"], i["sku"]) for i in r["items"]]
    nxt = client.get(
        "/api/v1/inventory/low", params={"threshold": 30, "cursor": r["next_cursor"]}, headers=admin
    ).json()
    rest = [(i["warehouse_id"], i["sku"]) for i in nxt["items"]]
    assert first + rest == [
        ("WH-BJ", "SKU-RARE"),
        ("WH-GZ", "SKU-CUP"),
        ("WH-GZ", "SKU-GAS"),
        ("WH-SH", "SKU-CUP"),
    ]
    assert client.get("/api/v1/inventory/low", params={"threshold": -1}, headers=admin).status_code == 422


def test_ops_sets_one_rows_safety_stock_and_a_viewer_may_not(client, auth):
    r = client.put("/api/v1/inventory/WH-SH/SKU-TEA", json={"safety": 25}, headers=auth(Role.OPS))
    assert r.status_code == 200, r.text
    assert (r.json()["safety"], r.json()["available"]) == (25, 75)
    r = client.put("/api/v1/inventory/WH-SH/SKU-TEA", json={"safety": 1}, headers=auth(Role.VIEWER))
    assert r.status_code == 403


@pytest.mark.parametrize("bad", [-1, 1.5, "3", None, True, inv.MAX_UNITS + 1])
def test_a_bad_safety_value_is_a_422_naming_safety(client, admin, bad):
    r = client.put("/api/v1/inventory/WH-SH/SKU-TEA", json={"safety": bad}, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == "safety"


def test_safety_for_an_unknown_warehouse_is_a_404_naming_it(client, admin):
    r = client.put("/api/v1/inventory/WH-XX/SKU-TEA", json={"safety": 1}, headers=admin)
    assert r.status_code == 404
    assert r.json()["details"]["field"] == "warehouse_id"


def test_safety_is_set_in_batches_and_a_bad_item_names_its_index(client, admin):
    items = [
        {"warehouse_id": "WH-SH", "sku": "SKU-TEA", "safety": 5},
        {"warehouse_id": "WH-GZ", "sku": "SKU-CUP", "safety": 20},
    ]
    r = client.put("/api/v1/inventory/safety", json={"items": items}, headers=admin)
    assert r.status_code == 200, r.text
    assert {(i["warehouse_id"], i["sku"], i["available"], i["low"]) for i in r.json()["items"]} == {
        ("WH-SH", "SKU-TEA", 95, False),
        ("WH-GZ", "SKU-CUP", 0, True),
    }
    items[1]["safety"] = -5
    r = client.put("/api/v1/inventory/safety", json={"items": items}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "items[1].safety"
    items[1] = {"warehouse_id": "WH-GZ", "sku": "NOPE", "safety": 1}
    r = client.put("/api/v1/inventory/safety", json={"items": items}, headers=admin)
    assert r.status_code == 404
    assert r.json()["details"]["field"] == "items[1].sku"


def test_channel_rules_are_set_listed_shown_with_sellable_and_deleted(client, admin):
    rules = [{"sku": "SKU-TEA", "exclusive": 100}, {"buffer_pct": 20, "zero_below": 10}]
    r = client.put("/api/v1/inventory/channels/douyin", json={"rules": rules}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["sync_events"] == 1
    listed = client.get("/api/v1/inventory/channels", headers=admin).json()["rules"]
    assert [(x["channel"], x["sku"]) for x in listed] == [("douyin", "*"), ("douyin", "SKU-TEA")]
    view = client.get("/api/v1/inventory/channels/douyin", params={"limit": 2}, headers=admin).json()
    assert [(i["sku"], i["sellable"], i["published"]) for i in view["items"]] == [
        ("SKU-CUP", 32, 32),
        ("SKU-GAS", 24, 24),
    ]
    rest = client.get(
        "/api/v1/inventory/channels/douyin", params={"cursor": view["next_cursor"]}, headers=admin
    ).json()
    assert [(i["sku"], i["sellable"]) for i in rest["items"]] == [
        ("SKU-MILK", 40),
        ("SKU-RARE", 0),  # 4 to promise, 20 % buffer → 3, below the floor of 10
        ("SKU-TEA", 300),
    ]
    assert client.delete("/api/v1/inventory/channels/douyin/SKU-TEA", headers=admin).status_code == 200
    assert client.delete("/api/v1/inventory/channels/douyin/SKU-TEA", headers=admin).status_code == 404


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"buffer_pct": 101}, "rules[0].buffer_pct"),
        ({"buffer_units": -1}, "rules[0].buffer_units"),
        ({"exclusive": 2.5}, "rules[0].exclusive"),
        ({"threshold": 0}, "rules[0].threshold"),
        ({"sku": "NOPE"}, "rules[0].sku"),
        ({"colour": "red"}, "rules[0].colour"),
    ],
)
def test_a_bad_channel_rule_is_a_422_naming_its_field(client, admin, rule, field):
    r = client.put("/api/v1/inventory/channels/tmall", json={"rules": [rule]}, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == field


def test_an_unknown_channel_in_the_path_is_a_422(client, admin):
    r = client.put("/api/v1/inventory/channels/ebay", json={"rules": [{}]}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "channel"
    assert client.get("/api/v1/inventory/channels/ebay", headers=admin).status_code == 422


def test_writing_rules_needs_the_inventory_permission(client, auth):
    r = client.put("/api/v1/inventory/channels/tmall", json={"rules": [{}]}, headers=auth(Role.FINANCE))
    assert r.status_code == 403


def test_two_rules_for_one_sku_in_a_request_are_a_422_naming_the_second(client, admin):
    rules = [{"sku": "SKU-TEA"}, {"sku": "SKU-CUP"}, {"sku": "SKU-TEA", "exclusive": 3}]
    r = client.put("/api/v1/inventory/channels/tmall", json={"rules": rules}, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == "rules[2].sku"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("put", "/api/v1/inventory/WH-SH/SKU%00X", {"safety": 1}, "sku"),
        ("put", "/api/v1/inventory/" + "W" * 40 + "/SKU-TEA", {"safety": 1}, "warehouse_id"),
        ("delete", "/api/v1/inventory/channels/tmall/SKU%00X", None, "sku"),
        ("put", "/api/v1/inventory/channels/tmall", {"rules": [{"sku": "A\u0000B"}]}, "rules[0].sku"),
        (
            "put",
            "/api/v1/inventory/safety",
            {"items": [{"warehouse_id": "", "sku": "X", "safety": 1}]},
            "items[0].warehouse_id",
        ),
    ],
)
def test_hostile_ids_are_a_422_naming_the_field_never_a_5xx(client, admin, method, path, body, field):
    r = client.request(method, path, json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == field
