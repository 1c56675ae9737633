"""Each hard constraint keeps a warehouse out, and the snapshot says which one did."""

from __future__ import annotations

import numpy as np

from ordo.domain.routing import Directives, Plan, WarehouseOps, explain, route, route_one
from ordo.domain.routing.network import DAY_NS
from ordo.domain.routing.snapshot import excluded_for

from .net import NETWORK, SH, SKUS, WAREHOUSES, XJ, ZJ_NAME, context, ops_network, request

HOUR_NS = 3600 * 10**9


def _excluded(plan: Plan, wid: str) -> list[str]:
    reasons = excluded_for(plan.snapshot(), wid)
    assert reasons is not None, f"{wid} was not excluded"
    return reasons


def test_a_warehouse_in_outage_is_never_chosen() -> None:
    ctx = context()
    ctx.outage[NETWORK.w_index["SHA"]] = True
    plan = route([request(to=SH)], ctx)[0]
    assert plan.warehouse_id != "SHA"
    assert "outage" in _excluded(plan, "SHA")


def test_an_inactive_warehouse_counts_as_an_outage() -> None:
    import dataclasses

    from ordo.domain.routing import build_network

    from .net import CARRIERS

    whs = tuple(dataclasses.replace(w, active=w.id != "SHA") for w in WAREHOUSES)
    plan = route_one(request(to=SH), context(network=build_network(whs, CARRIERS)))
    assert plan.warehouse_id != "SHA"
    assert "outage" in _excluded(plan, "SHA")


def test_a_rule_can_exclude_a_warehouse() -> None:
    plan = route(
        [request(to=SH, directives=Directives(exclude=frozenset({"SHA"}), rule_ids=("r9",)))], context()
    )[0]
    assert plan.warehouse_id != "SHA"
    assert _excluded(plan, "SHA") == ["rule_excluded"]
    assert plan.snapshot()["rules"] == ["r9"]


def test_cold_chain_goes_only_to_capable_warehouses() -> None:
    plan = route([request(to=ZJ_NAME, flags=frozenset({"cold_chain"}))], context())[0]
    assert plan.warehouse_id in {"SHA", "HGH"}
    assert "capability" in _excluded(plan, "NKG")


def test_a_warehouse_outside_its_service_area_is_excluded() -> None:
    net = ops_network({"SHA": WarehouseOps(service_area=frozenset({SH}))})
    plan = route([request(to=ZJ_NAME)], context(network=net))[0]
    assert plan.warehouse_id != "SHA"
    assert "service_area" in _excluded(plan, "SHA")


def test_no_carrier_on_the_lane_excludes_the_warehouse() -> None:
    # Only EMS serves 新疆 and it cannot carry cold chain: no lane from anywhere.
    plan = route([request(to=XJ, flags=frozenset({"cold_chain"}))], context())[0]
    assert plan.parcels == ()
    assert "service_area" in _excluded(plan, "SHA")


def test_a_full_warehouse_is_skipped() -> None:
    ctx = context()
    ctx.capacity_left[NETWORK.w_index["SHA"]] = 0
    plan = route([request(to=SH)], ctx)[0]
    assert plan.warehouse_id != "SHA"
    assert "capacity" in _excluded(plan, "SHA")


def test_a_warehouse_without_enough_stock_is_skipped() -> None:
    stock = {w.id: dict.fromkeys(SKUS, 5) for w in WAREHOUSES}
    stock["SHA"] = {"A": 1}
    plan = route([request((("A", 2),), to=SH)], context(stock))[0]
    assert plan.warehouse_id != "SHA"
    assert _excluded(plan, "SHA") == ["stock"]


def test_a_deadline_excludes_warehouses_that_cannot_make_it_and_the_cut_off_decides() -> None:
    # Tomorrow 12:00 in Shanghai. At 10:00 the near warehouses' trunks leave tonight at 19:00
    # and arrive overnight; 乌鲁木齐 (by EMS only) cannot. At 17:00 the cut-off has passed:
    # everything leaves tomorrow evening, too late for anyone.
    morning = context().now_ns
    deadline = morning - 10 * HOUR_NS + DAY_NS + 12 * HOUR_NS
    early = route_one(request(to=SH, deadline_ns=deadline), context(now_ns=morning))
    assert early.warehouse_id == "SHA"
    assert early.promise_ns is not None and early.promise_ns <= deadline
    assert "cutoff" in _excluded(early, "URC")
    late = route_one(request(to=SH, deadline_ns=deadline), context(now_ns=morning + 7 * HOUR_NS))
    assert late.parcels == ()
    assert "cutoff" in _excluded(late, "SHA")


def test_the_capacity_a_wave_uses_is_subtracted() -> None:
    ctx = context()
    before = ctx.capacity_left.copy()
    plans = route([request(order_id=f"O{i}") for i in range(3)], ctx)
    used = before - ctx.capacity_left
    assert int(used.sum()) == 3
    assert np.all(ctx.capacity_left >= 0)
    assert {p.warehouse_id for p in plans} == {"SHA"}


def test_a_one_line_order_nobody_can_ship_is_held_and_says_why() -> None:
    stock = {"SHA": {"A": 1}}  # too few units, and nothing anywhere else
    plans = route([request((("B", 1),), order_id="O1"), request((("A", 2),), order_id="O2")], context(stock))
    assert [p.reason for p in plans] == ["no_candidate", "no_candidate"]
    snap = plans[1].snapshot()
    assert snap["mode"] == "none" and snap["candidates"] == []
    assert _excluded(plans[1], "SHA") == ["stock"]
    assert "没有仓库能满足全部硬约束" in explain(snap, "zh")
