"""POST /orders/{id}/hold, POST /orders/hold, POST /orders/{id}/release, PUT /orders/{id}/address
and GET /holds: who may, what 4xx bad input gets (naming the field), the 409s."""

from __future__ import annotations

from typing import Any

import pytest

from ordo.domain.access import Role
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.orders.milestones import advance
from tests.conftest import T0

URL = "/api/v1/orders"
LOST = {
    "province": "火星",
    "city": "奥林匹斯山",
    "district": "奥林帕斯区",
    "name": "张三丰",
    "phone": "13812341234",
}
FIX = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 100 号"}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FINANCE, Role.RISK, Role.INTEGRATION])
def test_only_operators_and_admins_may_hold_release_or_readdress(client, auth, post_order, role):
    order_id = post_order(f"HA-{role.value}")
    calls = [
        ("POST", f"{URL}/{order_id}/hold", {"reason": "x"}),
        ("POST", f"{URL}/hold", {"order_ids": [order_id], "reason": "x"}),
        ("POST", f"{URL}/{order_id}/release", {}),
        ("PUT", f"{URL}/{order_id}/address", FIX),
    ]
    for method, url, body in calls:
        r = client.request(method, url, json=body, headers=auth(role))
        assert r.status_code == 403, (url, r.text)
        assert r.json()["error"] == "forbidden" and "无权" in r.json()["message"]
    assert client.post(f"{URL}/{order_id}/hold", json={"reason": "x"}).status_code == 401
    order = client.get(f"{URL}/{order_id}", headers=auth(Role.ADMIN)).json()
    assert order["hold_reason"] is None


def test_an_operator_holds_and_releases_an_order_and_the_held_list_shows_it(client, auth, post_order):
    ops = auth(Role.OPS)
    order_id = post_order("HA-1")
    r = client.post(f"{URL}/{order_id}/hold", json={"reason": "渠道暂停"}, headers=ops)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "order_id": order_id,
        "outcome": "held",
        "hold_reason": "manual:渠道暂停",
        "warehouse_id": "WH-SH",
        "intercept": None,  # the warehouse did not have it yet
    }
    again = client.post(f"{URL}/{order_id}/hold", json={"reason": "again"}, headers=ops).json()
    assert again["outcome"] == "already_held" and again["hold_reason"] == "manual:渠道暂停"
    listed = client.get("/api/v1/holds", params={"kind": "manual"}, headers=auth(Role.VIEWER)).json()
    [row] = listed["orders"]
    assert (row["id"], row["hold_kind"]) == (order_id, "manual")
    assert row["recipient_phone"] == "138****1234"  # a viewer sees no personal data
    assert client.get("/api/v1/holds", params={"kind": "address"}, headers=ops).json()["orders"] == []
    r = client.post(f"{URL}/{order_id}/release", headers=ops)  # no body is fine
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "released" and r.json()["warehouse_id"] == "WH-SH"
    r = client.post(f"{URL}/{order_id}/release", json={"note": "again"}, headers=ops)
    assert r.status_code == 409 and r.json()["error"] == "not_held"
    timeline = client.get(f"{URL}/{order_id}/timeline", headers=ops).json()["entries"]
    kinds = [e["type"] for e in timeline if e["kind"] == "event"]
    assert "order.held" in kinds and "order.released" in kinds


def test_a_batch_hold_reports_each_order(client, auth, post_order):
    a, b = post_order("HA-B1"), post_order("HA-B2")
    body = {"order_ids": [a, b, "OR-NOPE"], "reason": "抖音渠道暂停", "release_stock": True}
    r = client.post(f"{URL}/hold", json=body, headers=auth(Role.ADMIN))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["held"], out["not_found"], out["refused"], out["already_held"]) == (2, 1, 0, 0)
    assert [x["warehouse_id"] for x in out["results"]] == [None, None, None]


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/{id}/hold", "POST", {}, "reason"),
        ("/{id}/hold", "POST", {"reason": ""}, "reason"),
        ("/{id}/hold", "POST", {"reason": "x" * 201}, "reason"),
        ("/{id}/hold", "POST", {"reason": "x", "why": 1}, "why"),
        ("/hold", "POST", {"order_ids": [], "reason": "x"}, "order_ids"),
        ("/hold", "POST", {"reason": "x"}, "order_ids"),
        ("/hold", "POST", {"order_ids": ["x" * 30], "reason": "x"}, "order_ids"),
        ("/{id}/release", "POST", {"note": 5}, "note"),
        ("/{id}/address", "PUT", {**FIX, "phone": "call me"}, "phone"),
        ("/{id}/address", "PUT", {"city": "杭州市"}, "province"),
        ("/{id}/address", "PUT", {**FIX, "province": "x" * 40}, "province"),
        ("/{id}/address", "PUT", {**FIX, "city": "火星市"}, "city"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, auth, post_order, path, method, body, field):
    order_id = post_order("HA-BAD")
    r = client.request(method, URL + path.format(id=order_id), json=body, headers=auth(Role.OPS))
    assert r.status_code == 422, r.text
    assert field in str(r.json()["details"]), r.json()


