"""Submitting, reading and searching orders through the API."""

from __future__ import annotations

from ordo.domain.access import Role
from tests.integration.api.conftest import count_rows, order_json

URL = "/api/v1/orders"


def test_a_single_order_is_created_and_routed_to_the_nearest_warehouse(client, admin):
    r = client.post(URL, json=order_json("T-1"), headers=admin)
    assert r.status_code == 201
    body = r.json()
    assert body["created"] == 1 and body["duplicates"] == 0
    [result] = body["results"]
    assert result["outcome"] == "created"
    assert result["order_id"].startswith("OR")
    assert result["warehouse_id"] == "WH-SH"
    assert result["status"] == "processing"


def test_a_batch_is_answered_per_order_in_input_order_including_duplicates(client, admin, post_order):
    post_order("T-1")
    batch = {"orders": [order_json("T-2"), order_json("T-1"), order_json("T-3"), order_json("T-2")]}
    r = client.post(URL, json=batch, headers=admin)
    assert r.status_code == 201
    body = r.json()
    assert [x["outcome"] for x in body["results"]] == ["created", "duplicate", "created", "duplicate"]
    assert [x["index"] for x in body["results"]] == [0, 1, 2, 3]
    assert body["created"] == 2 and body["duplicates"] == 2


def test_an_order_with_no_stock_anywhere_is_accepted_and_held(client, admin):
    r = client.post(URL, json=order_json("T-1", [("SKU-RARE", 50)]), headers=admin)
    assert r.status_code == 201
    [result] = r.json()["results"]
    assert result["warehouse_id"] is None
    assert result["hold_reason"] == "no_stock"


def test_a_batch_with_one_invalid_order_writes_nothing(client, admin, world):
    batch = {"orders": [order_json("T-1"), order_json("T-2", [("SKU-NOPE", 1)])]}
    r = client.post(URL, json=batch, headers=admin)
    assert r.status_code == 422
    assert r.json()["error"] == "unknown_sku"
    assert r.json()["details"]["field"] == "orders[1].lines[0].sku"
    assert count_rows(world, "orders") == 0


def test_a_stored_order_is_read_back_with_lines_milestones_and_times(client, admin, post_order):
    order_id = post_order("T-1", [("SKU-TEA", 2), ("SKU-CUP", 1)])
    r = client.get(f"{URL}/{order_id}", headers=admin)
    assert r.status_code == 200
    order = r.json()
    assert order["id"] == order_id
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("SKU-TEA", 2), ("SKU-CUP", 1)]
    assert order["total_fen"] == 2 * 12_800 + 3_900
    assert {m["milestone"] for m in order["milestones"]} == {"created", "paid", "stock_locked", "routed"}
    assert order["placed_at"] == "2026-11-11T08:00:00+08:00"
    assert order["placed_at_ns"] == 1_794_355_200 * 10**9


def test_times_without_an_offset_are_read_as_china_standard_time(client, admin):
    body = order_json("T-1", placed_at="2026-11-11T08:00:00", paid_at="2026-11-11T00:00:00Z")
    order_id = client.post(URL, json=body, headers=admin).json()["results"][0]["order_id"]
    order = client.get(f"{URL}/{order_id}", headers=admin).json()
    assert order["placed_at_ns"] == 1_794_355_200 * 10**9
    assert order["paid_at_ns"] == order["placed_at_ns"]


def test_an_unknown_order_is_a_json_404(client, admin):
    r = client.get(f"{URL}/OR0000000000NOTHERE", headers=admin)
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert "订单不存在" in r.json()["message"]


def test_an_absurdly_long_order_id_is_a_404_not_a_query(client, admin):
    r = client.get(f"{URL}/{'X' * 5000}", headers=admin)
    assert r.status_code == 404


def test_search_pages_through_every_order_once_newest_first(client, admin, post_order, clock):
    ids = []
    for i in range(7):
        ids.append(post_order(f"T-{i}"))
        clock.advance(1)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        r = client.get(URL, params=params, headers=admin)
        assert r.status_code == 200
        page = r.json()
        seen += [o["id"] for o in page["orders"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(ids, reverse=True)


def test_search_filters_by_channel_status_province_and_creation_time(client, admin, post_order, clock):
    post_order("T-1", channel="jd")
    post_order("T-2", channel="tmall", province="广东省", city="广州市")
    clock.advance(3600)
    late = post_order("T-3", channel="tmall", paid=False)

    def ids(**params):
        r = client.get(URL, params=params, headers=admin)
        assert r.status_code == 200, r.text
        return [o["external_id"] for o in r.json()["orders"]]

    assert ids(channel="jd") == ["T-1"]
    assert ids(province="广东省") == ["T-2"]
    assert ids(status="pending_payment") == ["T-3"]
    assert ids(created_from="2026-11-11T08:30:00+08:00") == ["T-3"]
    assert ids(created_to="2026-11-11T08:30:00+08:00", channel="tmall") == ["T-2"]
    assert late


def test_search_refuses_an_unknown_status_naming_the_parameter(client, admin):
    r = client.get(URL, params={"status": "teleported"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "status"


def test_a_cursor_not_of_the_documented_form_is_a_422_naming_it(client, admin):
    r = client.get(URL, params={"cursor": "not a cursor!"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "cursor"


def test_an_integration_key_may_submit_orders(client, auth):
    r = client.post(URL, json=order_json("T-1"), headers=auth(Role.INTEGRATION))
    assert r.status_code == 201
