"""A refused command writes nothing: no anomaly, no event, no milestone, however often it is sent.

A refused cancel (409) once added an anomaly row and an ``order.update_rejected`` event on
every call, so anyone with a cancelling key could grow the tables at will.
"""

from __future__ import annotations

from collections.abc import Callable

from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import Headers, TestClient, count_rows

TABLES = ("anomalies", "events", "milestones", "orders", "order_lines")


def _counts(world: Ordo) -> dict[str, int]:
    return {t: count_rows(world, t) for t in TABLES}


def test_a_refused_cancel_changes_nothing(
    client: TestClient, admin: Headers, post_order: Callable[..., str], world: Ordo
) -> None:
    order_id = post_order("R-1")
    shipped = {
        "order_id": order_id,
        "milestone": "outbound",
        "at": "2026-11-11T08:01:00+08:00",
        "source": "wms",
    }
    r = client.post("/api/v1/milestones", json={"updates": [shipped]}, headers=admin)
    assert r.status_code == 200, r.text
    before = _counts(world)
    timeline = client.get(f"/api/v1/orders/{order_id}/timeline", headers=admin).json()
    for _ in range(3):
        r = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "too late"}, headers=admin)
        assert r.status_code == 409 and r.json()["error"] == "already_shipped"
    assert _counts(world) == before
    assert client.get(f"/api/v1/orders/{order_id}/timeline", headers=admin).json() == timeline


def test_a_cancel_that_is_taken_still_writes_its_milestone_and_event(
    client: TestClient, admin: Headers, post_order: Callable[..., str], world: Ordo
) -> None:
    order_id = post_order("R-2")
    before = _counts(world)
    r = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "changed mind"}, headers=admin)
    assert r.status_code == 200 and r.json()["outcome"] == "recorded"
    after = _counts(world)
    assert after["milestones"] == before["milestones"] + 1 and after["events"] > before["events"]
    assert after["anomalies"] == before["anomalies"]


def test_a_system_report_refused_is_still_kept_as_evidence(
    client: TestClient, admin: Headers, post_order: Callable[..., str], world: Ordo
) -> None:
    # Reports from systems are not commands: a refused one stays visible as an anomaly.
    order_id = post_order("R-3")
    client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "changed mind"}, headers=admin)
    late = {"order_id": order_id, "milestone": "outbound", "at": "2026-11-11T08:05:00+08:00", "source": "wms"}
    r = client.post("/api/v1/milestones", json={"updates": [late]}, headers=admin)
    assert r.status_code == 200 and r.json()["results"][0]["outcome"] == "rejected", r.text
    assert count_rows(world, "anomalies") == 1
