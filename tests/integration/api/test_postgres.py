"""The main API flow once more on PostgreSQL (skipped, with the reason shown, without a server)."""

from __future__ import annotations

import pytest

from ordo.api import create_app
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.runtime.keys import create_key
from tests.conftest import make_app, seed_tiny_world
from tests.integration.api.conftest import TestClient, order_json

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_client(pg_url, clock):
    ordo = make_app(pg_url, clock)
    seed_tiny_world(ordo)
    headers = {"Authorization": f"Bearer {create_key(ordo, Role.OPS, 'pg test')}"}
    with TestClient(create_app(ordo, Settings(database_url=pg_url))) as client:
        yield client, headers
    ordo.store.dispose()


def test_orders_milestones_cancel_and_timeline_work_on_postgresql(pg_client):
    client, headers = pg_client
    batch = {"orders": [order_json("PG-1"), order_json("PG-2"), order_json("PG-1")]}
    r = client.post("/api/v1/orders", json=batch, headers={**headers, "Idempotency-Key": "pg"})
    assert r.status_code == 201
    assert [x["outcome"] for x in r.json()["results"]] == ["created", "created", "duplicate"]
    first, second = (x["order_id"] for x in r.json()["results"][:2])
    replay = client.post("/api/v1/orders", json=batch, headers={**headers, "Idempotency-Key": "pg"})
    assert replay.json() == r.json()

    update = {"order_id": first, "milestone": "outbound", "at": "2026-11-11T08:00:00+08:00", "source": "wms"}
    reported = client.post("/api/v1/milestones", json={"updates": [update]}, headers=headers)
    [result] = reported.json()["results"]
    assert result["outcome"] == "recorded"
    refused = client.post(f"/api/v1/orders/{first}/cancel", json={"reason": "late"}, headers=headers)
    assert refused.status_code == 409 and refused.json()["error"] == "already_shipped"
    cancelled = client.post(
        f"/api/v1/orders/{second}/cancel", json={"reason": "changed mind"}, headers=headers
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    # A system reporting a return of goods that never left: refused and kept as an anomaly
    # (a refused cancel, a command, writes nothing).
    odd = {"order_id": second, "milestone": "returned", "at": "2026-11-11T09:00:00+08:00", "source": "sf"}
    [refusal] = client.post("/api/v1/milestones", json={"updates": [odd]}, headers=headers).json()["results"]
    assert refusal["outcome"] == "rejected"
    timeline = client.get(f"/api/v1/orders/{first}/timeline", headers=headers).json()["entries"]
    assert {e["kind"] for e in timeline} == {"milestone", "event"}
    timeline = client.get(f"/api/v1/orders/{second}/timeline", headers=headers).json()["entries"]
    assert {e["kind"] for e in timeline} == {"milestone", "anomaly", "event"}
    page = client.get("/api/v1/orders", params={"limit": 1}, headers=headers).json()
    assert len(page["orders"]) == 1 and page["next_cursor"]
    rest = client.get("/api/v1/orders", params={"cursor": page["next_cursor"]}, headers=headers).json()
    assert sorted(o["id"] for o in page["orders"] + rest["orders"]) == sorted([first, second])
    assert rest["next_cursor"] is None


def test_hostile_text_is_refused_before_it_reaches_postgresql(pg_client):
    client, headers = pg_client
    body = order_json("PG-1")
    body["ship_to"]["province"] = "浙江\x00省"  # PostgreSQL cannot store NUL in text
    r = client.post("/api/v1/orders", json=body, headers=headers)
    assert r.status_code == 422
    assert client.get("/api/v1/orders", params={"province": "x\x00"}, headers=headers).status_code == 422
