"""Holds that hold, on SQLite and PostgreSQL: a held order is not released to its warehouse,
the warehouse's steps on a held order are recorded and raised as ``hold_violated``, holding
an order the warehouse already has sends an intercept (拦截) that the warehouse answers, and
a parcel scanned by another carrier than the one booked is a ``carrier_mismatch``."""

from __future__ import annotations

from typing import Any

from ordo.clock import ManualClock
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate, Outcome
from ordo.service.incidents.scan import scan
from ordo.service.orders.holds import hold, release
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from ordo.service.orders.status_updates import StatusReport, report_statuses
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order
from tests.integration.service.routing_helpers import stored_order

OPS = "api:ops-key"
M = Milestone


def _events(app: Ordo, order_id: str, kind: str) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return [e for e in uow.outbox.for_order(order_id) if e["type"] == kind]


def _incidents(app: Ordo, order_id: str) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return uow.incidents.open_of_orders([order_id])


def _anomalies(app: Ordo, order_id: str) -> list[str]:
    with app.store.uow(read_only=True) as uow:
        return [a["code"] for a in uow.orders.anomalies(order_id)]


def _step(app: Ordo, clock: ManualClock, oid: str, step: Milestone, source: str) -> Any:
    clock.advance(60)
    [result] = advance(app, [MilestoneUpdate(oid, step, clock.now_ns(), source)])
    return result


def test_a_held_order_is_not_released_until_its_hold_is_lifted(shop, clock):
    [r] = intake(shop, [new_order("HH-1", [("SKU-TEA", 1)])])
    oid = r.order_id
    [held] = hold(shop, [oid], reason="客户要求暂停", actor=OPS)
    assert held.intercept is None  # the warehouse did not have it yet: nothing to intercept
    refused = _step(shop, clock, oid, M.RELEASED_TO_WAREHOUSE, "oms")
    assert refused.outcome is Outcome.REJECTED and refused.error.code == "order_on_hold"
    assert "挂起" in refused.error.message
    assert "released_to_warehouse" not in {m["milestone"] for m in stored_order(shop, oid)["milestones"]}
    assert _anomalies(shop, oid) == ["order_on_hold"]
    [rejected] = _events(shop, oid, "order.update_rejected")
    assert rejected["payload"]["code"] == "order_on_hold"
    assert _events(shop, oid, "order.intercept_requested") == []

    release(shop, oid, actor=OPS, note="可以发了")
    assert _step(shop, clock, oid, M.RELEASED_TO_WAREHOUSE, "oms").outcome is Outcome.RECORDED
    scan(shop)
    assert [i["detector"] for i in _incidents(shop, oid)] == []


def test_the_warehouse_working_a_held_order_is_recorded_and_raised(shop, clock):
    [r] = intake(shop, [new_order("HH-2", [("SKU-TEA", 1)])])
    oid = r.order_id
    hold(shop, [oid], reason="风控复核", actor=OPS)
    scan(shop)
    picked = _step(shop, clock, oid, M.PICKED, "wms")
    assert picked.outcome is Outcome.RECORDED  # it happened
    packed = _step(shop, clock, oid, M.PACKED, "wms")
    assert packed.outcome is Outcome.RECORDED
    violations = _events(shop, oid, "order.hold_violated")
    assert [v["payload"]["milestone"] for v in violations] == ["picked", "packed"]
    assert violations[0]["payload"]["source"] == "wms"
    assert violations[0]["payload"]["hold_reason"] == "manual:风控复核"
    scan(shop)
    [incident] = [i for i in _incidents(shop, oid) if i["detector"] == "hold_violated"]
    assert incident["playbook"] == "hold_violated"
    details = incident["details"]
    assert (details["milestone"], details["source"], details["hold_reason"]) == (
        "picked", "wms", "manual:风控复核",
    )  # fmt: skip
    assert incident["queued"]  # a person follows it up at once
    assert {s["step"] for s in incident["steps"]} == {"intercept", "notify_ops"}
    # The playbook asked the warehouse to intercept it.
    [asked] = _events(shop, oid, "order.intercept_requested")
    assert asked["payload"]["by"] == "ordo:exceptions"
    assert stored_order(shop, oid)["intercept"]["state"] == "requested"
    # An order that is not held raises nothing for the same steps.
    [other] = intake(shop, [new_order("HH-3", [("SKU-TEA", 1)])])
    _step(shop, clock, other.order_id, M.PICKED, "wms")
    scan(shop)
    assert _events(shop, other.order_id, "order.hold_violated") == []
    assert [i for i in _incidents(shop, other.order_id) if i["detector"] == "hold_violated"] == []


