"""Platform shops over the API: listed masked, added and rotated by administrators only;
a key bound to channels sees and manages only those channels' shops; bad input is a 422
naming the field; a rotation is in use by the next pull without a restart."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi.testclient import TestClient

from ordo.domain.access import Role, Scope
from ordo.service.channels import shops as shop_service
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key

Headers = dict[str, str]
SHOP = {
    "shop_id": "tb-flagship",
    "channel": "淘宝",
    "app_key": "12345678",
    "app_secret": "s3cr3t-value-0123456789",
    "session": "6100a1b2c3d4e5f6-session-token",
    "endpoint": "https://eco.taobao.com",
    "name": "旗舰店",
}


def test_admins_add_list_and_rotate_and_secrets_never_come_back(
    client: TestClient, admin: Headers, world: Ordo
) -> None:
    r = client.post("/api/v1/shops", json=SHOP, headers=admin)
    assert r.status_code == 201, r.text
    added = r.json()
    assert added["channel"] == "taobao" and added["id"] == "tb-flagship"
    listed = client.get("/api/v1/shops", headers=admin)
    assert listed.status_code == 200
    [shop] = listed.json()["shops"]
    assert shop["app_secret"] == "s3c****89" and shop["session"] == "610****en"
    assert SHOP["app_secret"] not in listed.text and SHOP["session"] not in listed.text
    assert client.get("/api/v1/shops?channel=tb", headers=admin).json()["shops"] == [shop]
    assert client.get("/api/v1/shops?channel=jd", headers=admin).json()["shops"] == []
    r = client.post(
        "/api/v1/shops/tb-flagship/rotate", json={"app_secret": "new-secret-9876543210"}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and "new-secret" not in r.text
    # Stored for the pullers (which re-read a shop whose version moved).
    with world.store.uow(read_only=True) as uow:
        row = uow.platforms.shop("tb-flagship")
    assert row is not None
    assert row["app_secret"] == "new-secret-9876543210" and row["version"] == 2
    assert shop_service.list_shops(world)[0]["version"] == 2


def test_other_roles_are_refused(client: TestClient, auth: Callable[[Role], Headers]) -> None:
    for role in (Role.OPS, Role.VIEWER, Role.INTEGRATION, Role.FINANCE, Role.RISK):
        assert client.get("/api/v1/shops", headers=auth(role)).status_code == 403
        assert client.post("/api/v1/shops", json=SHOP, headers=auth(role)).status_code == 403
        r = client.post("/api/v1/shops/tb-flagship/rotate", json={"session": "x" * 10}, headers=auth(role))
        assert r.status_code == 403
    assert client.get("/api/v1/shops").status_code == 401


def test_bad_input_names_the_field(client: TestClient, admin: Headers) -> None:
    def refused(body: Mapping[str, object]) -> str:
        r = client.post("/api/v1/shops", json=body, headers=admin)
        assert r.status_code == 422, r.text
        return str(r.text)

    assert "app_secret" in refused({**SHOP, "app_secret": "short"})
    assert "shop_id" in refused({**SHOP, "shop_id": "bad id!"})
    assert "endpoint" in refused({**SHOP, "endpoint": "ftp://x.example"})
    assert "channel" in refused({**SHOP, "channel": "no-such-platform"})
    assert "password" in refused({**SHOP, "password": "x"})
    assert client.post("/api/v1/shops", json=SHOP, headers=admin).status_code == 201
    assert "shop_id" in refused(SHOP)  # exists
    r = client.post("/api/v1/shops/tb-flagship/rotate", json={}, headers=admin)
    assert r.status_code == 422 and "app_secret" in r.text
    r = client.post("/api/v1/shops/nope/rotate", json={"session": "abcdefghijk"}, headers=admin)
    assert r.status_code == 404 and "nope" in r.text


def test_a_key_bound_to_channels_manages_only_their_shops(
    client: TestClient, admin: Headers, world: Ordo
) -> None:
    assert client.post("/api/v1/shops", json=SHOP, headers=admin).status_code == 201
    jd = {**SHOP, "shop_id": "jd-main", "channel": "京东", "endpoint": "https://api.jd.com"}
    assert client.post("/api/v1/shops", json=jd, headers=admin).status_code == 201
    bound = {
        "Authorization": "Bearer " + create_key(world, Role.ADMIN, "jd admin", scope=Scope(frozenset({"jd"})))
    }
    assert [s["id"] for s in client.get("/api/v1/shops", headers=bound).json()["shops"]] == ["jd-main"]
    assert client.get("/api/v1/shops?channel=taobao", headers=bound).status_code == 403
    r = client.post("/api/v1/shops/tb-flagship/rotate", json={"session": "abcdefghijk"}, headers=bound)
    assert r.status_code == 403 and "taobao" in r.text
    assert client.post("/api/v1/shops", json={**SHOP, "shop_id": "tb-2"}, headers=bound).status_code == 403
    ok = client.post("/api/v1/shops/jd-main/rotate", json={"session": "abcdefghijk"}, headers=bound)
    assert ok.status_code == 200


def test_listings_are_set_and_shown_with_the_quantity_wanted(client: TestClient, admin: Headers) -> None:
    assert client.post("/api/v1/shops", json=SHOP, headers=admin).status_code == 201
    rules = {"rules": [{"sku": "SKU-CUP"}]}
    r = client.put("/api/v1/inventory/channels/taobao", json=rules, headers=admin)
    assert r.status_code < 300, r.text
    body = {"sku": "SKU-CUP", "item_id": "600000000001", "platform_sku_id": "4800001"}
    r = client.post("/api/v1/shops/tb-flagship/listings", json=body, headers=admin)
    assert r.status_code == 201, r.text
    [listing] = client.get("/api/v1/shops/tb-flagship/listings", headers=admin).json()["listings"]
    assert (listing["sku"], listing["item_id"], listing["state"]) == ("SKU-CUP", "600000000001", "pending")
    assert isinstance(listing["quantity"], int)
    bad = client.post("/api/v1/shops/tb-flagship/listings", json={**body, "sku": "SKU-NOPE"}, headers=admin)
    assert bad.status_code == 422 and "sku" in bad.text
    assert client.post("/api/v1/shops/nope/listings", json=body, headers=admin).status_code == 404
    assert client.post("/api/v1/shops/stock/replay", json={}, headers=admin).json() == {"replayed": 0}
    no_body = client.post("/api/v1/shops/stock/replay", headers=admin)  # it needs none
    assert no_body.json() == {"replayed": 0}
