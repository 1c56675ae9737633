"""The order search filters by tag and by province on the server, newest first, with paging."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from ordo.domain.access import Role

Auth = Callable[[Role], dict[str, str]]


def newest_first(*ids: str) -> list[str]:
    return sorted(ids, reverse=True)  # order ids sort by creation time


def test_the_tag_filter_finds_only_tagged_orders_at_once_after_they_are_posted(
    client: TestClient, auth: Auth, post_order: Callable[..., str]
) -> None:
    vip_zj = post_order("T-1", tags=["vip"])
    post_order("T-2")
    vip_sh = post_order("T-3", tags=["vip", "gift"], province="上海市", city="上海市")
    gift = post_order("T-4", tags=["gift"])

    def ids(**params: str) -> list[str]:
        r = client.get("/api/v1/orders", params=params, headers=auth(Role.VIEWER))
        assert r.status_code == 200, r.text
        return [o["id"] for o in r.json()["orders"]]

    assert ids(tag="vip") == newest_first(vip_sh, vip_zj)
    assert ids(tag="gift") == newest_first(gift, vip_sh)
    assert ids(tag="vip", province="浙江省") == [vip_zj]
    assert ids(tag="vip", channel="jd") == []
    assert ids(tag="nobody") == []
    assert len(ids(province="浙江省")) == 3

    first = client.get("/api/v1/orders", params={"tag": "vip", "limit": 1}, headers=auth(Role.VIEWER)).json()
    assert [o["id"] for o in first["orders"]] == newest_first(vip_sh, vip_zj)[:1]
    rest = client.get(
        "/api/v1/orders",
        params={"tag": "vip", "limit": 1, "cursor": first["next_cursor"]},
        headers=auth(Role.VIEWER),
    ).json()
    assert [o["id"] for o in rest["orders"]] == newest_first(vip_sh, vip_zj)[1:] and rest[
        "next_cursor"
    ] is None


def test_a_bad_tag_filter_is_a_4xx_naming_the_field(client: TestClient, auth: Auth) -> None:
    r = client.get("/api/v1/orders", params={"tag": "x" * 65}, headers=auth(Role.VIEWER))
    assert 400 <= r.status_code < 500
    assert "tag" in r.text
