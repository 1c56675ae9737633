"""The OpenAPI document tells the truth: errors, constraints, strict numbers, auth before bodies.

Each test here pins one thing schemathesis found (tests/integration/api/test_contract_schemathesis.py
runs the whole contract); these fail fast and name the operation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, routing
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from ordo.api import render
from ordo.api.schemas import CLEAN_PATTERN, FILLED_PATTERN, TIME_PATTERN, to_ns
from ordo.domain.access import Role
from ordo.domain.orders.model import Channel

from .conftest import order_json

ERROR_REF = "#/components/schemas/Error"


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_every_error_response_is_documented_with_the_error_body(api: FastAPI) -> None:
    spec = api.openapi()
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # FastAPI's shape is never sent
    assert spec["components"]["schemas"]["Error"]["required"] == ["error", "message", "details"]
    for method, path, operation in _operations(spec):
        responses = operation["responses"]
        for status, response in responses.items():
            if status.isdigit() and int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, (method, path, status)
        if operation.get("security"):
            assert {"401", "403", "503"} <= responses.keys(), (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= responses.keys(), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)


def test_no_parameter_is_documented_as_nullable(api: FastAPI) -> None:
    # ``?limit=null`` or a header "null" is no way to leave a parameter out; absence is.
    for method, path, operation in _operations(api.openapi()):
        for parameter in operation.get("parameters", ()):
            assert {"type": "null"} not in parameter["schema"].get("anyOf", ()), (method, path, parameter)
            assert parameter["schema"].get("type") != "null", (method, path, parameter)


def test_an_unsupported_method_is_405_naming_every_method_of_the_resource(client: Any) -> None:
    r = client.request("OPTIONS", "/api/v1/rules/drafts/1")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, PATCH"
    # A literal path is its own resource, not an instance of the template beside it.
    r = client.request("OPTIONS", "/api/v1/orders/hold")
    assert (r.status_code, r.headers["Allow"]) == (405, "POST")


def test_a_literal_path_beside_a_template_is_its_own_resource(client: Any, admin: dict[str, str]) -> None:
    # GET /orders/hold was GET /orders/{order_id} with the id "hold"; the path takes only POST.
    r = client.get("/api/v1/orders/hold", headers=admin)
    assert (r.status_code, r.headers["Allow"]) == (405, "POST")
    assert r.json()["error"] == "method_not_allowed"
    # The literal's own method and the template's other paths are untouched.
    assert client.get("/api/v1/orders/OR-NOPE", headers=admin).status_code == 404
    r = client.post("/api/v1/orders/hold", json={"order_ids": ["OR-NOPE"], "reason": "check"}, headers=admin)
    assert r.status_code != 405, r.text


def test_body_routes_that_demand_json_document_415(api: FastAPI) -> None:
    operation = api.openapi()["paths"]["/api/v1/orders"]["post"]
    assert {"400", "401", "403", "413", "415", "422", "503"} <= operation["responses"].keys()


def test_a_stranger_with_a_malformed_body_is_told_401_before_400(client: Any, auth: Any) -> None:
    bad = {"content": b'{"channel": "tmall",', "headers": {"Content-Type": "application/json"}}
    r = client.post("/api/v1/orders", **bad)
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "unauthenticated"
    assert r.headers["WWW-Authenticate"] == "Bearer"
    # A caller without the permission is refused before the body is judged, too.
    viewer = {**bad["headers"], **auth(Role.VIEWER)}
    r = client.post("/api/v1/orders", content=bad["content"], headers=viewer)
    assert r.status_code == 403, r.text
    admin = {**bad["headers"], **auth(Role.ADMIN)}
    r = client.post("/api/v1/orders", content=bad["content"], headers=admin)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "malformed_json"


def test_a_body_too_deep_to_parse_is_401_for_a_stranger(client: Any) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    r = client.post("/api/v1/rules/parse", content=deep, headers={"Content-Type": "application/json"})
    assert r.status_code == 401, r.text


def _lax_numbers(schema: Any, where: str = "") -> Iterator[str]:
    """Places in a pydantic core schema where an int, float or bool would take a bool or a string."""
    if isinstance(schema, dict):
        if schema.get("type") in ("int", "float", "bool") and not schema.get("strict"):
            yield f"{where} {schema['type']}"
        for key, value in schema.items():
            if key != "serialization":  # how a value is written out, not what is taken in
                yield from _lax_numbers(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for value in schema:
            yield from _lax_numbers(value, where)


def test_no_request_body_takes_a_boolean_for_a_number(api: FastAPI) -> None:
    lax = []
    for route in routing.iter_route_contexts(api.routes):
        if isinstance(route.original_route, APIRoute):
            for field in route.dependant.body_params:
                core = TypeAdapter(field.field_info.annotation).core_schema
                lax += [f"{route.path_format}: {place}" for place in _lax_numbers(core)]
    assert not lax, "\n".join(lax)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/rules/rollback", {"note": "back", "version": True}, "version"),
        ("/api/v1/rules/drafts", {"note": "n", "breaker": {"max_hold_rate": True}}, "breaker.max_hold_rate"),
        ("/api/v1/channels/dead-letters/replay", {"ids": [True]}, "ids[0]"),
    ],
)
def test_a_boolean_where_a_number_is_required_is_a_422(
    client: Any, admin: dict[str, str], path: str, body: dict[str, Any], field: str
) -> None:
    r = client.post(path, json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == field


def test_an_order_with_a_boolean_latitude_is_a_422(client: Any, admin: dict[str, str]) -> None:
    body = order_json("B-1")
    body["ship_to"]["lat"] = True
    r = client.post("/api/v1/orders", json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == "ship_to.lat"


def test_times_state_their_form_and_range_and_the_pattern_is_what_is_enforced(api: FastAPI) -> None:
    spec = api.openapi()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/orders"]["get"]["parameters"]}
    assert params["created_from"]["schema"]["pattern"] == TIME_PATTERN
    accepted = [
        "2026-11-11T08:00:00+08:00",
        "2000-01-01T00:00:00+08:00",  # 1999 in UTC, 2000 as written: taken
        "2099-12-31T23:59:59.999999-12:00",
        "2024-02-29T00:00Z",
        "2026-11-11",
    ]
    refused = [
        "1999-12-31T23:59:59Z",
        "2100-01-01",
        "2025-02-29",
        "2026-04-31",
        "2026-11-11 08:00",
        "2026-11-11T08",
    ]
    for value in accepted:
        assert re.search(TIME_PATTERN, value), value
        to_ns(value)
    for value in refused:
        assert not re.search(TIME_PATTERN, value), value
        with pytest.raises(ValueError):
            to_ns(value)


def test_a_time_before_2000_as_written_is_a_422_naming_the_parameter(
    client: Any, admin: dict[str, str]
) -> None:
    r = client.get("/api/v1/orders", params={"created_from": "1999-12-31T23:00:00Z"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "created_from"
    r = client.get("/api/v1/orders", params={"created_from": "2000-01-01T00:00:00+08:00"}, headers=admin)
    assert r.status_code == 200, r.text


def test_text_states_that_nul_and_blank_are_refused(api: FastAPI, client: Any, admin: dict[str, str]) -> None:
    spec = api.openapi()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/orders"]["get"]["parameters"]}
    assert params["province"]["schema"]["pattern"] == FILLED_PATTERN
    order = spec["components"]["schemas"]["OrderIn"]["properties"]
    assert order["remark"]["pattern"] == CLEAN_PATTERN
    assert order["external_id"]["pattern"] == FILLED_PATTERN
    for value in ("a\x00b", "   ", "\u3000\t"):
        assert not re.search(FILLED_PATTERN, value)
        r = client.get("/api/v1/orders", params={"province": value}, headers=admin)
        assert r.status_code == 422, (value, r.text)
    assert re.search(FILLED_PATTERN, " 浙江 ") and not re.search(CLEAN_PATTERN, "\x00")


def test_channel_parameters_are_the_known_channels(api: FastAPI, client: Any, admin: dict[str, str]) -> None:
    spec = api.openapi()
    known = sorted(c.value for c in Channel)
    schemas = spec["components"]["schemas"]
    for path, method in [("/api/v1/inventory/channels/{channel}", "get"), ("/api/v1/inventory", "get")]:
        [param] = [p for p in spec["paths"][path][method]["parameters"] if p["name"] == "channel"]
        schema = param["schema"]
        ref = schema.get("$ref") or next(s["$ref"] for s in schema["anyOf"] if "$ref" in s)
        assert sorted(schemas[ref.rsplit("/", 1)[1]]["enum"]) == known
    r = client.get("/api/v1/inventory/channels/nowhere", headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "channel"


def test_cursors_state_their_form_and_any_of_that_form_reads_a_page(
    api: FastAPI, client: Any, admin: dict[str, str], post_order: Any
) -> None:
    spec = api.openapi()
    for path in ("/api/v1/orders", "/api/v1/holds", "/api/v1/inventory", "/api/v1/inventory/low"):
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert params["cursor"]["schema"]["pattern"] == render.CURSOR_PATTERN, path
    params = {p["name"]: p for p in spec["paths"]["/api/v1/incidents"]["get"]["parameters"]}
    assert params["cursor"]["schema"]["pattern"] == render.ID_CURSOR_PATTERN
    for n in range(3):
        post_order(f"C-{n}")
    first = client.get("/api/v1/orders", params={"limit": 2}, headers=admin).json()
    issued = first["next_cursor"]
    assert re.search(render.CURSOR_PATTERN, issued)
    second = client.get("/api/v1/orders", params={"limit": 2, "cursor": issued}, headers=admin).json()
    assert len(second["orders"]) == 1
    # Not issued, but of the documented form: a place in the key order like any other.
    for cursor in ("static", "_w", "", "AAAA"):
        r = client.get("/api/v1/orders", params={"cursor": cursor}, headers=admin)
        assert r.status_code == 200, (cursor, r.text)
        r = client.get("/api/v1/inventory", params={"cursor": cursor}, headers=admin)
        assert r.status_code == 200, (cursor, r.text)
    r = client.get("/api/v1/incidents", params={"cursor": "12"}, headers=admin)
    assert r.status_code == 200, r.text
    r = client.get("/api/v1/incidents", params={"cursor": "x"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "cursor"


def test_inventory_pages_follow_their_cursor_to_the_end(client: Any, admin: dict[str, str]) -> None:
    seen: list[tuple[str, str]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/inventory", params=params, headers=admin).json()
        seen += [(i["warehouse_id"], i["sku"]) for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 8


@pytest.mark.parametrize(
    ("reference", "valid"),
    [
        ({"order_id": "OR1"}, True),
        ({"order_id": "OR1", "channel": "tmall"}, True),
        ({"channel": "tmall", "external_id": "T-1"}, True),
        ({"order_id": "OR1", "channel": "tmall", "external_id": "T-1"}, False),
        ({"channel": "tmall"}, False),
        ({}, False),
    ],
)
def test_a_status_update_names_its_order_as_the_schema_says(
    api: FastAPI, reference: dict[str, str], valid: bool
) -> None:
    import jsonschema_rs

    from ordo.api.routers.status_updates import StatusUpdateIn

    update = {"source": "wms", "status": "PACKING", "at": "2026-11-11T08:00:00+08:00", **reference}
    schema = api.openapi()["components"]["schemas"]["StatusUpdateIn"]
    assert jsonschema_rs.validator_for(schema).is_valid(update) is valid
    try:
        StatusUpdateIn.model_validate(update)
        taken = True
    except ValueError:
        taken = False
    assert taken is valid


def test_a_rule_version_past_32_bits_is_a_422_not_a_store_error(client: Any, admin: dict[str, str]) -> None:
    # Versions are 32-bit columns; on PostgreSQL a larger one was "integer out of range", a 503.
    r = client.get(f"/api/v1/rules/versions/{2**31}", headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "version"
    r = client.get("/api/v1/rules/audit", params={"version": 2**31}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "version"
    assert client.get(f"/api/v1/rules/versions/{2**31 - 1}", headers=admin).status_code == 404


def test_clean_on_an_optional_text_lets_null_through_and_still_refuses_nul() -> None:
    # Was a TypeError (a 500) for ``null`` once CLEAN sat on ``str | None`` (POST /worklist/bulk).
    from ordo.api.schemas import CLEAN, length

    optional = TypeAdapter(Annotated[str | None, length(32, 1), CLEAN])
    assert optional.validate_python(None) is None
    assert optional.validate_python(" WH-SH ") == "WH-SH"
    with pytest.raises(ValueError):
        optional.validate_python("WH\x00")


def test_bulk_incident_ids_refuse_booleans(client: Any, admin: dict[str, str]) -> None:
    r = client.post("/api/v1/incidents/bulk", json={"action": "acknowledge", "ids": [True]}, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == "ids[0]"
