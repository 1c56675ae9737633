"""Tracking links (unguessable, public, nothing internal) and the overview projection."""

from __future__ import annotations

from collections.abc import Callable

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
