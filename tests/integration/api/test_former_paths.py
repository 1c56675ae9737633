"""The paths from before the rename still answer, without a redirect.

/api/v1/exceptions… is now /api/v1/incidents…, /api/v1/webhooks… is now /api/v1/subscriptions….
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from ordo.api.former_paths import DEPRECATED_SINCE
from ordo.domain.access import Role
from ordo.service.incidents.scan import scan
from ordo.service.people import add_user
from ordo.service.runtime.app import Ordo
from tests.integration.outbound.test_subscriptions_out import Endpoint


@pytest.fixture(autouse=True)
def _loopback_allowed(app: Ordo) -> None:
    """The receivers here listen on 127.0.0.1, a target only an admin's allow-list opens."""
    app.settings = replace(app.settings, outbound_allow_hosts=("127.0.0.1",))


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    e = Endpoint(failures=0)
    yield e
    e.close()


def _points_to(r, successor: str) -> bool:  # type: ignore[no-untyped-def]
    return (
        r.headers["deprecation"] == DEPRECATED_SINCE
        and r.headers["link"] == f'<{successor}>; rel="successor-version"'
    )


def test_the_former_exceptions_paths_answer_reads_and_actions_as_the_incidents_paths_do(
    client, auth, post_order, world
):
    oid = post_order("HTTP-FORMER", [("SKU-RARE", 5)])
    scan(world)
    add_user(world, "han.mei", "韩梅梅", Role.OPS, None)  # incidents are given to people
    viewer, ops = auth(Role.VIEWER), auth(Role.OPS)
    old = client.get("/api/v1/exceptions", params={"order_id": oid}, headers=viewer, follow_redirects=False)
    assert old.status_code == 200 and _points_to(old, "/api/v1/incidents")
    assert old.json() == client.get("/api/v1/incidents", params={"order_id": oid}, headers=viewer).json()
    [item] = old.json()["exceptions"]
    eid = item["id"]
    # A POST with a body works on the old path itself: no client has to follow a redirect.
    r = client.post(
        f"/api/v1/exceptions/{eid}/assign", json={"assignee": "han.mei"}, headers=ops, follow_redirects=False
    )
    assert r.status_code == 200 and r.json()["assignee"] == "han.mei"
    assert _points_to(r, f"/api/v1/incidents/{eid}/assign")
    assert client.post(f"/api/v1/exceptions/{eid}/resolve", json={}, headers=viewer).status_code == 403
    assert client.get(f"/api/v1/incidents/{eid}", headers=viewer).json()["assignee"] == "han.mei"
    assert client.get("/api/v1/exceptions/metrics", headers=viewer).status_code == 200
    assert client.get("/api/v1/exceptions/999999", headers=viewer).status_code == 404
    paths = set(client.get("/openapi.json").json()["paths"])
    assert "/api/v1/incidents/{incident_id}/assign" in paths
    assert not any(p.startswith("/api/v1/exceptions") for p in paths)


def test_the_former_webhooks_paths_manage_subscriptions_as_the_subscriptions_paths_do(
    client, admin, auth, endpoint
):
    body = {"url": endpoint.url, "event_types": ["order.status_conflict"]}
    assert client.post("/api/v1/webhooks", json=body, headers=auth(Role.OPS)).status_code == 403
    r = client.post("/api/v1/webhooks", json=body, headers=admin, follow_redirects=False)
    assert r.status_code == 201 and _points_to(r, "/api/v1/subscriptions")
    sub = r.json()
    assert [s["id"] for s in client.get("/api/v1/subscriptions", headers=admin).json()["subscriptions"]] == [
        sub["id"]
    ]
    assert client.get("/api/v1/webhooks", headers=admin).json()["subscriptions"][0]["id"] == sub["id"]
    dead = client.get(f"/api/v1/webhooks/{sub['id']}/dead-letters", headers=admin)
    assert dead.status_code == 200 and dead.json() == {"dead_letters": []}
    gone = client.delete(f"/api/v1/webhooks/{sub['id']}", headers=admin, follow_redirects=False)
    assert gone.status_code == 204 and gone.content == b""
    assert _points_to(gone, f"/api/v1/subscriptions/{sub['id']}")
    assert client.get("/api/v1/subscriptions", headers=admin).json()["subscriptions"] == []
    paths = set(client.get("/openapi.json").json()["paths"])
    assert "/api/v1/subscriptions/{sub_id}/replay" in paths
    assert not any(p.startswith("/api/v1/webhooks") for p in paths)
