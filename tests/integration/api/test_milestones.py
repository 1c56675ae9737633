"""Milestone reports, cancellation and the order timeline."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ordo.api import create_app
from ordo.service.orders.intake import intake
from tests.conftest import new_order
from tests.integration.api.conftest import TestClient, count_rows

URL = "/api/v1/milestones"


def _update(order_id: str, milestone: str, at: str = "2026-11-11T08:01:00+08:00", source: str = "wms"):
    return {"order_id": order_id, "milestone": milestone, "at": at, "source": source}


def test_each_update_is_answered_recorded_duplicate_or_rejected(client, admin, post_order):
    order_id = post_order("M-1")
    updates = [
        _update(order_id, "picked"),
        _update(order_id, "picked"),
        _update(order_id, "returned"),
        _update("OR-NOT-A-REAL-ONE", "picked"),
    ]
    r = client.post(URL, json={"updates": updates}, headers=admin)
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["outcome"] for x in results] == ["recorded", "duplicate", "rejected", "rejected"]
    assert results[0]["status"] == "in_warehouse"
    assert results[0]["error"] is None
    assert results[2]["error"]["code"] == "not_shipped"
    assert results[3]["error"]["code"] == "order_not_found"
    assert results[0]["at"] == "2026-11-11T08:01:00+08:00"


def test_an_order_walks_to_delivered_through_reports_from_several_systems(client, admin, post_order):
    order_id = post_order("M-1")
    steps = [
        ("released_to_warehouse", "oms"),
        ("picked", "wms"),
        ("packed", "wms"),
        ("waybill_issued", "wms"),
        ("outbound", "wms"),
        ("collected", "sf_express"),
        ("delivered", "sf_express"),
    ]
    body = {"updates": [_update(order_id, m, source=s) for m, s in steps]}
    results = client.post(URL, json=body, headers=admin).json()["results"]
    assert all(x["outcome"] == "recorded" for x in results)
    assert client.get(f"/api/v1/orders/{order_id}", headers=admin).json()["status"] == "delivered"


def test_an_unknown_milestone_name_is_a_422_naming_the_field_and_writes_nothing(
    client, admin, world, post_order
):
    order_id = post_order("M-1")
    before = count_rows(world, "milestones")
    body = {"updates": [_update(order_id, "picked"), _update(order_id, "teleported")]}
    r = client.post(URL, json=body, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "updates[1].milestone"
    assert count_rows(world, "milestones") == before


def test_a_source_name_longer_than_the_store_holds_is_a_422(client, admin, post_order):
    order_id = post_order("M-1")
    r = client.post(URL, json={"updates": [_update(order_id, "picked", source="s" * 33)]}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "updates[0].source"


def test_cancelling_an_order_in_the_warehouse_releases_it(client, admin, post_order):
    order_id = post_order("C-1")
    r = client.post(
        f"/api/v1/orders/{order_id}/cancel", json={"reason": "customer changed mind"}, headers=admin
    )
    assert r.status_code == 200
    assert r.json() == {"order_id": order_id, "outcome": "recorded", "status": "cancelled"}
    again = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "again"}, headers=admin)
    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    stock = client.get("/api/v1/inventory", params={"warehouse_id": "WH-SH", "sku": "SKU-TEA"}, headers=admin)
    assert stock.json()["items"][0]["reserved"] == 0


def test_cancelling_a_shipped_order_is_a_409_with_the_lifecycle_code(client, admin, post_order):
    order_id = post_order("C-1")
    client.post(URL, json={"updates": [_update(order_id, "outbound")]}, headers=admin)
    r = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "too late"}, headers=admin)
    assert r.status_code == 409
    assert r.json()["error"] == "already_shipped"
    assert "退货" in r.json()["message"]


def test_cancelling_an_unknown_order_is_a_404_and_keeps_no_anomaly(client, admin, world):
    r = client.post("/api/v1/orders/OR00000000000000NONE/cancel", json={"reason": "x"}, headers=admin)
    assert r.status_code == 404
    assert count_rows(world, "anomalies") == 0


def test_a_cancel_needs_a_reason(client, admin, post_order):
    order_id = post_order("C-1")
    r = client.post(f"/api/v1/orders/{order_id}/cancel", json={}, headers=admin)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "reason"


def test_the_timeline_merges_milestones_anomalies_and_events_in_time_order(client, admin, post_order, clock):
    order_id = post_order("T-1")
    clock.advance(3600)
    body = {
        "updates": [
            _update(order_id, "picked", at="2026-11-11T08:30:00+08:00", source="wms"),
            _update(order_id, "returned", at="2026-11-11T08:40:00+08:00", source="wms"),
        ]
    }
    client.post(URL, json=body, headers=admin)
    r = client.get(f"/api/v1/orders/{order_id}/timeline", headers=admin)
    assert r.status_code == 200
    entries = r.json()["entries"]
    assert [e["at_ns"] for e in entries] == sorted(e["at_ns"] for e in entries)
    kinds = {e["kind"] for e in entries}
    assert kinds == {"milestone", "anomaly", "event"}
    picked = next(e for e in entries if e.get("milestone") == "picked" and e["kind"] == "milestone")
    assert picked["label"] == {"en": "Picked", "zh": "已拣货"}
    assert picked["source"] == "wms"
    anomaly = next(e for e in entries if e["kind"] == "anomaly")
    assert anomaly["code"] == "not_shipped"
    types = [e["type"] for e in entries if e["kind"] == "event"]
    assert types == ["order.created", "order.milestone_recorded", "order.update_rejected"]


def test_the_timeline_of_an_unknown_order_is_a_404(client, admin):
    assert client.get("/api/v1/orders/ORNOPE/timeline", headers=admin).status_code == 404


def test_a_report_from_the_future_is_rejected_with_its_code(client, admin, post_order):
    order_id = post_order("M-1")
    body = {"updates": [_update(order_id, "picked", at="2026-11-11T12:00:00+08:00")]}
    [result] = client.post(URL, json=body, headers=admin).json()["results"]
    assert result["outcome"] == "rejected"
    assert result["error"]["code"] == "timestamp_in_future"


def test_concurrent_requests_share_the_writer_and_each_gets_its_own_answers(api, client, admin, post_order):
    ids = [post_order(f"P-{i}") for i in range(8)]
    assert api.state.milestones_batcher is not None  # started with the app

    def report(order_id: str) -> tuple[str, list[dict]]:
        body = {
            "updates": [_update(order_id, "picked"), _update(order_id, "picked"), _update(order_id, "packed")]
        }
        r = client.post(URL, json=body, headers=admin)
        assert r.status_code == 200, r.text
        return order_id, r.json()["results"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(report, ids))
    for order_id, results in answers:
        assert [(x["index"], x["order_id"], x["outcome"]) for x in results] == [
            (0, order_id, "recorded"),
            (1, order_id, "duplicate"),
            (2, order_id, "recorded"),
        ]


def test_an_app_that_was_never_started_answers_each_request_alone(world, settings, admin):
    [placed] = intake(world, [new_order("M-1")])
    app = create_app(world, settings)
    bare = TestClient(app)  # no `with`: no lifespan, so no batcher
    r = bare.post(URL, json={"updates": [_update(str(placed.order_id), "picked")]}, headers=admin)
    assert r.status_code == 200
    assert getattr(app.state, "milestones_batcher", None) is None
    assert r.json()["results"][0]["outcome"] == "recorded"
