"""GET /orders/{id}/routing and POST /orders/{id}/reroute, per the routing-explanation contract."""

from __future__ import annotations

from datetime import datetime

from ordo.domain.access import Role
from ordo.domain.routing import OBJECTIVES

URL = "/api/v1/orders"
ATTEMPT_KEYS = {
    "attempt", "at", "trigger", "status", "warehouse_ids", "carrier_ids", "promise_at", "profile",
    "weights", "explanation", "candidates", "rules_fired", "warehouse_names", "carrier_names",
    "objective_labels", "parcels", "excluded_groups", "lines",
}  # fmt: skip


def _check_attempt(a: dict) -> None:
    assert set(a) == ATTEMPT_KEYS
    datetime.fromisoformat(a["at"])
    if a["promise_at"] is not None:
        datetime.fromisoformat(a["promise_at"])
    assert set(a["weights"]) == {o.value for o in OBJECTIVES}
    for c in a["candidates"]:
        assert set(c) == {
            "warehouse_id",
            "warehouse_name",
            "chosen",
            "excluded",
            "score",
            "objectives",
            "km",
            "why_not",
        }
        assert (c["why_not"] is None) == c["chosen"]
        if c["excluded"] is None:
            assert isinstance(c["score"], float)
            for v in c["objectives"].values():
                assert set(v) == {"raw", "norm", "bar"} and 0 <= v["bar"] <= 1
        else:
            assert c["score"] is None and c["objectives"] == {} and not c["chosen"]


def test_any_key_reads_why_an_order_ships_from_its_warehouse_in_either_language(client, auth, post_order):
    order_id = post_order("RT-1")
    r = client.get(f"{URL}/{order_id}/routing", params={"lang": "en"}, headers=auth(Role.VIEWER))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["order_id"] == order_id
    [a] = body["attempts"]
    _check_attempt(a)
    assert (a["attempt"], a["trigger"], a["status"], a["warehouse_ids"]) == (1, "intake", "routed", ["WH-SH"])
    assert a["profile"] == "daily" and a["explanation"].startswith("weight profile daily")
    chosen = [c["warehouse_id"] for c in a["candidates"] if c["chosen"]]
    assert chosen == ["WH-SH"]
    assert {c["warehouse_id"] for c in a["candidates"]} == {"WH-SH", "WH-BJ", "WH-GZ"}
    zh = client.get(f"{URL}/{order_id}/routing", headers=auth(Role.INTEGRATION)).json()
    assert "选择 上海嘉定仓" in zh["attempts"][0]["explanation"]


def test_the_routing_view_names_warehouses_and_carriers_with_distances_and_why_not(client, auth, post_order):
    order_id = post_order("RT-NAMES")
    a = client.get(f"{URL}/{order_id}/routing", headers=auth(Role.VIEWER)).json()["attempts"][0]
    assert a["warehouse_names"] == ["上海嘉定仓"]
    assert all(set(ln) == {"sku", "quantity"} for ln in a["lines"]) and a["lines"]
    assert a["objective_labels"]["cost"] == {"zh": "运费", "en": "shipping cost", "unit": "fen"}
    assert a["objective_labels"]["saturation"]["zh"] == "产能饱和度"
    [p] = a["parcels"]
    assert p["warehouse_name"] == "上海嘉定仓" and p["carrier_name"] == a["carrier_names"][0]
    assert p["carrier_name"] != p["carrier_id"] and isinstance(p["cost_fen"], int)
    assert p["carrier_name"] in a["explanation"] and "公里" in a["explanation"]
    by_id = {c["warehouse_id"]: c for c in a["candidates"]}
    # The chosen one first; distances from the ship-to address in km, the router's own for the parcel.
    assert a["candidates"][0]["chosen"] and a["candidates"][0]["warehouse_id"] == "WH-SH"
    assert by_id["WH-SH"]["km"] < 500 < 1000 < by_id["WH-BJ"]["km"] and by_id["WH-GZ"]["km"] > 1000
    assert abs(p["km"] - by_id["WH-SH"]["km"]) < 1
    assert by_id["WH-BJ"]["why_not"].startswith("未选 WH-BJ")
    en = client.get(f"{URL}/{order_id}/routing", params={"lang": "en"}, headers=auth(Role.VIEWER)).json()
    assert en["attempts"][0]["candidates"][1]["why_not"].startswith("not WH-")


def test_excluded_warehouses_fold_by_reason_and_a_forced_warehouse_is_scored_alone(client, auth, post_order):
    order_id = post_order("RT-FORCE")
    ops = auth(Role.OPS)
    r = client.post(
        f"{URL}/{order_id}/reroute",
        json={"reason": "客户要求北京发货", "force_warehouse": "WH-BJ"},
        headers=ops,
    )
    assert r.status_code == 200, r.text
    a = r.json()
    _check_attempt(a)
    assert a["warehouse_ids"] == ["WH-BJ"] and a["warehouse_names"] == ["北京大兴仓"]
    [scored] = [c for c in a["candidates"] if c["excluded"] is None]
    assert scored["warehouse_id"] == "WH-BJ" and isinstance(scored["score"], float)
    [group] = a["excluded_groups"]
    assert group["count"] == 2 and group["labels"] == ["被路由规则排除"]
    assert {w["id"] for w in group["warehouses"]} == {"WH-SH", "WH-GZ"}
    assert all(w["name"] and w["km"] is not None for w in group["warehouses"])
    # Excluded ones come after the scored one.
    assert [c["excluded"] is None for c in a["candidates"]] == [True, False, False]
    bad = client.post(
        f"{URL}/{order_id}/reroute", json={"reason": "x", "force_warehouse": "WH-MARS"}, headers=ops
    )
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "force_warehouse"


