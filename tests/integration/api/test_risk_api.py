"""The risk radar over HTTP: a feed document in, the impact, a plan through its tier, the
explanation naming the event, the end; bad input named in a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ordo.domain.access import Role
from tests.integration.api.conftest import TestClient

FIXTURES = Path(__file__).parents[2] / "fixtures" / "risk"
Headers = dict[str, str]


def test_a_typhoon_feed_goes_from_impact_to_an_executed_plan_to_restored(
    client: TestClient, auth: Callable[[Role], Headers], post_order: Callable[..., str]
) -> None:
    ids = [post_order(f"R-{i}", province="广东省", city="深圳市") for i in range(2)]
    doc = (FIXTURES / "typhoon_haikui_track.geojson").read_text()
    r = client.post("/api/v1/risk/feeds", json={"document": doc}, headers=auth(Role.OPS))
    assert r.status_code == 201, r.text
    [event] = r.json()["events"]
    assert event["kind"] == "typhoon" and event["starts_at"].startswith("2026-11-11T06:00:00")
    eid = event["id"]

    r = client.get(f"/api/v1/risk/events/{eid}/impact", headers=auth(Role.VIEWER))
    assert r.status_code == 200, r.text
    scan = r.json()
    assert {o["id"] for o in scan["orders"]} == set(ids) and scan["totals"]["open"] == 2
    assert scan["warehouses"][0]["id"] == "WH-GZ" and scan["by_channel"][0]["channel"] == "tmall"

    radar = client.get("/api/v1/risk/radar", headers=auth(Role.VIEWER)).json()
    assert radar["events"][0]["id"] == eid and len(radar["events"][0]["outline"]) > 10

    assert (
        client.post(f"/api/v1/risk/events/{eid}/plans", json={}, headers=auth(Role.VIEWER)).status_code == 403
    )
    r = client.post(f"/api/v1/risk/events/{eid}/plans", json={}, headers=auth(Role.OPS))
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["tier"] == "L2" and plan["orders"] == 2
    pid = plan["id"]
    denied = client.post(f"/api/v1/risk/plans/{pid}/approve", json={}, headers=auth(Role.OPS))
    assert denied.status_code == 403 and denied.json()["error"] == "self_approval"
    denied = client.post(f"/api/v1/risk/plans/{pid}/approve", json={}, headers=auth(Role.FINANCE))
    assert denied.status_code == 403 and denied.json()["error"] == "approval_tier"
    early = client.post(f"/api/v1/risk/plans/{pid}/execute", json={}, headers=auth(Role.OPS))
    assert early.status_code == 409 and early.json()["error"] == "risk_plan_refused"
    ok = client.post(f"/api/v1/risk/plans/{pid}/approve", json={"note": "台风来了"}, headers=auth(Role.ADMIN))
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    done = client.post(f"/api/v1/risk/plans/{pid}/execute", json={}, headers=auth(Role.OPS))
    assert done.status_code == 200 and done.json()["result"]["done"] == 2

    routing = client.get(f"/api/v1/orders/{ids[0]}/routing", headers=auth(Role.VIEWER)).json()
    last = routing["attempts"][-1]
    assert last["trigger"] == "risk" and eid in last["explanation"] and "台风" in last["explanation"]

    r = client.post(f"/api/v1/risk/events/{eid}/end", json={"note": "已过境"}, headers=auth(Role.RISK))
    assert r.status_code == 200 and r.json()["status"] == "restored"
    got = client.get(f"/api/v1/risk/events/{eid}", headers=auth(Role.VIEWER)).json()
    assert [h["action"] for h in got["history"]][-1] == "restored" and got["plans"] == [pid]
    audit = client.get(f"/api/v1/risk/plans/{pid}", headers=auth(Role.VIEWER)).json()["history"]
    assert [h["action"] for h in audit] == ["proposed", "approved", "executed"]


def test_events_are_entered_by_hand_judged_and_refused_when_malformed(
    client: TestClient, auth: Callable[[Role], Headers]
) -> None:
    body = {
        "kind": "lockdown",
        "title": "广州天河区临时封控",
        "severity": "severe",
        "confidence": 0.9,
        "area": {"type": "regions", "adcodes": ["440106"]},
        "ends_at": "2026-11-12T08:00:00+08:00",
        "owners": ["li.ops"],
    }
    r = client.post("/api/v1/risk/events", json=body, headers=auth(Role.RISK))
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["blocks"] and ev["covered"]["divisions"] == 1 and ev["owners"] == ["li.ops"]
    r = client.post(f"/api/v1/risk/events/{ev['id']}/status", json={"status": "confirmed", "hours": 24},
                    headers=auth(Role.OPS))  # fmt: skip
    assert r.status_code == 200 and r.json()["confirmed_hours"] == 24
    back = client.post(
        f"/api/v1/risk/events/{ev['id']}/status", json={"status": "potential"}, headers=auth(Role.OPS)
    )
    assert back.status_code == 409 and back.json()["error"] == "risk_status_refused"
    moved = client.patch(
        f"/api/v1/risk/events/{ev['id']}",
        json={"area": {"type": "track", "points": [[113.3, 23.1]], "radius_km": 30}},
        headers=auth(Role.OPS),
    )
    assert moved.status_code == 200 and moved.json()["covered"]["warehouses"] == ["WH-GZ"]

    cases = [
        ({**body, "area": {"type": "circle"}}, "area.type"),
        ({**body, "area": {"type": "track", "points": [[113, 23]], "radius_km": -1}}, "area.radius_km"),
        ({**body, "area": {"type": "polygon", "coordinates": [[[1, 2], [3, 4]]]}}, "area.coordinates[0]"),
        ({**body, "area": {"type": "regions", "adcodes": ["44"]}}, "area.adcodes"),
        ({**body, "area": None}, "area"),
        ({**body, "assets": {"warehouses": ["WH-NOPE"]}, "area": None}, "assets.warehouses"),
    ]
    for bad, field in cases:
        r = client.post("/api/v1/risk/events", json=bad, headers=auth(Role.OPS))
        assert r.status_code == 422, (field, r.text)
        assert r.json()["details"]["field"] == field, r.text
    r = client.post("/api/v1/risk/events", json={**body, "kind": "meteor"}, headers=auth(Role.OPS))
    assert r.status_code == 422
    r = client.post("/api/v1/risk/feeds", json={"document": "<!DOCTYPE x><alert/>"}, headers=auth(Role.OPS))
    assert r.status_code == 422 and r.json()["details"]["field"] == "feed"
    assert client.post("/api/v1/risk/events", json=body, headers=auth(Role.VIEWER)).status_code == 403
    assert client.get("/api/v1/risk/events/NOPE", headers=auth(Role.VIEWER)).status_code == 404
    assert client.get("/api/v1/risk/plans/NOPE", headers=auth(Role.VIEWER)).status_code == 404