def test_unknown_orders_are_404_and_shipped_ones_409(client, auth, post_order, world):
    ops = auth(Role.OPS)
    for method, path, body in [
        ("POST", "hold", {"reason": "x"}),
        ("POST", "release", {}),
        ("PUT", "address", FIX),
    ]:
        r = client.request(method, f"{URL}/OR-NOPE/{path}", json=body, headers=ops)
        assert r.status_code == 404 and r.json()["error"] == "not_found"
    order_id = post_order("HA-OUT")
    advance(world, [MilestoneUpdate(order_id, Milestone.OUTBOUND, T0, "wms")])
    for method, path, body in [("POST", "hold", {"reason": "x"}), ("PUT", "address", FIX)]:
        r = client.request(method, f"{URL}/{order_id}/{path}", json=body, headers=ops)
        assert r.status_code == 409 and r.json()["error"] == "already_shipped"
        assert "已出库" in r.json()["message"]


def test_correcting_an_unresolved_address_routes_the_order(client, auth, post_order):
    ops = auth(Role.OPS)
    order_id = post_order("HA-ADDR", ship_to=LOST)
    assert client.get(f"{URL}/{order_id}", headers=ops).json()["hold_reason"] == "address_unresolved"
    r = client.post(f"{URL}/{order_id}/release", headers=ops)
    assert r.status_code == 409 and r.json()["error"] == "address_unresolved"
    [row] = client.get("/api/v1/holds", params={"kind": "address"}, headers=ops).json()["orders"]
    assert row["id"] == order_id
    r = client.put(f"{URL}/{order_id}/address", json={**FIX, "phone": "13900001111"}, headers=ops)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["warehouse_id"] == "WH-SH" and body["hold_reason"] is None and body["routing_attempt"] == 1
    assert body["adcode"] == "330106" and body["recipient_phone"] == "13900001111"
    routing = client.get(f"{URL}/{order_id}/routing", headers=ops).json()
    assert [a["trigger"] for a in routing["attempts"]] == ["address"]
    assert client.get("/api/v1/holds", headers=ops).json()["orders"] == []


def test_the_held_list_says_when_by_whom_and_the_intercept_and_filters_by_hold_time(
    client: Any, auth: Any, post_order: Any, world: Any, clock: Any
) -> None:
    from datetime import UTC, datetime

    ops = auth(Role.OPS)
    early, late = post_order("HA-T1"), post_order("HA-T2")
    advance(world, [MilestoneUpdate(late, Milestone.RELEASED_TO_WAREHOUSE, clock.now_ns(), "wms")])
    first = clock.now_ns()
    assert client.post(f"{URL}/{early}/hold", json={"reason": "早"}, headers=ops).status_code == 200
    clock.advance(3600)
    r = client.post(f"{URL}/{late}/hold", json={"reason": "晚"}, headers=ops)
    assert r.json()["intercept"] == "requested", r.text

    def listed(**params: str) -> dict[str, Any]:
        r = client.get("/api/v1/holds", params=params, headers=auth(Role.VIEWER))
        assert r.status_code == 200, r.text
        return {o["id"]: o for o in r.json()["orders"]}

    rows = listed()
    assert rows[early]["held_at_ns"] == first and rows[late]["held_at_ns"] == first + 3600 * 10**9
    assert rows[early]["held_at"].startswith(datetime.fromtimestamp(first / 1e9, UTC).strftime("%Y-%m-%d"))
    assert rows[early]["held_by"] == rows[late]["held_by"] != "intake"
    assert rows[early]["held_by"].startswith("api:")
    assert rows[early]["intercept"] is None
    assert rows[late]["intercept"]["state"] == "requested"
    half = datetime.fromtimestamp((first + 1800 * 10**9) / 1e9, UTC).isoformat()
    assert set(listed(held_from=half)) == {late}
    assert set(listed(held_to=half)) == {early}
    bad = client.get("/api/v1/holds", params={"held_from": half, "held_to": half}, headers=ops)
    assert bad.status_code == 422 and "held_to" in bad.text
    assert client.get("/api/v1/holds", params={"held_from": "yesterday"}, headers=ops).status_code == 422


def test_a_hold_intake_set_is_held_by_intake_since_the_order_arrived(
    client: Any, auth: Any, post_order: Any
) -> None:
    order_id = post_order("HA-LOST", ship_to=LOST)
    [row] = client.get("/api/v1/holds", headers=auth(Role.OPS)).json()["orders"]
    assert row["id"] == order_id
    assert row["hold_kind"] == "address" and row["held_by"] == "intake"
    assert row["held_at_ns"] == row["created_at_ns"]


def test_an_order_held_again_after_a_release_is_held_since_the_second_hold(
    client: Any, auth: Any, post_order: Any, clock: Any
) -> None:
    ops = auth(Role.OPS)
    order_id = post_order("HA-AGAIN")
    assert client.post(f"{URL}/{order_id}/hold", json={"reason": "一"}, headers=ops).status_code == 200
    assert client.post(f"{URL}/{order_id}/release", headers=ops).status_code == 200
    clock.advance(7200)
    again = clock.now_ns()
    assert client.post(f"{URL}/{order_id}/hold", json={"reason": "二"}, headers=ops).status_code == 200
    [row] = client.get("/api/v1/holds", headers=ops).json()["orders"]
    assert (row["id"], row["held_at_ns"], row["hold_reason"]) == (order_id, again, "manual:二")
