"""Warehouses and inventory."""

from __future__ import annotations

from ordo.domain.access import Role


def test_warehouses_are_listed_with_their_class_and_capabilities(client, auth):
    r = client.get("/api/v1/warehouses", headers=auth(Role.VIEWER))
    assert r.status_code == 200
    by_id = {w["id"]: w for w in r.json()["warehouses"]}
    assert set(by_id) == {"WH-SH", "WH-BJ", "WH-GZ"}
    assert by_id["WH-GZ"]["klass"] == "3pl"
    assert by_id["WH-SH"]["capabilities"] == ["cold_chain"]


def test_inventory_pages_through_every_row_once(client, admin):
    seen = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/inventory", params=params, headers=admin).json()
        seen += [(i["warehouse_id"], i["sku"]) for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 8
    assert seen == sorted(set(seen))


def test_inventory_shows_reservations_and_filters_by_warehouse_and_sku(client, admin, post_order):
    post_order("S-1", [("SKU-TEA", 3)])
    r = client.get("/api/v1/inventory", params={"warehouse_id": "WH-SH", "sku": "SKU-TEA"}, headers=admin)
    [row] = r.json()["items"]
    assert (row["on_hand"], row["reserved"], row["available"]) == (100, 3, 97)


def test_low_only_lists_rows_at_or_below_safety_stock(client, admin, post_order):
    post_order("S-1", [("SKU-RARE", 4)])  # 5 on hand, safety 1: now at the safety line
    r = client.get("/api/v1/inventory", params={"low_only": "true"}, headers=admin)
    assert [(i["warehouse_id"], i["sku"]) for i in r.json()["items"]] == [("WH-BJ", "SKU-RARE")]


def test_a_padded_inventory_cursor_is_a_422_naming_it(client, admin):
    import base64

    padded = base64.urlsafe_b64encode(b'{"evil": 1}').decode()  # issued cursors carry no "="
    r = client.get("/api/v1/inventory", params={"cursor": padded}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "cursor"
