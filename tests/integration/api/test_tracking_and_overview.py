"""Tracking links (unguessable, public, nothing internal) and the overview projection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ordo.domain.access import Role
from tests.integration.api.conftest import TestClient

Auth = Callable[[Role], dict[str, str]]


def test_a_tracking_link_shows_masked_data_and_nothing_internal(
    client: TestClient, auth: Auth, post_order: Callable[..., str]
) -> None:
    order_id = post_order("TRK-1")
    link = client.get(f"/api/v1/orders/{order_id}/tracking", headers=auth(Role.VIEWER)).json()
    assert link["url"] == f"/track/{link['token']}" and link["token"].startswith(order_id + "-")
    again = client.get(f"/api/v1/orders/{order_id}/tracking", headers=auth(Role.OPS)).json()
    assert again["token"] == link["token"]
    view = client.get(f"/api/v1/track/{link['token']}")  # no key needed
    assert view.status_code == 200
    body = view.json()
    assert body["ship_to"]["phone"] == "138****1234" and body["ship_to"]["name"] == "张**"
    text = view.text
    for internal in ("13812341234", "WH-", "warehouse", "source", "total_fen", "hold_reason"):
        assert internal not in text
    assert [s["milestone"] for s in body["steps"]][:2] == ["created", "paid"]


def test_the_tracking_page_shows_the_platform_number_items_waybill_and_a_live_eta(
    client: TestClient, auth: Auth, post_order: Callable[..., str], clock: Any
) -> None:
    from datetime import datetime

    order_id = post_order("TRK-ETA")
    clock.advance(3 * 86_400)  # the reports below are stamped over the days after the order
    token = client.get(f"/api/v1/orders/{order_id}/tracking", headers=auth(Role.VIEWER)).json()["token"]
    routed = client.get(f"/api/v1/orders/{order_id}/routing", headers=auth(Role.VIEWER)).json()["attempts"][
        -1
    ]
    carrier_id = routed["carrier_ids"][0]
    # The catalog's name (顺丰速运 …); the warehouses' own booking in buyer's words.
    carrier_name = "商家合作快递" if carrier_id == "house" else routed["carrier_names"][0]
    before = client.get(f"/api/v1/track/{token}").json()
    assert before["order_no"] == "TRK-ETA" and before["items"] and before["items"][0]["quantity"] >= 1
    assert before["items"][0]["name"] and before["waybill"] is None and before["carrier"] is None
    # Before pickup the estimate is the promise stored at routing.
    assert before["promised_at"] is not None and before["eta"] == before["promised_at"]

    def report(milestone: str, at: str, source: str, note: str = "") -> None:
        body = {
            "updates": [
                {"order_id": order_id, "milestone": milestone, "at": at, "source": source, "note": note}
            ]
        }
        r = client.post("/api/v1/milestones", json=body, headers=auth(Role.ADMIN))
        assert r.json()["results"][0]["outcome"] == "recorded", r.text

    report("released_to_warehouse", "2026-11-11T08:10:00+08:00", "oms")
    report("picked", "2026-11-11T08:20:00+08:00", "wms")
    seller = client.get(f"/api/v1/track/{token}").json()
    assert seller["status_label"] == {"zh": "商家正在备货", "en": "The seller is preparing your order"}
    report("packed", "2026-11-11T08:30:00+08:00", "wms")
    report("waybill_issued", "2026-11-11T08:31:00+08:00", "tms", f"{carrier_id}:WB123456789")
    report("outbound", "2026-11-11T09:00:00+08:00", "wms")
    report("collected", "2026-11-11T12:00:00+08:00", carrier_id)
    after = client.get(f"/api/v1/track/{token}")
    body = after.json()
    # After pickup: the waybill with its carrier's name, and an estimate from the pickup time.
    assert body["waybill"] == "WB123456789" and body["carrier"] == carrier_name
    assert body["waybills"] == [{"number": "WB123456789", "carrier": carrier_name}]
    eta = datetime.fromisoformat(body["eta"])
    assert eta > datetime.fromisoformat("2026-11-11T12:00:00+08:00")
    assert "仓库作业中" not in after.text and "WH-" not in after.text
    report("delivered", "2026-11-12T10:00:00+08:00", carrier_id)
    done = client.get(f"/api/v1/track/{token}").json()
    assert done["eta"] is None if "eta" in done else done["eta_ns"] is None
    assert done["delivered_at"].startswith("2026-11-12")


def test_a_forged_or_guessed_tracking_token_is_a_404(
    client: TestClient, auth: Auth, post_order: Callable[..., str]
) -> None:
    order_id = post_order("TRK-2")
    token = client.get(f"/api/v1/orders/{order_id}/tracking", headers=auth(Role.VIEWER)).json()["token"]
    for bad in (order_id, f"{order_id}-", token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 300):
        assert client.get(f"/api/v1/track/{bad}").status_code == 404
    assert client.get("/api/v1/orders/NOPE/tracking", headers=auth(Role.VIEWER)).status_code == 404


def test_the_overview_counts_new_orders_incrementally(
    client: TestClient, auth: Auth, post_order: Callable[..., str]
) -> None:
    post_order("OV-1")
    first = client.get("/api/v1/stats/overview", headers=auth(Role.VIEWER)).json()
    assert first["total_orders"] == 1 and first["by_channel"] == {"tmall": 1}
    post_order("OV-2", channel="jd")
    post_order("OV-3", province="上海市", city="上海市")
    second = client.get("/api/v1/stats/overview", headers=auth(Role.VIEWER)).json()
    assert second["total_orders"] == 3 and second["cursor"] > first["cursor"]
    assert second["by_channel"] == {"tmall": 2, "jd": 1}
    assert second["by_province"] == {"浙江省": 2, "上海市": 1}
    assert sum(second["by_status"].values()) == 3
    assert client.get("/api/v1/stats/overview").status_code == 401


def test_me_tells_the_pages_the_role_and_its_permissions(client: TestClient, auth: Auth) -> None:
    me = client.get("/api/v1/me", headers=auth(Role.VIEWER)).json()
    assert me["role"] == "viewer" and me["permissions"] == ["read"]


def test_the_dashboard_and_tracking_pages_are_served_without_a_key(client: TestClient) -> None:
    for path in ("/", "/track/whatever", "/static/js/app.js", "/static/i18n.json"):
        assert client.get(path).status_code == 200, path
