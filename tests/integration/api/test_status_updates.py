"""POST /api/v1/status-updates: systems' own words, translated; conflicts raised, not overwritten."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import count_rows

URL = "/api/v1/status-updates"


@pytest.fixture(autouse=True)
def _later(clock):
    """Reports below are stamped over the two days after the orders (placed at T0)."""
    clock.advance(3 * 86_400)


def _u(order_id: str, source: str, status: str, at: str) -> dict[str, str]:
    return {"order_id": order_id, "source": source, "status": status, "at": at}


def _events(app, order_id: str, type_: str) -> list[dict]:
    with app.store.uow(read_only=True) as uow:
        return [e for e in uow.outbox.for_order(order_id) if e["type"] == type_]


def test_updates_in_each_systems_vocabulary_walk_an_order_to_delivered(client, admin, post_order):
    oid = post_order("S-1")
    body = {
        "updates": [
            _u(oid, "wms", "打包中", "2026-11-11T09:00:00+08:00"),
            _u(oid, "sf", "WAYBILL_CREATED", "2026-11-11T09:05:00+08:00"),
            _u(oid, "wms", "OUTBOUND", "2026-11-11T09:10:00+08:00"),
            _u(oid, "zto", "揽收", "2026-11-11T10:00:00+08:00"),
            _u(oid, "crm", "DELIVERED", "2026-11-12T10:00:00+08:00"),
        ]
    }
    r = client.post(URL, json=body, headers=admin)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["outcome"] for x in results] == ["recorded"] * 5
    assert results[0]["milestones"] == ["picked", "packed"]
    assert [x["status"] for x in results] == [
        "in_warehouse",
        "in_warehouse",
        "shipped",
        "in_transit",
        "delivered",
    ]


def test_an_order_can_be_named_by_channel_and_external_id(client, admin, post_order):
    oid = post_order("S-2")
    body = {
        "updates": [
            {
                "channel": "tmall",
                "external_id": "S-2",
                "source": "wms",
                "status": "PICKED",
                "at": "2026-11-11T09:00:00+08:00",
            }
        ]
    }
    [res] = client.post(URL, json=body, headers=admin).json()["results"]
    assert (res["order_id"], res["outcome"]) == (oid, "recorded")


def test_the_wms_still_packing_after_the_crm_said_shipped_raises_a_conflict_event(
    client, admin, post_order, world
):
    oid = post_order("S-3")
    body = {
        "updates": [
            _u(oid, "crm", "已发货", "2026-11-11T09:00:00+08:00"),
            _u(oid, "wms", "PACKING", "2026-11-11T09:30:00+08:00"),
        ]
    }
    results = client.post(URL, json=body, headers=admin).json()["results"]
    assert [x["outcome"] for x in results] == ["recorded", "status_conflict"]
    conflict = results[1]["conflict"]
    assert conflict["rule"] == "warehouse_work_after_outbound"
    assert (conflict["claim"]["source"], conflict["claim"]["reported"]) == ("wms", "PACKING")
    assert (conflict["other"]["source"], conflict["other"]["claims"]) == ("crm", "outbound")
    [event] = _events(world, oid, "order.status_conflict")
    assert event["payload"]["rule"] == "warehouse_work_after_outbound"
    steps = {m["milestone"] for m in client.get(f"/api/v1/orders/{oid}", headers=admin).json()["milestones"]}
    assert "packed" not in steps  # not last-writer-wins: the contradicting claim is not applied


def test_a_claim_refused_as_dated_in_the_future_is_never_evidence_of_a_conflict(
    client, admin, post_order, world
):
    oid = post_order("S-5")
    body = {
        "updates": [  # a system whose clock has gone wrong: both are refused, nothing disputes
            _u(oid, "crm", "已发货", "2031-01-01T09:00:00+08:00"),
            _u(oid, "wms", "PACKING", "2031-01-01T09:30:00+08:00"),
            _u(oid, "wms", "PACKING", "2026-11-11T09:30:00+08:00"),
        ]
    }
    results = client.post(URL, json=body, headers=admin).json()["results"]
    assert [x["outcome"] for x in results] == ["rejected", "rejected", "recorded"], results
    assert {x["error"]["code"] for x in results[:2]} == {"timestamp_in_future"}
    assert _events(world, oid, "order.status_conflict") == []


def test_the_carrier_reporting_pickup_failed_after_delivery_raises_a_conflict(
    client, admin, post_order, world
):
    oid = post_order("S-4")
    client.post(
        URL, json={"updates": [_u(oid, "crm", "DELIVERED", "2026-11-11T12:00:00+08:00")]}, headers=admin
    )
    later = {"updates": [_u(oid, "sf", "揽收失败", "2026-11-11T13:00:00+08:00")]}
    [res] = client.post(URL, json=later, headers=admin).json()["results"]
    assert res["outcome"] == "status_conflict"
    assert [e["payload"]["rule"] for e in _events(world, oid, "order.status_conflict")] == [
        "pickup_failed_after_delivery"
    ]


def test_a_pickup_failure_with_nothing_against_it_is_kept_as_a_signal_event(client, admin, post_order, world):
    oid = post_order("S-5")
    body = {"updates": [_u(oid, "ems", "PICKUP_FAILED", "2026-11-11T13:00:00+08:00")]}
    [res] = client.post(URL, json=body, headers=admin).json()["results"]
    assert (res["outcome"], res["signal"]) == ("signal", "pickup_failed")
    assert len(_events(world, oid, "order.status_signal")) == 1


def test_unknown_words_are_refused_per_item_with_a_bilingual_reason_and_kept(
    client, admin, post_order, world
):
    oid = post_order("S-6")
    before = count_rows(world, "anomalies")
    body = {
        "updates": [
            _u(oid, "wms", "DANCING", "2026-11-11T09:00:00+08:00"),
            _u(oid, "mystery_erp", "DONE", "2026-11-11T09:00:00+08:00"),
            _u(oid, "wms", "PICKED", "2026-11-11T09:00:00+08:00"),
            _u("OR-NOPE", "wms", "PICKED", "2026-11-11T09:00:00+08:00"),
        ]
    }
    results = client.post(URL, json=body, headers=admin).json()["results"]
    assert [x["outcome"] for x in results] == ["rejected", "rejected", "recorded", "rejected"]
    assert [x["error"]["code"] for x in (results[0], results[1], results[3])] == [
        "unknown_vocabulary",
        "unknown_source",
        "order_not_found",
    ]
    assert "DANCING" in results[0]["error"]["message"] and "状态图" in results[0]["error"]["message"]
    assert count_rows(world, "anomalies") == before + 3
    assert len(_events(world, oid, "order.update_rejected")) == 2


def test_an_update_must_name_its_order_one_way(client, admin):
    body = {"updates": [{"source": "wms", "status": "PICKED", "at": "2026-11-11T09:00:00+08:00"}]}
    assert client.post(URL, json=body, headers=admin).status_code == 422


def test_a_viewer_may_not_report_statuses(client, auth, post_order):
    from ordo.domain.access import Role

    oid = post_order("S-7")
    body = {"updates": [_u(oid, "wms", "PICKED", "2026-11-11T09:00:00+08:00")]}
    assert client.post(URL, json=body, headers=auth(Role.VIEWER)).status_code == 403