def test_an_unknown_order_is_a_404_and_an_unrouted_one_has_no_attempts(client, admin, post_order):
    r = client.get(f"{URL}/OR-NOPE/routing", headers=admin)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    held = post_order("RT-2", ship_to={"province": "火星", "city": "奥林匹斯山", "name": "x", "phone": "1"})
    body = client.get(f"{URL}/{held}/routing", headers=admin).json()
    assert body == {"order_id": held, "attempts": []}
    bad = client.get(f"{URL}/{held}/routing", params={"lang": "fr"}, headers=admin)
    assert bad.status_code == 422


def test_reading_the_routing_needs_a_key(client, post_order):
    assert client.get(f"{URL}/OR-X/routing").status_code == 401


def test_ops_reroute_an_order_and_get_the_new_attempt(client, auth, post_order):
    order_id = post_order("RT-3")
    body = {"reason": "上海仓暴雨停工", "exclude_warehouses": ["WH-SH"]}
    r = client.post(f"{URL}/{order_id}/reroute", json=body, headers=auth(Role.OPS), params={"lang": "en"})
    assert r.status_code == 200, r.text
    a = r.json()
    _check_attempt(a)
    assert a["attempt"] == 2 and a["trigger"] == "reroute" and a["warehouse_ids"] != ["WH-SH"]
    sh = next(c for c in a["candidates"] if c["warehouse_id"] == "WH-SH")
    assert sh["excluded"] == ["excluded by a routing rule"]
    got = client.get(f"{URL}/{order_id}/routing", headers=auth(Role.VIEWER)).json()
    assert [x["attempt"] for x in got["attempts"]] == [1, 2]


def test_only_ops_and_admins_may_reroute(client, auth, post_order):
    order_id = post_order("RT-4")
    body = {"reason": "x", "exclude_warehouses": []}
    for role in (Role.VIEWER, Role.INTEGRATION, Role.FINANCE, Role.RISK):
        r = client.post(f"{URL}/{order_id}/reroute", json=body, headers=auth(role))
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert client.post(f"{URL}/{order_id}/reroute", json=body, headers=auth(Role.ADMIN)).status_code == 200


def test_a_cancelled_order_cannot_be_rerouted_and_bad_bodies_name_the_field(client, admin, post_order):
    order_id = post_order("RT-5")
    assert client.post(f"{URL}/{order_id}/cancel", json={"reason": "test"}, headers=admin).status_code == 200
    r = client.post(f"{URL}/{order_id}/reroute", json={"reason": "late"}, headers=admin)
    assert r.status_code == 409 and r.json()["error"] == "conflict"
    live = post_order("RT-6")
    for body, field in (
        ({"exclude_warehouses": []}, "reason"),
        ({"reason": "x", "exclude_warehouses": "WH-SH"}, "exclude_warehouses"),
        ({"reason": "x", "exclude_warehouses": ["WH-MARS"]}, "exclude_warehouses"),
        ({"reason": "x", "surprise": 1}, "surprise"),
    ):
        r = client.post(f"{URL}/{live}/reroute", json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text
    assert client.post(f"{URL}/OR-NOPE/reroute", json={"reason": "x"}, headers=admin).status_code == 404


def test_an_outage_reroutes_the_warehouses_open_orders(client, auth, post_order):
    ids = [post_order(f"RT-{n}") for n in range(10, 13)]
    r = client.post("/api/v1/warehouses/WH-SH/outage", json={"reason": "停电"}, headers=auth(Role.OPS))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["orders"] == 3 and out["rerouted"] == 3 and set(out["moves"]) == set(ids)
    denied = client.post("/api/v1/warehouses/WH-BJ/outage", json={"reason": "x"}, headers=auth(Role.VIEWER))
    assert denied.status_code == 403
    missing = client.post("/api/v1/warehouses/WH-MARS/outage", json={"reason": "x"}, headers=auth(Role.OPS))
    assert missing.status_code == 404
    back = client.delete("/api/v1/warehouses/WH-SH/outage", params={"reason": "来电"}, headers=auth(Role.OPS))
    assert back.status_code == 200 and back.json()["was_active"] is False, back.text
    warehouses = client.get("/api/v1/warehouses", headers=auth(Role.VIEWER)).json()["warehouses"]
    assert next(w for w in warehouses if w["id"] == "WH-SH")["active"] is True
    assert client.delete("/api/v1/warehouses/WH-SH/outage", headers=auth(Role.VIEWER)).status_code == 403
    assert client.delete("/api/v1/warehouses/WH-MARS/outage", headers=auth(Role.OPS)).status_code == 404
