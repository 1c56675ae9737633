"""GET /orders and GET /holds take a region as people type it: 广东 = 广东省 = Guangdong = 44,
a city (广州) or a district; a text that names no place is a 422 naming ``province``."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from ordo.domain.access import Role

Auth = Callable[[Role], dict[str, str]]


def test_the_held_orders_list_applies_the_region_filter(
    client: TestClient, auth: Auth, post_order: Callable[..., str]
) -> None:
    ops = auth(Role.OPS)
    gd = post_order("RG-1", province="广东", city="广州")
    nm = post_order("RG-2", province="内蒙古", city="呼和浩特")
    for order_id in (gd, nm):
        assert (
            client.post(f"/api/v1/orders/{order_id}/hold", json={"reason": "核对"}, headers=ops).status_code
            == 200
        )

    def held(**params: str) -> list[str]:
        r = client.get("/api/v1/holds", params=params, headers=auth(Role.VIEWER))
        assert r.status_code == 200, r.text
        return [o["id"] for o in r.json()["orders"]]

    for spelling in ("广东", "广东省", "Guangdong", "44", "广州"):
        assert held(province=spelling) == [gd], spelling  # an Inner Mongolia order was listed here
        assert held(province=spelling, kind="manual") == [gd]
    assert held(province="内蒙古自治区") == [nm]
    assert sorted(held()) == sorted([gd, nm])


def test_the_order_search_finds_a_province_by_its_short_name(
    client: TestClient, auth: Auth, post_order: Callable[..., str]
) -> None:
    gd = post_order("RO-1", province="广东省", city="广州市")
    sh = post_order("RO-2", province="上海", city="上海")

    def ids(**params: str) -> list[str]:
        r = client.get("/api/v1/orders", params=params, headers=auth(Role.VIEWER))
        assert r.status_code == 200, r.text
        return [o["id"] for o in r.json()["orders"]]

    assert ids(province="广东") == ids(province="广东省") == ids(province="4401") == [gd]
    assert ids(province="上海市") == ids(province="上海") == [sh]
    [row] = [
        o for o in client.get("/api/v1/orders", headers=auth(Role.VIEWER)).json()["orders"] if o["id"] == sh
    ]
    assert (row["province"], row["city"]) == ("上海市", "上海市")


def test_a_region_that_names_no_place_is_a_422_naming_the_field(client: TestClient, auth: Auth) -> None:
    for path in ("/api/v1/orders", "/api/v1/holds"):
        r = client.get(path, params={"province": "火星"}, headers=auth(Role.VIEWER))
        assert r.status_code == 422, r.text
        assert r.json()["details"]["field"] == "province"
        assert "不是省" in r.text
