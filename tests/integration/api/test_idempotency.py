"""Idempotency-Key: a retried request gets the first answer; a reused key with a new body is a 409."""

from __future__ import annotations

from ordo.domain.access import Role
from tests.integration.api.conftest import count_rows, order_json

URL = "/api/v1/orders"


def test_the_same_key_and_body_return_the_stored_answer_without_new_work(client, admin, world):
    headers = {**admin, "Idempotency-Key": "retry-1"}
    first = client.post(URL, json=order_json("I-1"), headers=headers)
    events = count_rows(world, "events")
    again = client.post(URL, json=order_json("I-1"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.json()["results"][0]["outcome"] == "created"  # the first answer, not "duplicate"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_rows(world, "orders") == 1
    assert count_rows(world, "events") == events


def test_the_same_body_in_another_key_order_counts_as_the_same_request(client, admin):
    headers = {**admin, "Idempotency-Key": "retry-2"}
    body = order_json("I-1")
    client.post(URL, json=body, headers=headers)
    reordered = dict(reversed(list(body.items())))
    assert client.post(URL, json=reordered, headers=headers).headers.get("Idempotent-Replayed") == "true"


def test_the_same_key_with_a_different_body_is_a_409_and_writes_nothing(client, admin, world):
    headers = {**admin, "Idempotency-Key": "retry-3"}
    client.post(URL, json=order_json("I-1"), headers=headers)
    r = client.post(URL, json=order_json("I-2"), headers=headers)
    assert r.status_code == 409
    assert r.json()["error"] == "conflict"
    assert r.json()["details"]["header"] == "Idempotency-Key"
    assert count_rows(world, "orders") == 1


def test_idempotency_keys_are_scoped_per_api_key(client, auth):
    body_a, body_b = order_json("I-1"), order_json("I-2")
    a = client.post(URL, json=body_a, headers={**auth(Role.ADMIN), "Idempotency-Key": "k"})
    b = client.post(URL, json=body_b, headers={**auth(Role.OPS), "Idempotency-Key": "k"})
    assert a.status_code == b.status_code == 201
    assert b.json()["results"][0]["order_id"] != a.json()["results"][0]["order_id"]


def test_a_request_that_failed_validation_can_be_retried_under_the_same_key(client, admin):
    headers = {**admin, "Idempotency-Key": "retry-4"}
    bad = order_json("I-1", lines=[("SKU-NOPE", 1)])
    assert client.post(URL, json=bad, headers=headers).status_code == 422
    assert client.post(URL, json=order_json("I-1"), headers=headers).status_code == 201


def test_an_overlong_idempotency_key_is_a_422_naming_the_header(client, admin, world):
    r = client.post(URL, json=order_json("I-1"), headers={**admin, "Idempotency-Key": "k" * 500})
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "Idempotency-Key"
    assert count_rows(world, "orders") == 0
