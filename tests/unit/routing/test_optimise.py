"""The batch optimiser: never worse than the greedy router, and its shadow prices feed back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ordo.domain.routing import PROFILES, Directives, Objective, RoutingContext, WeightProfile, route
from ordo.domain.routing.optimise import greedy_gap, optimise_wave

from .net import NETWORK, SH, SKUS, WAREHOUSES, WHERE, context, request

COST_ONLY = {**PROFILES, "cost": WeightProfile("cost", "t1", {Objective.COST: 1.0})}


def _tight() -> RoutingContext:
    ctx = context(profiles=COST_ONLY)
    ctx.capacity_left[:] = 0
    ctx.capacity_left[NETWORK.w_index["SHA"]] = 1
    ctx.capacity_left[NETWORK.w_index["NKG"]] = 5
    return ctx


def test_a_binding_capacity_gets_a_shadow_price_of_the_next_best_lane() -> None:
    reqs = [request(to=SH, order_id=f"O{i}", directives=Directives(profile="cost")) for i in range(3)]
    ctx = _tight()
    opt = optimise_wave(reqs, ctx)
    assert sorted(w or "" for w in opt.assignment) == ["NKG", "NKG", "SHA"]
    assert opt.unserved == 0
    # One more slot at 上海 saves the difference between shipping from 南京 and from 上海.
    plans = route(reqs, _tight())
    snap = plans[0].snapshot()
    costs = {c["warehouse"]: c["raw"]["cost"] for c in snap["candidates"]}
    assert opt.capacity_price_fen[NETWORK.w_index["SHA"]] == costs["NKG"] - costs["SHA"]
    assert opt.capacity_price_fen[NETWORK.w_index["NKG"]] == 0.0


def test_the_shadow_price_makes_the_real_time_router_pay_for_scarce_capacity() -> None:
    ctx = context(profiles=COST_ONLY)
    ctx.capacity_price[NETWORK.w_index["SHA"]] = 10_000.0
    plan = route([request(to=SH, directives=Directives(profile="cost"))], ctx)[0]
    assert plan.warehouse_id != "SHA"
    assert plan.snapshot()["candidates"][0]["raw"]["cost"] >= 10_000.0


stock_st = st.fixed_dictionaries(
    {w.id: st.fixed_dictionaries({s: st.integers(0, 6) for s in SKUS}) for w in WAREHOUSES}
)
order_st = st.tuples(st.sampled_from(SKUS), st.integers(1, 2), st.sampled_from(sorted(WHERE)))


@settings(max_examples=40, deadline=None)
@given(stock=stock_st, orders=st.lists(order_st, min_size=1, max_size=15), cap=st.integers(0, 4))
def test_the_optimum_is_never_worse_than_the_greedy_router(stock, orders, cap) -> None:  # type: ignore[no-untyped-def]
    reqs = [request(((s, q),), to=to, order_id=f"O{i}") for i, (s, q, to) in enumerate(orders)]
    start = context(stock)
    start.capacity_left[:] = cap
    opt = optimise_wave(reqs, start)
    greedy = context(stock)
    greedy.capacity_left[:] = cap
    gap = greedy_gap(route(reqs, greedy), opt, reqs, start)
    assert gap.ratio >= 0.0
    assert opt.unserved <= gap.greedy_unserved
