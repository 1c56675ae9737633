"""Health, metrics and the offline API docs."""

from __future__ import annotations

import dataclasses
import re

from ordo.adapters.store import Store
from ordo.api import create_app
from ordo.api.schemas import TIME_PATTERN
from tests.integration.api.conftest import TestClient, order_json


def test_healthz_reports_the_store_without_a_key(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "store": "sqlite", "node": {}}


def test_healthz_is_a_503_in_json_when_the_store_is_gone(world, settings, tmp_path):
    gone = dataclasses.replace(world, store=Store(f"sqlite:///{tmp_path}/no/such/dir/ordo.db"))
    with TestClient(create_app(gone, settings)) as client:
        r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable"


def test_metrics_count_requests_by_route_orders_and_milestone_outcomes(client, admin, post_order):
    order_id = post_order("X-1")
    client.post("/api/v1/orders", json=order_json("X-1"), headers=admin)  # a duplicate
    client.get(f"/api/v1/orders/{order_id}", headers=admin)
    update = {"order_id": order_id, "milestone": "picked", "at": "2026-11-11T08:00:00+08:00", "source": "wms"}
    client.post("/api/v1/milestones", json={"updates": [update, update]}, headers=admin)
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'ordo_http_requests_total{method="POST",route="/api/v1/orders",status="201"} 2.0' in text
    # by template, not raw path: one series for every order id
    assert 'route="/api/v1/orders/{order_id}",status="200"} 1.0' in text
    assert order_id not in text
    assert 'ordo_api_orders_total{outcome="created"} 1.0' in text
    assert 'ordo_api_orders_total{outcome="duplicate"} 1.0' in text
    assert 'ordo_api_milestone_updates_total{outcome="recorded"} 1.0' in text
    assert 'ordo_api_milestone_updates_total{outcome="duplicate"} 1.0' in text
    assert re.search(
        r'ordo_http_request_duration_seconds_count\{method="POST",route="/api/v1/orders"\} 2\.0', text
    )


def test_refused_and_unmatched_requests_are_counted_too(client):
    client.get("/api/v1/orders")
    client.get("/no/such/thing")
    text = client.get("/metrics").text
    assert 'route="/api/v1/orders",status="401"} 1.0' in text
    assert 'route="unmatched",status="404"} 1.0' in text


def test_two_apps_in_one_process_keep_separate_metrics(world, settings):
    a, b = create_app(world, settings), create_app(world, settings)
    with TestClient(a) as ca, TestClient(b) as cb:
        ca.get("/healthz")
        ca.get("/healthz")
        cb.get("/healthz")
        assert 'route="/healthz",status="200"} 2.0' in ca.get("/metrics").text
        assert 'route="/healthz",status="200"} 1.0' in cb.get("/metrics").text


def test_the_docs_page_loads_swagger_ui_from_this_server_only(client):
    r = client.get("/docs")
    assert r.status_code == 200
    html = r.text
    assert "/docs/static/swagger-ui-bundle.js" in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    for asset in ("/docs/static/swagger-ui-bundle.js", "/docs/static/swagger-ui.css"):
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 10_000


def test_the_openapi_schema_documents_every_resource_and_the_time_convention(client):
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/orders/{order_id}/cancel",
        "/api/v1/orders/{order_id}/timeline",
        "/api/v1/milestones",
        "/api/v1/warehouses",
        "/api/v1/inventory",
        "/api/v1/stream",
        "/healthz",
        "/metrics",
    } <= paths
    placed_at = schema["components"]["schemas"]["OrderIn"]["properties"]["placed_at"]
    # A date or a date-time (RFC 3339) in 2000..2099, as the pattern the server checks says.
    assert placed_at["type"] == "string" and placed_at["pattern"] == TIME_PATTERN
    assert "UTC+8" in placed_at["description"]


def test_an_unexpected_error_is_logged_and_answered_as_a_json_500(world, settings, caplog):
    app = create_app(world, settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/boom")
    assert r.status_code == 500
    assert r.json()["error"] == "internal_error"
    assert "a bug" not in r.text  # internals stay in the log
    assert any("unhandled error" in rec.message for rec in caplog.records)
