"""/api/v1/subscriptions: outbound event subscriptions, admin only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from ordo.domain.access import Role
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


def test_subscriptions_are_managed_over_the_api_by_admins_only(client, admin, auth, endpoint):
    body = {"url": endpoint.url, "event_types": ["order.status_conflict"]}
    assert client.post("/api/v1/subscriptions", json=body, headers=auth(Role.OPS)).status_code == 403
    r = client.post("/api/v1/subscriptions", json=body, headers=admin)
    assert r.status_code == 201, r.text
    sub = r.json()
    assert len(sub["secret"]) >= 32
    listed = client.get("/api/v1/subscriptions", headers=admin).json()["subscriptions"]
    assert [s["id"] for s in listed] == [sub["id"]] and "secret" not in listed[0]
    bad = client.post("/api/v1/subscriptions", json={"url": "ftp://x", "event_types": []}, headers=admin)
    assert bad.status_code == 422
    assert client.delete(f"/api/v1/subscriptions/{sub['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/subscriptions", headers=admin).json()["subscriptions"] == []
    assert client.delete(f"/api/v1/subscriptions/{sub['id']}", headers=admin).status_code == 404
