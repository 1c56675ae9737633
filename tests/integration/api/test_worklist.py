"""The order workbench over HTTP, on SQLite and PostgreSQL: search by platform order number,
internal id, phone, recipient and SKU with a true total; the order page; bulk actions with
a result per order; export to .xlsx masked by role; saved views per person."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from ordo.api import create_app
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.runtime.keys import create_key
from tests.conftest import make_app, seed_tiny_world
from tests.integration.api.conftest import TestClient, order_json

Headers = dict[str, str]
Walk = tuple[TestClient, Headers, Headers]


def _submit(client: TestClient, ops: Headers, external_id: str, **kw: Any) -> str:
    r = client.post("/api/v1/orders", json=order_json(external_id, **kw), headers=ops)
    assert r.status_code == 201, r.text
    order_id: str = r.json()["results"][0]["order_id"]
    return order_id


def _search(client: TestClient, headers: Headers, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/worklist/orders", params=params, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def walk_search_page_bulk_export(client: TestClient, ops: Headers, viewer: Headers) -> None:
    a = _submit(client, ops, "TB-900001", lines=[("SKU-TEA", 2), ("SKU-CUP", 1)])
    ship_to = {**order_json("x")["ship_to"], "name": "李四", "phone": "13900001111"}
    b = _submit(client, ops, "JD-900002", channel="jd", ship_to=ship_to, lines=[("SKU-MILK", 3)])
    c = _submit(client, ops, "TB-900003", province="广东省", city="广州市")

    # exact lookups, each with the true total
    assert [o["id"] for o in _search(client, viewer, external_id="JD-900002")["orders"]] == [b]
    assert [o["id"] for o in _search(client, viewer, order_id=a)["orders"]] == [a]
    found = _search(client, viewer, phone="139 0000 1111")
    assert [o["id"] for o in found["orders"]] == [b]
    assert found["orders"][0]["recipient_phone"] == "139****1111"  # a viewer sees it masked
    assert _search(client, ops, phone="13900001111")["orders"][0]["recipient_phone"] == "13900001111"
    assert [o["id"] for o in _search(client, viewer, recipient="李四")["orders"]] == [b]
    assert [o["id"] for o in _search(client, viewer, sku="SKU-CUP")["orders"]] == [a]
    assert [o["id"] for o in _search(client, viewer, province="广东")["orders"]] == [c]
    page = _search(client, viewer, limit=1)
    assert (len(page["orders"]), page["total"], page["total_capped"]) == (1, 3, False)
    assert _search(client, viewer, external_id="NOPE")["total"] == 0
    bad = client.get("/api/v1/worklist/orders", params={"phone": "abc"}, headers=viewer)
    assert bad.status_code == 422 and "phone" in bad.text

    # the order page: lines with names and gifts, parcels with names, promise, milestones
    r = client.get(f"/api/v1/worklist/orders/{a}", headers=viewer)
    assert r.status_code == 200, r.text
    page_a = r.json()
    assert [(ln["sku"], ln["quantity"]) for ln in page_a["lines"]] == [("SKU-TEA", 2), ("SKU-CUP", 1)]
    assert all(ln["name"] for ln in page_a["lines"])
    assert page_a["lines"][0]["amount_fen"] == 2 * 12_800
    assert page_a["parcels"] and page_a["parcels"][0]["warehouse_name"]
    assert page_a["milestones"] and all("source" in m and m["label"]["zh"] for m in page_a["milestones"])
    assert page_a["recipient_name"] == "张**"
    assert client.get("/api/v1/worklist/orders/NOPE", headers=viewer).status_code == 404

    # bulk hold, then release: one result per order, an unknown id reported, not fatal
    r = client.post(
        "/api/v1/worklist/bulk",
        json={"action": "hold", "order_ids": [a, b, "O-MISSING"], "reason": "核对地址"},
        headers=ops,
    )
    assert r.status_code == 200, r.text
    outcomes = {x["order_id"]: x["outcome"] for x in r.json()["results"]}
    assert outcomes == {a: "held", b: "held", "O-MISSING": "not_found"}
    assert {o["id"] for o in _search(client, viewer, held="true")["orders"]} == {a, b}
    audit = client.get(f"/api/v1/worklist/orders/{a}", headers=viewer).json()["audit"]
    assert any(e["type"] == "order.held" for e in audit), audit
    r = client.post("/api/v1/worklist/bulk", json={"action": "release", "order_ids": [a, b]}, headers=ops)
    assert {x["outcome"] for x in r.json()["results"]} == {"released"}
    r = client.post("/api/v1/worklist/bulk", json={"action": "hold", "order_ids": [a]}, headers=viewer)
    assert r.status_code == 403
    too_many = {"action": "hold", "order_ids": [f"O-{n}" for n in range(501)]}
    assert client.post("/api/v1/worklist/bulk", json=too_many, headers=ops).status_code == 422
    no_wh = {"action": "change_warehouse", "order_ids": [a]}
    r = client.post("/api/v1/worklist/bulk", json=no_wh, headers=ops)
    assert r.status_code == 422 and r.json()["details"]["field"] == "warehouse_id"

    # change warehouse through the router; a warehouse without the stock refuses, untouched
    move = {"action": "change_warehouse", "warehouse_id": "WH-GZ", "order_ids": [a, b]}
    r = client.post("/api/v1/worklist/bulk", json=move, headers=ops)
    assert r.status_code == 200, r.text
    got = {x["order_id"]: x for x in r.json()["results"]}
    assert got[a]["outcome"] == "moved" and got[a]["warehouse_ids"] == ["WH-GZ"], got[a]
    assert got[b]["outcome"] == "refused" and got[b]["error"]["details"]["skus"] == ["SKU-MILK"]
    assert client.get(f"/api/v1/worklist/orders/{a}", headers=viewer).json()["warehouse_id"] == "WH-GZ"
    assert client.get(f"/api/v1/worklist/orders/{b}", headers=viewer).json()["warehouse_id"] == "WH-SH"
    again = client.post("/api/v1/worklist/bulk", json={**move, "order_ids": [a]}, headers=ops).json()
    assert again["results"][0]["outcome"] == "unchanged"
    # approve lets go of review holds only: these orders await no review
    r = client.post("/api/v1/worklist/bulk", json={"action": "approve", "order_ids": [a]}, headers=ops)
    assert r.json()["results"][0]["outcome"] == "skipped"

    # export of the current view, masked for a viewer
    r = client.post("/api/v1/worklist/exports", params={"channel": "tmall"}, headers=viewer)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["total"] == 2
    for _ in range(200):
        job = client.get(f"/api/v1/worklist/exports/{job['id']}", headers=viewer).json()
        if job["state"] != "running":
            break
        time.sleep(0.05)
    assert (job["state"], job["rows"]) == ("done", 2), job
    assert client.get(f"/api/v1/worklist/exports/{job['id']}", headers=ops).status_code == 404  # not theirs
    r = client.get(f"/api/v1/worklist/exports/{job['id']}/file", headers=viewer)
    assert r.status_code == 200 and r.headers["x-row-count"] == "2"
    import openpyxl  # type: ignore[import-untyped]

    rows = list(openpyxl.load_workbook(io.BytesIO(r.content), read_only=True).active.values)
    assert len(rows) == 3 and rows[0][0].startswith("订单号")
    assert {row[1] for row in rows[1:]} == {"TB-900001", "TB-900003"}
    assert all(row[10] == "138****1234" and row[9] == "张**" for row in rows[1:])
    assert all(isinstance(row[11], float) and row[11] > 0 for row in rows[1:])  # yuan, a number
    assert all(isinstance(row[12], datetime) for row in rows[1:])  # a date cell, Shanghai time
    mine = client.post("/api/v1/worklist/exports", params={"channel": "jd"}, headers=ops).json()
    for _ in range(200):
        mine = client.get(f"/api/v1/worklist/exports/{mine['id']}", headers=ops).json()
        if mine["state"] != "running":
            break
        time.sleep(0.05)
    r = client.get(f"/api/v1/worklist/exports/{mine['id']}/file", headers=ops)
    [clear] = list(openpyxl.load_workbook(io.BytesIO(r.content), read_only=True).active.values)[1:]
    assert (clear[1], clear[9], clear[10]) == ("JD-900002", "李四", "13900001111")  # ops see PII

    # saved views are per person
    view = {"name": "广东待审", "query": {"province": "广东"}}
    r = client.put("/api/v1/worklist/views", json=view, headers=ops)
    assert r.status_code == 200, r.text
    assert [v["name"] for v in r.json()["views"]] == ["广东待审"]
    assert client.get("/api/v1/worklist/views", headers=viewer).json()["views"] == []
    assert client.delete("/api/v1/worklist/views/广东待审", headers=ops).json()["views"] == []
    assert client.delete("/api/v1/worklist/views/广东待审", headers=ops).status_code == 404


def test_the_workbench_on_sqlite(client: TestClient, auth: Callable[[Role], Headers]) -> None:
    walk_search_page_bulk_export(client, auth(Role.OPS), auth(Role.VIEWER))


@pytest.fixture
def pg_walk(pg_url: str, clock: Any) -> Iterator[Walk]:
    ordo = make_app(pg_url, clock)
    seed_tiny_world(ordo)
    ops = {"Authorization": f"Bearer {create_key(ordo, Role.OPS, 'pg ops')}"}
    viewer = {"Authorization": f"Bearer {create_key(ordo, Role.VIEWER, 'pg viewer')}"}
    with TestClient(create_app(ordo, Settings(database_url=pg_url))) as client:
        yield client, ops, viewer
    ordo.store.dispose()


@pytest.mark.postgres
def test_the_workbench_on_postgresql(pg_walk: Walk) -> None:
    walk_search_page_bulk_export(*pg_walk)


def test_a_key_bound_to_a_channel_acts_in_bulk_on_its_own_orders_only(
    client: TestClient, world: Any, auth: Callable[[Role], Headers]
) -> None:
    from ordo.domain.access import Scope

    ops = auth(Role.OPS)
    theirs = _submit(client, ops, "TM-1", channel="tmall")
    mine = _submit(client, ops, "JD-1", channel="jd")
    jd_only = {
        "Authorization": f"Bearer {create_key(world, Role.OPS, 'jd ops', scope=Scope(frozenset({'jd'})))}"
    }
    r = client.post(
        "/api/v1/worklist/bulk", json={"action": "hold", "order_ids": [mine, theirs]}, headers=jd_only
    )
    assert r.status_code == 403 and r.json()["error"] == "out_of_scope", r.text
    assert _search(client, ops, held="true")["total"] == 0  # refused whole: nothing held
    r = client.post("/api/v1/worklist/bulk", json={"action": "hold", "order_ids": [mine]}, headers=jd_only)
    assert [x["outcome"] for x in r.json()["results"]] == ["held"]


def test_a_bulk_carrier_change_books_the_carrier_before_collection(
    client: TestClient, world: Any, auth: Callable[[Role], Headers]
) -> None:
    from ordo.domain.orders.model import Carrier
    from ordo.service.inventory.catalog import save_catalog

    ops = auth(Role.OPS)
    order = _submit(client, ops, "CAR-1")  # routed in the tiny world (its own delivery)
    save_catalog(world, carriers=[Carrier("SF", "顺丰"), Carrier("JT", "极兔")])
    body = {"action": "change_carrier", "carrier_id": "SF", "order_ids": [order, "O-NONE"]}
    r = client.post("/api/v1/worklist/bulk", json=body, headers=ops)
    assert r.status_code == 200, r.text
    assert [x["outcome"] for x in r.json()["results"]] == ["switched", "not_found"]
    page = client.get(f"/api/v1/worklist/orders/{order}", headers=ops).json()
    assert page["parcels"][0]["carrier_name"] == "顺丰"
    assert [e["type"] for e in page["audit"]][-1:] == ["order.carrier_switched"]
    again = client.post("/api/v1/worklist/bulk", json={**body, "order_ids": [order]}, headers=ops).json()
    assert again["results"][0]["outcome"] == "unchanged"
    bad = client.post("/api/v1/worklist/bulk", json={**body, "carrier_id": "NOPE"}, headers=ops)
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "carrier_id"
    none = client.post("/api/v1/worklist/bulk", json={**body, "carrier_id": None}, headers=ops)
    assert none.status_code == 422 and none.json()["details"]["field"] == "carrier_id"
