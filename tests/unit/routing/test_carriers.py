"""Carrier per parcel: coverage, forced carriers, and the promise with the cut-off."""

from __future__ import annotations

from ordo.domain.routing import Directives, route_one
from ordo.domain.routing.network import DAY_NS

from .net import NETWORK, SH, XJ, context, request

HOUR_NS = 3600 * 10**9


def test_xinjiang_is_served_by_ems_only() -> None:
    plan = route_one(request(to=XJ), context())
    assert plan.warehouse_id is not None
    assert {p.carrier_id for p in plan.parcels} == {"ems"}


def test_a_cheap_network_carries_ordinary_mainland_parcels() -> None:
    plan = route_one(request(to=SH), context())
    assert plan.parcels[0].carrier_id == "zto"


def test_a_rule_can_force_an_eligible_carrier() -> None:
    plan = route_one(request(to=SH, directives=Directives(carrier="sf")), context())
    assert plan.parcels[0].carrier_id == "sf"


def test_a_forced_carrier_that_cannot_serve_the_lane_is_ignored() -> None:
    plan = route_one(request(to=XJ, directives=Directives(carrier="zto")), context())
    assert plan.parcels[0].carrier_id == "ems"


def test_a_carrier_without_capacity_left_is_not_used() -> None:
    ctx = context()
    ctx.carrier_left[NETWORK.c_index["zto"]] = 0
    plan = route_one(request(to=SH), ctx)
    assert plan.parcels[0].carrier_id != "zto"


def test_the_cut_off_moves_the_promise_by_a_day() -> None:
    morning = context().now_ns
    before = route_one(request(to=SH), context(now_ns=morning))
    after = route_one(request(to=SH), context(now_ns=morning + 7 * HOUR_NS))  # 17:00, past 16:00
    assert before.promise_ns is not None and after.promise_ns is not None
    assert after.promise_ns - before.promise_ns == DAY_NS
    # Tonight's 19:00 trunk plus the lane: before the cut-off it arrives tomorrow.
    assert morning < before.promise_ns < morning + DAY_NS


def test_a_canonical_order_becomes_a_route_request() -> None:
    from ordo.domain.orders.model import Address, Line, Order
    from ordo.domain.routing import RouteRequest

    order = Order(
        "O9",
        "tmall",
        "E9",
        "C1",
        Address("上海市", "上海市", lat=31.23, lng=121.47),
        (Line("A", 2, 1000), Line("B", 1, 500), Line("A", 1, 1000)),
        placed_at_ns=0,
        tags=("sealed",),
    )
    req = RouteRequest.of_order(order, {"A": 300, "B": 1000})
    assert dict(req.lines) == {"A": 3, "B": 1}
    assert req.weight_g == 1900 and req.goods_fen == 3500 and "sealed" in req.tags
    assert route_one(req, context()).warehouse_id == "SHA"
