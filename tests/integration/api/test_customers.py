"""The customers API: unified customer, lookup, split, merge candidates and parcel merges."""

from __future__ import annotations

from ordo.domain.access import Role
from tests.integration.api.conftest import order_json

PHONE = {"kind": "phone", "value": "13812345678"}
OPENID = {"kind": "openid", "value": "oWX-4242"}
MEMBER = {"kind": "member", "value": "M-0007"}


def submit(client, admin, external_id, channel, *ids, **kw):
    body = order_json(external_id, channel=channel, identifiers=list(ids), **kw)
    r = client.post("/api/v1/orders", json=body, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()["results"][0]


def test_one_person_across_three_channels_reads_as_one_customer_with_three_orders(client, admin, auth):
    submit(client, admin, "DY-1", "douyin", PHONE)
    submit(client, admin, "WX-1", "wechat_mp", OPENID, PHONE)
    last = submit(client, admin, "POS-1", "pos", MEMBER, OPENID)
    r = client.get(f"/api/v1/customers/{last['customer_id']}", headers=auth(Role.OPS))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["channels"] == ["douyin", "pos", "wechat_mp"] and len(body["orders"]) == 3
    assert "13812345678" not in r.text  # the phone is never stored, so never shown
    viewer = client.get(f"/api/v1/customers/{last['customer_id']}", headers=auth(Role.VIEWER)).json()
    assert viewer["orders"][0]["recipient_phone"] == "138****1234"
    assert "oWX-4242" not in str(viewer["identifiers"])


def test_looking_a_customer_up_by_phone_needs_pii_rights(client, admin, auth):
    created = submit(client, admin, "DY-1", "douyin", PHONE)
    ok = client.get("/api/v1/customers", params={"kind": "phone", "value": "+86 13812345678"}, headers=admin)
    assert ok.json() == {"customer_id": created["customer_id"]}
    assert client.get("/api/v1/customers", params=PHONE, headers=auth(Role.VIEWER)).status_code == 403
    missing = client.get("/api/v1/customers", params={"kind": "phone", "value": "13900000000"}, headers=admin)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_an_operator_splits_a_wrong_merge_and_an_integration_may_not(client, admin, auth):
    a = submit(client, admin, "DY-1", "douyin", PHONE)["customer_id"]
    b = submit(client, admin, "POS-1", "pos", MEMBER)["customer_id"]
    submit(client, admin, "WX-1", "wechat_mp", MEMBER, PHONE)
    [merge] = client.get(f"/api/v1/customers/{a}", headers=admin).json()["merges"]
    url = f"/api/v1/customers/merges/{merge['id']}/split"
    assert client.post(url, json={"reason": "x"}, headers=auth(Role.INTEGRATION)).status_code == 403
    r = client.post(url, json={"reason": "shared member card / 共用会员卡"}, headers=auth(Role.OPS))
    assert r.status_code == 200, r.text
    assert {r.json()["customer_id"], r.json()["split_customer_id"]} == {a, b}
    again = client.post(url, json={"reason": "again"}, headers=auth(Role.OPS))
    assert again.status_code == 409


def test_unshipped_orders_to_one_door_are_proposed_and_merged_but_cod_is_not(client, admin):
    cid = submit(client, admin, "DY-1", "douyin", PHONE)["customer_id"]
    submit(client, admin, "DY-2", "douyin", PHONE)
    cod = submit(client, admin, "DY-3", "douyin", PHONE, tags=["cod"])
    r = client.get(f"/api/v1/customers/{cid}/merge-candidates", headers=admin)
    [group] = r.json()["candidates"]
    assert cod["order_id"] not in group["order_ids"] and len(group["order_ids"]) == 2
    refused = client.post(
        f"/api/v1/customers/{cid}/parcels",
        json={"order_ids": [group["order_ids"][0], cod["order_id"]]},
        headers=admin,
    )
    assert refused.status_code == 409 and refused.json()["error"] == "order_sealed"
    merged = client.post(
        f"/api/v1/customers/{cid}/parcels", json={"order_ids": group["order_ids"]}, headers=admin
    )
    assert merged.status_code == 201, merged.text
    assert merged.json()["parcel_id"].startswith("PA")


def test_an_unknown_customer_is_a_404(client, admin):
    r = client.get("/api/v1/customers/CU-NOPE", headers=admin)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
