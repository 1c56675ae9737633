"""Incidents, telemetry and health over HTTP: viewers read, operators act."""

from __future__ import annotations

from ordo.domain.access import Role
from ordo.service.incidents.scan import scan
from ordo.service.people import add_user


def test_a_viewer_reads_the_queue_but_only_operations_may_work_it(client, auth, post_order, world):
    oid = post_order("HTTP-OOS", [("SKU-RARE", 5)])
    scan(world)
    viewer, ops = auth(Role.VIEWER), auth(Role.OPS)
    page = client.get("/api/v1/incidents", params={"detector": "stock_out"}, headers=viewer).json()
    [item] = page["exceptions"]
    assert item["order_id"] == oid and item["state"] == "open" and "opened_at" in item
    eid = item["id"]
    assert client.post(f"/api/v1/incidents/{eid}/acknowledge", json={}, headers=viewer).status_code == 403
    # Incidents go to people: a user's login, shown by their name.
    add_user(world, "han.mei", "韩梅梅", Role.OPS, None)
    r = client.post(f"/api/v1/incidents/{eid}/assign", json={"assignee": "han.mei"}, headers=ops)
    assert r.status_code == 200 and r.json()["assignee"] == "han.mei"
    assert r.json()["assignee_name"] == "韩梅梅"
    assert (
        client.post(f"/api/v1/incidents/{eid}/acknowledge", json={"note": "查库存"}, headers=ops).json()[
            "state"
        ]
        == "acknowledged"
    )
    assert client.post(f"/api/v1/incidents/{eid}/resolve", json={}, headers=ops).json()["state"] == "resolved"
    again = client.post(f"/api/v1/incidents/{eid}/dismiss", json={}, headers=ops)
    assert again.status_code == 409 and again.json()["error"] == "exception_state"
    assert client.get(f"/api/v1/incidents/{eid}", headers=viewer).json()["closed_by"].startswith("api:")
    metrics = client.get("/api/v1/incidents/metrics", headers=viewer).json()
    assert metrics["closed"] == 1 and metrics["alert_precision"] == 1.0
    assert client.get("/api/v1/incidents/999999", headers=viewer).status_code == 404


def test_telemetry_with_a_real_excursion_opens_a_cold_chain_incident(client, auth, post_order):
    oid = post_order("HTTP-COLD", [("SKU-MILK", 1)])
    readings = [
        {
            "order_id": oid,
            "device_id": "T1",
            "at": f"2026-11-11T08:{m:02d}:00+08:00",
            "celsius": 4 if m < 10 else 12,
        }
        for m in range(0, 50, 5)
    ]
    r = client.post("/api/v1/telemetry", json={"readings": readings}, headers=auth(Role.INTEGRATION))
    assert r.status_code == 200, r.text
    assert r.json()["excursions"] == 1 and r.json()["exceptions_opened"] == 1
    assert r.json()["probe_faults"] == 0
    bad = client.post("/api/v1/telemetry", json={"readings": []}, headers=auth(Role.INTEGRATION))
    assert bad.status_code == 422
    assert (
        client.post("/api/v1/telemetry", json={"readings": readings}, headers=auth(Role.VIEWER)).status_code
        == 403
    )


def test_a_probe_reading_85_degrees_is_a_probe_fault_not_an_excursion(client, auth, post_order):
    oid = post_order("HTTP-PROBE", [("SKU-MILK", 1)])
    readings = [
        {
            "order_id": oid,
            "device_id": "T9",
            "at": f"2026-11-11T08:{m:02d}:00+08:00",
            "celsius": 4.1 if m < 10 else 85.0,  # the one-wire probe's power-on value
        }
        for m in range(0, 50, 5)
    ]
    r = client.post("/api/v1/telemetry", json={"readings": readings}, headers=auth(Role.INTEGRATION))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["excursions"], body["exceptions_opened"], body["probe_faults"]) == (0, 0, 1)
    listed = client.get("/api/v1/telemetry/probe-faults", headers=auth(Role.VIEWER))
    assert listed.status_code == 200
    assert [(p["order_id"], p["device_id"], p["fault"]) for p in listed.json()["items"]] == [
        (oid, "T9", "out_of_physical_range")
    ]
    assert client.get("/api/v1/telemetry/probe-faults?limit=0", headers=auth(Role.VIEWER)).status_code == 422


def test_the_health_summary_colours_open_orders_by_channel_warehouse_carrier_and_region(
    client, auth, post_order, world
):
    post_order("HTTP-H1")
    post_order("HTTP-H2", [("SKU-RARE", 5)])
    scan(world)
    body = client.get("/api/v1/health/summary", headers=auth(Role.VIEWER)).json()
    assert body["orders"] == 2 and sum(body["bands"].values()) == 2
    assert set(body["by"]) == {"channel", "warehouse", "carrier", "region"}
    assert body["worst"][0]["band"] == "red" and body["worst"][0]["indicators"]["stock"] == 1.0
