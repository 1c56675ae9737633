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
    # Resolving says what was done: without a note it is a 422 naming the note.
    bare = client.post(f"/api/v1/incidents/{eid}/resolve", json={}, headers=ops)
    assert bare.status_code == 422 and bare.json()["details"]["field"] == "note"
    blank = client.post(f"/api/v1/incidents/{eid}/resolve", json={"note": "   "}, headers=ops)
    assert blank.status_code == 422 and blank.json()["details"]["field"] == "note"
    done = client.post(f"/api/v1/incidents/{eid}/resolve", json={"note": "已补货并锁库"}, headers=ops).json()
    assert done["state"] == "resolved" and done["resolution"] == "已补货并锁库"
    again = client.post(f"/api/v1/incidents/{eid}/dismiss", json={}, headers=ops)
    assert again.status_code == 409 and again.json()["error"] == "exception_state"
    assert client.get(f"/api/v1/incidents/{eid}", headers=viewer).json()["closed_by"].startswith("api:")
    metrics = client.get("/api/v1/incidents/metrics", headers=viewer).json()
    assert metrics["closed"] == 1 and metrics["alert_precision"] == 1.0
    assert client.get("/api/v1/incidents/999999", headers=viewer).status_code == 404


def test_the_queue_speaks_in_words_and_bulk_actions_answer_per_incident(client, auth, post_order, world):
    a = post_order("HTTP-BULK-A", [("SKU-RARE", 5)])
    b = post_order("HTTP-BULK-B", [("SKU-RARE", 6)])
    scan(world)
    ops, viewer = auth(Role.OPS), auth(Role.VIEWER)
    page = client.get("/api/v1/incidents", params={"detector": "stock_out"}, headers=viewer).json()
    rows = {x["order_id"]: x for x in page["exceptions"]}
    assert set(rows) == {a, b}
    step = rows[a]["steps"][0]
    # The step's result in words, from the playbook data, not "retry_stock_lock: failed".
    assert step["step"] == "retry_stock_lock" and step["outcome"] == "failed"
    assert step["text"] == {"en": "retrying the stock lock failed", "zh": "重试锁库存失败"}
    assert rows[a]["breach"] is None  # a stock-out is not a timer breach
    ids = [rows[a]["id"], rows[b]["id"]]
    # Bulk resolve needs its note; a viewer cannot act.
    nonote = client.post("/api/v1/incidents/bulk", json={"ids": ids, "action": "resolve"}, headers=ops)
    assert nonote.status_code == 422 and nonote.json()["details"]["field"] == "note"
    assert (
        client.post(
            "/api/v1/incidents/bulk", json={"ids": ids, "action": "acknowledge"}, headers=viewer
        ).status_code
        == 403
    )
    add_user(world, "li.lei", "李雷", Role.OPS, None)
    assigned = client.post(
        "/api/v1/incidents/bulk", json={"ids": ids, "action": "assign", "assignee": "li.lei"}, headers=ops
    ).json()
    assert assigned["ok"] == 2 and {r["assignee"] for r in assigned["results"]} == {"li.lei"}
    nobody = client.post(
        "/api/v1/incidents/bulk", json={"ids": ids, "action": "assign", "assignee": "nobody"}, headers=ops
    )
    assert nobody.status_code == 422 and nobody.json()["details"]["field"] == "assignee"
    client.post(f"/api/v1/incidents/{ids[1]}/dismiss", json={"note": "误报"}, headers=ops)
    r = client.post(
        "/api/v1/incidents/bulk",
        json={"ids": [*ids, 999999], "action": "resolve", "note": "已调拨补货"},
        headers=ops,
    ).json()
    by_id = {x["id"]: x for x in r["results"]}
    assert (r["ok"], r["failed"]) == (1, 2)
    assert by_id[ids[0]]["ok"] and by_id[ids[0]]["state"] == "resolved"
    assert by_id[ids[1]]["error"] == "exception_state" and by_id[999999]["error"] == "not_found"
    one = client.get(f"/api/v1/incidents/{ids[0]}", headers=viewer).json()
    assert one["resolution"] == "已调拨补货" and one["sla_left_s"] is None


def test_an_sla_breach_names_the_step_its_deadline_and_the_time_over(client, auth, world):
    from ordo.service.incidents.queue import present

    row = {
        "state": "open", "steps": [{"step": "remind_warehouse", "outcome": "done", "at_ns": 1}],
        "details": {"expect": "picked", "after": "released_to_warehouse", "deadline_ns": 10 * 10**9},
        "closed_at_ns": None, "due_ns": 100 * 10**9,
    }  # fmt: skip
    out = present(row, now=70 * 10**9)
    assert out["steps"][0]["text"]["zh"] == "已催仓"
    assert out["breach"] == {
        "expect": "picked",
        "after": "released_to_warehouse",
        "deadline_ns": 10 * 10**9,
        "over_s": 60,
    }
    assert out["sla_left_s"] == 30
    assert present({**row, "due_ns": 50 * 10**9}, now=70 * 10**9)["sla_left_s"] == -20


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
