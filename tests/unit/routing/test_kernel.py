"""The kernel's shortcuts give the numbers of the plain formulas, on both paths."""

from __future__ import annotations

import numpy as np
import pytest

from ordo.domain.routing import (
    CarrierTerms,
    Directives,
    Parcel,
    Plan,
    PlanStatus,
    build_network,
    route,
    route_one,
)
from ordo.domain.routing.kernel import AIR_UPLIFT_KM, ROAD_CIRCUITY, zone_of
from ordo.domain.routing.plan import routed_plan

from .net import CARRIERS, NETWORK, SH, WAREHOUSES, XJ, ZJ_NAME, context, request

TWO = (("A", 1), ("B", 2))


def _candidates(plan: Plan) -> dict[str, dict[str, float]]:
    return {c["warehouse"]: c["raw"] for c in plan.snapshot()["candidates"]}


@pytest.mark.parametrize("velocity", [None, {"A": 3.0, "B": 0.5}])
def test_stock_depth_is_the_worst_line_of_velocity_over_units_left(velocity) -> None:  # type: ignore[no-untyped-def]
    stock = {"SHA": {"A": 4, "B": 50}, "HGH": {"A": 40, "B": 3}}
    for path in ("wave", "single"):
        ctx = context(stock)
        if velocity:
            for sku, v in velocity.items():
                ctx.stock.velocity[ctx.stock.index[sku]] = v
        plan = route([request(TWO)], ctx)[0] if path == "wave" else route_one(request(TWO), ctx)
        raw = _candidates(plan)
        v = velocity or {"A": 1.0, "B": 1.0}
        # Units left after the order, plus one, per line; the most drained line counts.
        assert raw["SHA"]["depth"] == max(v["A"] / 4, v["B"] / 49)
        assert raw["HGH"]["depth"] == max(v["A"] / 40, v["B"] / 2)


def test_a_wave_of_one_matches_the_single_path_when_skus_sell_at_different_speeds() -> None:
    ctx_a, ctx_b = context(), context()
    for ctx in (ctx_a, ctx_b):
        ctx.stock.velocity[:] = [5.0, 1.0, 0.25, 2.0]
    a = route([request(TWO, to=ZJ_NAME)], ctx_a)[0]
    b = route_one(request(TWO, to=ZJ_NAME), ctx_b)
    assert a.parcels == b.parcels
    assert a.snapshot()["candidates"] == b.snapshot()["candidates"]


def test_a_cheap_carrier_that_flies_is_timed_by_air_on_long_lanes_on_both_paths() -> None:
    # 中通 flies beyond 1,000 km here, so 乌鲁木齐 → 上海 goes by air, 杭州 → 上海 by road.
    net = build_network(WAREHOUSES, CARRIERS, terms={"zto": CarrierTerms(air_from_km=1000.0)})
    a = route([request(to=SH)], context(network=net))[0]
    b = route_one(request(to=SH), context(network=net))
    assert a.snapshot()["candidates"] == b.snapshot()["candidates"]
    raw, road = _candidates(a), _candidates(route_one(request(to=SH), context()))
    # The far warehouse is quicker by air than by road, and emits more; the near one is unchanged.
    assert raw["URC"]["time"] < road["URC"]["time"]
    assert raw["URC"]["carbon"] > road["URC"]["carbon"]
    assert raw["HGH"]["time"] == road["HGH"]["time"]
    assert raw["HGH"]["carbon"] == road["HGH"]["carbon"]


def test_zones_count_the_bands_a_lane_is_longer_than_as_searchsorted_does() -> None:
    km = np.array([0.0, 599.9, 600.0, 600.1, 1200.0, 1500.0, 2000.0, 2000.5, 4000.0])
    same = np.zeros(km.size, dtype=bool)
    same[0] = True
    expected = np.where(same, 0, 1 + np.searchsorted(np.array([600.0, 1200.0, 2000.0]), km))
    assert zone_of(km, same).tolist() == expected.tolist()


def test_contexts_over_one_network_share_its_distance_memo_and_route_alike() -> None:
    first = context()
    route([request(to=SH), request(to=XJ, order_id="O2")], first)
    assert first.km_rows is NETWORK.km_memo and len(NETWORK.km_memo) >= 2
    again = route_one(request(to=XJ), context())
    fresh_net = build_network(WAREHOUSES, CARRIERS)
    fresh = route_one(request(to=XJ), context(network=fresh_net))
    assert again.parcels == fresh.parcels
    with pytest.raises(ValueError):
        next(iter(NETWORK.km_memo.values()))[0] = 1.0  # memoised rows are read-only


