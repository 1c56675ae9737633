"""API keys: who may call, what each role may do, and what each role may see."""

from __future__ import annotations

import pytest

from ordo.domain.access import Role
from ordo.domain.errors import NotFound, Unauthenticated
from ordo.service.runtime import keys
from tests.integration.api.conftest import count_rows, order_json

URL = "/api/v1/orders"


def test_a_request_without_a_key_is_a_401_in_json(client):
    r = client.get(URL)
    assert r.status_code == 401
    assert r.json()["error"] == "unauthenticated"
    assert r.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "token",
    ["nonsense", "ordo_", "ordo__x", "ordo_abc_def", "Bearer", "x" * 5000],
)
def test_a_malformed_or_unknown_key_is_a_401(client, token):
    r = client.get(URL, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["error"] == "unauthenticated"


def test_a_right_key_id_with_a_wrong_secret_is_a_401(client, api_keys):
    prefix, key_id, _secret = api_keys[Role.ADMIN].split("_", 2)
    r = client.get(URL, headers={"Authorization": f"Bearer {prefix}_{key_id}_wrong"})
    assert r.status_code == 401


def test_the_x_api_key_header_works_like_bearer(client, api_keys):
    assert client.get(URL, headers={"X-API-Key": api_keys[Role.VIEWER]}).status_code == 200


def test_a_revoked_key_is_refused_at_once(client, world, api_keys, auth):
    assert client.get(URL, headers=auth(Role.OPS)).status_code == 200
    key_id = api_keys[Role.OPS].split("_")[1]
    keys.revoke_key(world, key_id)
    assert client.get(URL, headers=auth(Role.OPS)).status_code == 401


def test_revoking_an_unknown_key_is_not_found(world):
    with pytest.raises(NotFound):
        keys.revoke_key(world, "nope")


def test_only_a_hash_of_the_secret_is_stored_and_listing_shows_no_secret(world):
    token = keys.create_key(world, Role.FINANCE, "finance team")
    _, key_id, secret = token.split("_", 2)
    with world.store.uow(read_only=True) as uow:
        row = uow.access.key(key_id)
    assert row is not None and secret not in str(row)
    listed = {k["id"]: k for k in keys.list_keys(world)}
    assert listed[key_id]["role"] == "finance" and "key_hash" not in listed[key_id]
    caller = keys.authenticate(world, token)
    assert (caller.key_id, caller.role) == (key_id, Role.FINANCE)
    with pytest.raises(Unauthenticated):
        keys.authenticate(world, token + "x")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FINANCE])
def test_read_only_roles_may_not_submit_orders_and_nothing_is_written(client, world, auth, role):
    r = client.post(URL, json=order_json("A-1"), headers=auth(role))
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"
    assert r.json()["details"]["permission"] == "orders_write"
    assert count_rows(world, "orders") == 0


def test_a_forbidden_caller_learns_nothing_about_the_body_schema(client, auth):
    r = client.post(URL, json={"garbage": True}, headers=auth(Role.VIEWER))
    assert r.status_code == 403


def test_a_viewer_may_not_cancel_or_report_milestones(client, auth, post_order):
    order_id = post_order("A-1")
    viewer = auth(Role.VIEWER)
    cancel = client.post(f"{URL}/{order_id}/cancel", json={"reason": "x"}, headers=viewer)
    assert cancel.status_code == 403
    update = {"order_id": order_id, "milestone": "picked", "at": "2026-11-11T08:01:00+08:00", "source": "wms"}
    assert client.post("/api/v1/milestones", json={"updates": [update]}, headers=viewer).status_code == 403


def test_risk_may_cancel_but_not_submit(client, auth, post_order):
    order_id = post_order("A-1")
    r = client.post(f"{URL}/{order_id}/cancel", json={"reason": "fraud"}, headers=auth(Role.RISK))
    assert r.status_code == 200
    assert client.post(URL, json=order_json("A-2"), headers=auth(Role.RISK)).status_code == 403


@pytest.mark.parametrize(
    ("role", "masked"),
    [
        (Role.ADMIN, False),
        (Role.OPS, False),
        (Role.FINANCE, False),
        (Role.RISK, False),
        (Role.VIEWER, True),
        (Role.INTEGRATION, True),
    ],
)
def test_personal_data_is_masked_for_roles_without_pii_access(client, auth, post_order, role, masked):
    order_id = post_order("A-1")
    one = client.get(f"{URL}/{order_id}", headers=auth(role)).json()
    [listed] = client.get(URL, headers=auth(role)).json()["orders"]
    if masked:
        assert one["recipient_phone"] == listed["recipient_phone"] == "138****1234"
        assert one["recipient_name"] == listed["recipient_name"] == "张**"
        assert one["detail"] == "文三路 10****"
    else:
        assert one["recipient_phone"] == listed["recipient_phone"] == "13812341234"
        assert one["recipient_name"] == "张三丰"
        assert one["detail"] == "文三路 100 号 3 幢 502 室"


def test_masked_orders_leak_no_phone_number_anywhere_in_the_answer(client, auth, post_order):
    order_id = post_order("A-1")
    viewer = auth(Role.VIEWER)
    for path in (f"{URL}/{order_id}", URL, f"{URL}/{order_id}/timeline"):
        assert "13812341234" not in client.get(path, headers=viewer).text