def test_holding_a_released_order_sends_an_intercept_and_records_the_answer(shop, clock):
    [r] = intake(shop, [new_order("HH-4", [("SKU-TEA", 1)])])
    oid = r.order_id
    _step(shop, clock, oid, M.RELEASED_TO_WAREHOUSE, "oms")
    assert stored_order(shop, oid)["intercept"] is None
    clock.advance(60)
    [held] = hold(shop, [oid], reason="买家改地址", actor=OPS)
    assert held.intercept == "requested" and held.as_dict()["intercept"] == "requested"
    [asked] = _events(shop, oid, "order.intercept_requested")
    p = asked["payload"]
    assert (p["hold_reason"], p["warehouse_id"], p["by"]) == ("manual:买家改地址", "WH-SH", OPS)
    assert p["steps_done"] == ["released_to_warehouse"]
    got = stored_order(shop, oid)["intercept"]
    assert (got["state"], got["source"], got["hold_reason"]) == ("requested", OPS, "manual:买家改地址")

    clock.advance(120)
    [answer] = report_statuses(shop, [StatusReport("wms", "拦截成功", clock.now_ns(), order_id=oid)])
    assert (answer.outcome, answer.signal) == ("signal", "intercepted")
    got = stored_order(shop, oid)["intercept"]
    assert (got["state"], got["source"], got["at_ns"]) == ("intercepted", "wms", clock.now_ns())
    assert got["requested_at_ns"] < got["at_ns"]
    [answered] = _events(shop, oid, "order.intercept_answered")
    assert answered["payload"]["state"] == "intercepted" and answered["payload"]["reported"] == "拦截成功"

    clock.advance(60)
    [failed] = report_statuses(shop, [StatusReport("wms", "拦截失败", clock.now_ns(), order_id=oid)])
    assert failed.signal == "intercept_failed"
    assert stored_order(shop, oid)["intercept"]["state"] == "failed"


def test_an_english_intercepted_answer_counts_the_same(shop, clock):
    [r] = intake(shop, [new_order("HH-5", [("SKU-TEA", 1)])])
    _step(shop, clock, r.order_id, M.RELEASED_TO_WAREHOUSE, "oms")
    hold(shop, [r.order_id], reason="暂停", actor=OPS)
    clock.advance(60)
    report_statuses(shop, [StatusReport("wms", "INTERCEPTED", clock.now_ns(), order_id=r.order_id)])
    assert stored_order(shop, r.order_id)["intercept"]["state"] == "intercepted"


def test_a_parcel_collected_by_another_carrier_than_booked_is_an_incident(shop, clock):
    [r] = intake(shop, [new_order("CM-1", [("SKU-TEA", 1)])])
    [ok] = intake(shop, [new_order("CM-2", [("SKU-TEA", 1)])])
    assert r.carrier_id and r.carrier_id == ok.carrier_id
    booked = r.carrier_id
    scan(shop)
    for oid in (r.order_id, ok.order_id):
        for step in (M.RELEASED_TO_WAREHOUSE, M.PICKED, M.PACKED, M.WAYBILL_ISSUED, M.OUTBOUND):
            _step(shop, clock, oid, step, "wms" if step is not M.RELEASED_TO_WAREHOUSE else "oms")
    _step(shop, clock, r.order_id, M.COLLECTED, "zto")
    _step(shop, clock, ok.order_id, M.COLLECTED, booked)
    scan(shop)
    [incident] = [i for i in _incidents(shop, r.order_id) if i["detector"] == "carrier_mismatch"]
    d = incident["details"]
    assert (d["booked"], d["scanned_by"], d["milestone"]) == (booked, "zto", "collected")
    assert incident["playbook"] == "carrier_mismatch"
    assert [i for i in _incidents(shop, ok.order_id) if i["detector"] == "carrier_mismatch"] == []
    # Later scans by the carrier that really has the parcel raise nothing more.
    _step(shop, clock, r.order_id, M.IN_TRANSIT, "zto")
    scan(shop)
    assert len([i for i in _incidents(shop, r.order_id) if i["detector"] == "carrier_mismatch"]) == 1


def test_a_mismatch_is_found_when_the_scan_first_sees_the_order_after_the_carrier(shop, clock):
    [r] = intake(shop, [new_order("CM-3", [("SKU-TEA", 1)])])
    for step in (M.RELEASED_TO_WAREHOUSE, M.PICKED, M.OUTBOUND):
        _step(shop, clock, r.order_id, step, "wms")
    _step(shop, clock, r.order_id, M.COLLECTED, "yto")
    scan(shop)  # the order's creation and the scan are read in one pass
    [incident] = [i for i in _incidents(shop, r.order_id) if i["detector"] == "carrier_mismatch"]
    assert incident["details"]["scanned_by"] == "yto"