def test_the_fast_plan_builder_makes_the_same_plan_as_the_dataclass() -> None:
    built = routed_plan("O1", "SHA", (("A", 1),), "zto", 450, 7, 80.5, 12.0, None, -1)  # type: ignore[arg-type]
    plain = Plan("O1", PlanStatus.ROUTED, (Parcel("SHA", (("A", 1),), "zto", 450, 7, 80.5, 12.0),), None)
    assert built == plain and hash(built) == hash(plain)
    assert built.parcels[0] == plain.parcels[0]
    with pytest.raises(AttributeError):
        built.order_id = "O2"  # type: ignore[misc]


def test_a_rules_carrier_and_profile_reach_the_wave_carrier_choice() -> None:
    reqs = [
        request(to=SH, order_id="O1", directives=Directives(carrier="sf")),
        request(to=SH, order_id="O2", directives=Directives(profile="green")),
        request(to=SH, order_id="O3"),
    ]
    plans = route(reqs, context())
    singles = [route_one(r, context()) for r in reqs]
    assert [p.parcels for p in plans] == [p.parcels for p in singles]
    assert plans[0].parcels[0].carrier_id == "sf"


def test_road_and_air_formulas_are_the_documented_ones() -> None:
    from ordo.domain.routing.kernel import lane_hours

    c = np.array([NETWORK.c_index["sf"], NETWORK.c_index["zto"]])
    km = np.array([1500.0, 1500.0])
    sf, zto = (NETWORK.c_terms[int(i)] for i in c)
    hours = lane_hours(NETWORK, c, km)
    assert sf.air_from_km is not None and km[0] >= sf.air_from_km
    assert hours[0] == sf.fixed_h + (1500.0 + AIR_UPLIFT_KM) / sf.air_kmph
    assert hours[1] == zto.fixed_h + 1500.0 * ROAD_CIRCUITY / zto.road_kmph
    assert lane_hours(NETWORK, c[1:], km[1:], road_only=True)[0] == hours[1]


@pytest.mark.parametrize(
    "req",
    [
        request(),
        request(TWO, to=XJ, flags=frozenset({"cold_chain"}), deadline_ns=10**18),
        request((("A", 1), ("NOPE", 2)), directives=Directives(prefer="HGH", carrier="sf", profile="green")),
        request((), to=ZJ_NAME),
    ],
)
def test_the_single_order_encoding_is_the_wave_encoding_of_one(req) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import fields

    from ordo.domain.routing.encode import encode_many, encode_one

    one, many = encode_one(req, context()), encode_many([req], context())
    for f in fields(one):
        a, b = getattr(one, f.name), getattr(many, f.name)
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), f.name


def test_routing_a_wave_never_switches_the_garbage_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    switched: list[str] = []
    for name in ("disable", "enable", "collect", "freeze", "set_threshold"):
        monkeypatch.setattr(gc, name, lambda *_a, _n=name, **_k: switched.append(_n))
    route([request(order_id=f"O{i}") for i in range(3)], context())
    assert switched == []  # process-wide state: the service decides (ordo.service.runtime.collector)


def test_a_network_replaced_with_new_coordinates_does_not_reuse_the_old_distances() -> None:
    import dataclasses

    route_one(request(to=SH), context())
    assert NETWORK.km_memo
    moved = dataclasses.replace(NETWORK, w_lat=NETWORK.w_lat + 5.0)
    assert moved.km_memo == {} and moved.lane_memo == {}
    near = {
        c["warehouse"]: c["raw"]["time"]
        for c in route_one(request(to=SH), context()).snapshot()["candidates"]
    }
    far = {
        c["warehouse"]: c["raw"]["time"]
        for c in route_one(request(to=SH), context(network=moved)).snapshot()["candidates"]
    }
    assert far["SHA"] > near["SHA"]


def test_a_contexts_departures_follow_its_clock_past_the_cut_off() -> None:
    from ordo.domain.routing.network import DAY_NS, departure_ns

    ctx = context()
    morning = ctx.departures()
    assert ctx.departures() is morning  # worked out once per clock reading
    ctx.now_ns += 7 * 3600 * 10**9  # 17:00, past every 16:00 cut-off
    evening = ctx.departures()
    assert (evening - morning == DAY_NS).all()
    assert (evening == departure_ns(NETWORK, ctx.now_ns)).all()
    with pytest.raises(ValueError):
        evening[0] = 0  # shared by the context's decisions: read-only
