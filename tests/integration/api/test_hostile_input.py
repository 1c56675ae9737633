"""Hostile and malformed input: always a clear 4xx in the JSON error shape, and nothing written.

Every case in the matrix is checked the same way: the status, the error code, the
field it names where there is one, and that the orders, events and idempotency
tables are exactly as they were before.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from ordo.api import create_app
from ordo.api.middleware import BodyLimit
from ordo.config import Settings
from tests.integration.api.conftest import TestClient, count_rows, order_json

URL = "/api/v1/orders"
TABLES = ("orders", "order_lines", "milestones", "events", "anomalies", "idempotency_keys")


def _with_line(**line: Any) -> dict[str, Any]:
    body = order_json("H-1")
    body["lines"] = [{"sku": "SKU-TEA", "quantity": 1, "unit_price_fen": 12_800, **line}]
    return body


def _with_address(**fields: Any) -> dict[str, Any]:
    body = order_json("H-1")
    body["ship_to"] = {**body["ship_to"], **fields}
    return body


def _raw(text: str) -> dict[str, Any]:
    return {"content": text.encode(), "headers": {"Content-Type": "application/json"}}


def _json(body: Any) -> dict[str, Any]:
    return _raw(json.dumps(body))


DEEP = "[" * 100_000 + "]" * 100_000
# (case id, request kwargs, status, error code, field or None); a table, so kept as one.
# fmt: off
MATRIX = [
    ("malformed json", _raw('{"channel": "tmall",'), 400, "malformed_json", None),
    ("not json at all", _raw("hello"), 400, "malformed_json", None),
    ("empty body", _raw(""), 422, "validation_failed", "body"),
    ("json null", _json(None), 422, "validation_failed", None),
    ("a bare list", _json([order_json("H-1")]), 422, "validation_failed", None),
    ("deeply nested arrays", _raw(DEEP), 400, "malformed_json", None),
    ("deep nesting inside a field", _json(order_json("H-1", remark=json.loads("[" * 500 + "]" * 500))),
     422, "validation_failed", "remark"),
    ("quantity as text", _json(_with_line(quantity="three")), 422, "validation_failed", "lines[0].quantity"),
    ("quantity as a float", _json(_with_line(quantity=1.5)), 422, "validation_failed", "lines[0].quantity"),
    ("negative quantity", _json(_with_line(quantity=-3)), 422, "validation_failed", "lines[0].quantity"),
    ("zero quantity", _json(_with_line(quantity=0)), 422, "validation_failed", "lines[0].quantity"),
    ("huge quantity", _json(_with_line(quantity=10**30)), 422, "validation_failed", "lines[0].quantity"),
    ("price in yuan as a float", _json(_with_line(unit_price_fen=128.0)), 422, "validation_failed",
     "lines[0].unit_price_fen"),
    ("price of 1e400", _raw(json.dumps(_with_line()).replace("12800", "1e400")), 422,
     "validation_failed", "lines[0].unit_price_fen"),
    ("a 5000-digit number", _raw(json.dumps(_with_line()).replace("12800", "9" * 5000)), 400,
     "malformed_json", None),
    ("huge freight", _json(order_json("H-1", freight_fen=10**20)), 422, "validation_failed", "freight_fen"),
    ("bool as quantity", _json(_with_line(quantity=True)), 422, "validation_failed", "lines[0].quantity"),
    ("unknown sku", _json(_with_line(sku="SKU-DOES-NOT-EXIST")), 422, "unknown_sku", "lines[0].sku"),
    ("unknown channel", _json(order_json("H-1", channel="myspace")), 422, "validation_failed", "channel"),
    ("unknown line flag", _json(_with_line(flags=["explosive"])), 422, "validation_failed",
     "lines[0].flags[0]"),
    ("client-chosen id", _json(order_json("H-1", id="OR-MINE")), 422, "validation_failed", "id"),
    ("misspelt field", _json(_with_line(quantiy=1)), 422, "validation_failed", "lines[0].quantiy"),
    ("no lines", _json({**order_json("H-1"), "lines": []}), 422, "validation_failed", "lines"),
    ("blank external id", _json(order_json("   ")), 422, "validation_failed", "external_id"),
    ("epoch nanoseconds as time", _json(order_json("H-1", placed_at=1_794_355_200 * 10**9)), 422,
     "validation_failed", "placed_at"),
    ("a time that is not one", _json(order_json("H-1", placed_at="next tuesday")), 422,
     "validation_failed", "placed_at"),
    ("the year 9999", _json(order_json("H-1", placed_at="9999-12-31T00:00:00Z")), 422,
     "validation_failed", "placed_at"),
    ("NaN latitude", _raw(json.dumps(_with_address(lat=1.0)).replace("1.0", "NaN")), 422,
     "validation_failed", "ship_to.lat"),
    ("NUL byte in the province", _json(_with_address(province="浙江\x00省")), 422, "validation_failed",
     "ship_to.province"),
    ("lone surrogate in the address", _raw(json.dumps(_with_address(detail="x")).replace('"x"', '"\\ud800"')),
     422, "validation_failed", "ship_to.detail"),
    ("2 kB province", _json(_with_address(province="省" * 2000)), 422, "validation_failed",
     "ship_to.province"),
    ("33 tags", _json(order_json("H-1", tags=[f"t{i}" for i in range(33)])), 422, "validation_failed",
     "tags"),
    ("discount above the goods", _json(order_json("H-1", discount_fen=10**9)), 422, "validation_failed",
     "discount_fen"),
    ("bad line in a batch", _json({"orders": [order_json("H-1"), _with_line(quantity=-1)]}), 422,
     "validation_failed", "orders[1].lines[0].quantity"),
    ("unknown sku in a batch", _json({"orders": [order_json("H-0"), _with_line(sku="NOPE")]}), 422,
     "unknown_sku", "orders[1].lines[0].sku"),
    ("empty batch", _json({"orders": []}), 422, "validation_failed", "orders"),
    ("text/plain body", {"content": json.dumps(order_json("H-1")).encode(),
                         "headers": {"Content-Type": "text/plain"}}, 415, "unsupported_media_type", None),
    ("form body", {"data": {"channel": "tmall"}}, 415, "unsupported_media_type", None),
    ("no content type", {"content": json.dumps(order_json("H-1")).encode()}, 415,
     "unsupported_media_type", None),
]
# fmt: on


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code", "field"),
    [pytest.param(*case[1:], id=case[0]) for case in MATRIX],
)
def test_hostile_order_input_is_a_clear_4xx_and_writes_nothing(
    client, admin, world, request_kwargs, status, code, field
):
    before = {t: count_rows(world, t) for t in TABLES}
    kwargs = dict(request_kwargs)
    headers = {**admin, **kwargs.pop("headers", {})}
    r = client.post(URL, headers=headers, **kwargs)
    assert r.status_code == status, r.text[:500]
    body = r.json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == code
    if field is not None:
        assert body["details"]["field"] == field
    assert {t: count_rows(world, t) for t in TABLES} == before


def test_a_10_mb_body_is_refused_with_413(client, admin, world):
    r = client.post(
        URL, content=b" " * (10 * 1024 * 1024), headers={**admin, "Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"
    assert count_rows(world, "orders") == 0


def test_a_10_mb_body_without_content_length_is_refused_with_413(client, admin, world):
    def chunks():
        for _ in range(160):
            yield b" " * 65_536

    r = client.post(URL, content=chunks(), headers={**admin, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert count_rows(world, "orders") == 0


def test_100k_lines_in_one_order_are_refused_naming_the_lines(world, admin):
    # A body cap above the payload's size, so it is the schema that refuses it.
    settings = Settings(database_url=world.store.url, max_body_bytes=16 * 1024 * 1024)
    body = order_json("H-1")
    body["lines"] = [{"sku": "SKU-TEA", "quantity": 1, "unit_price_fen": 1}] * 100_000
    with TestClient(create_app(world, settings)) as client:
        r = client.post(URL, json=body, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "lines"
    assert len(r.json()["details"]["errors"]) <= 20
    assert count_rows(world, "orders") == 0


def test_a_batch_larger_than_max_batch_is_refused_naming_orders(client, admin, world, settings):
    batch = {"orders": [order_json(f"H-{i}") for i in range(settings.max_batch + 1)]}
    r = client.post(URL, json=batch, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "orders"
    assert r.json()["details"]["max_batch"] == settings.max_batch
    assert count_rows(world, "orders") == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"warehouse_id": "WH\x00"}, "warehouse_id"),
        ({"limit": "lots"}, "limit"),
        ({"limit": 10_000}, "limit"),
        ({"created_from": "yesterday"}, "created_from"),
        ({"channel": "myspace"}, "channel"),
    ],
)
def test_bad_query_parameters_are_a_422_naming_the_parameter(client, admin, params, field):
    r = client.get(URL, params=params, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == field


def test_an_unknown_route_and_a_wrong_method_answer_in_the_json_error_shape(client, admin):
    missing = client.get("/api/v1/nothing-here", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    wrong = client.delete(URL, headers=admin)
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "method_not_allowed"


def _run_body_limit(chunks: list[bytes], content_length: int | None, max_bytes: int = 1000):
    """Drive BodyLimit directly, as a server would, with a body sent in chunks."""
    received: list[bytes] = []

    async def app(scope, receive, send):
        message = await receive()
        received.append(message["body"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    asyncio.run(BodyLimit(app, max_bytes=max_bytes)(scope, receive, send))
    return sent[0]["status"], received


def test_a_body_longer_than_its_content_length_claims_is_still_cut_off():
    status, received = _run_body_limit([b"x" * 600] * 3, content_length=10)
    assert status == 413
    assert received == []  # the app never saw it


def test_a_declared_content_length_over_the_cap_is_refused_before_reading():
    status, received = _run_body_limit([b"x"], content_length=10**9)
    assert status == 413
    assert received == []


def test_a_body_within_the_cap_reaches_the_app_whole():
    status, received = _run_body_limit([b"a" * 400, b"b" * 400], content_length=None)
    assert status == 204
    assert received == [b"a" * 400 + b"b" * 400]
