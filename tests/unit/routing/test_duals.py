"""Capacity shadow prices fed back into the real-time score: the greedy gap closes."""

from __future__ import annotations

import numpy as np

from ordo.domain.routing import (
    PROFILES,
    Directives,
    Objective,
    RouteRequest,
    RoutingContext,
    WeightProfile,
    feedback_prices,
    greedy_gap,
    optimise_wave,
    route,
)
from ordo.domain.routing.optimise import UNSERVED_PENALTY_FEN

from .net import NETWORK, SH, XJ, context, request

COST = {**PROFILES, "cost": WeightProfile("cost", "t1", {Objective.COST: 1.0}, {"cost": 1.0})}
BY_COST = Directives(profile="cost")
# "A" is in 上海 and 杭州; "B" only in 上海 and far-off 乌鲁木齐.
STOCK = {"SHA": {"A": 50, "B": 50}, "HGH": {"A": 50}, "URC": {"B": 50}}


def _wave(tag: str) -> list[RouteRequest]:
    """Three orders that could ship from 杭州 for a little more arrive before three that
    can only ship from 上海 (or, dearly, from 乌鲁木齐)."""
    flexible = [request((("A", 1),), to=SH, order_id=f"{tag}A{i}", directives=BY_COST) for i in range(3)]
    bound = [request((("B", 1),), to=SH, order_id=f"{tag}B{i}", directives=BY_COST) for i in range(3)]
    return flexible + bound


def _tight(price: np.ndarray | None = None) -> RoutingContext:
    ctx = context(STOCK, profiles=COST)
    ctx.capacity_left[NETWORK.w_index["SHA"]] = 3  # room for the three that need it, no more
    if price is not None:
        ctx.capacity_price = price
    return ctx


def test_feeding_the_last_waves_duals_back_closes_the_greedy_gap() -> None:
    last, wave = _wave("L"), _wave("W")
    optimum = optimise_wave(wave, _tight())
    assert optimum.assignment == ("HGH",) * 3 + ("SHA",) * 3

    plain = route(wave, _tight())
    without = greedy_gap(plain, optimum, wave, _tight())
    # The flexible orders came first and took 上海; the bound ones went to 乌鲁木齐.
    assert [p.warehouse_id for p in plain] == ["SHA"] * 3 + ["URC"] * 3
    assert without.ratio > 0.3  # 36 %: three parcels from the far end of the country

    prices = feedback_prices(optimise_wave(last, _tight()))
    assert prices[NETWORK.w_index["SHA"]] > 0
    fed = route(wave, _tight(prices))
    with_duals = greedy_gap(fed, optimum, wave, _tight())
    assert [p.warehouse_id for p in fed] == ["HGH"] * 3 + ["SHA"] * 3
    assert with_duals.ratio == 0.0 < without.ratio
    assert with_duals.shared_ratio == 0.0 < without.shared_ratio


def test_a_shadow_price_equal_to_the_saving_ties_so_the_feedback_adds_a_fen() -> None:
    # 上海's price is what one more slot saves: moving a flexible order back from 杭州.
    opt = optimise_wave(_wave("L"), _tight())
    sha = NETWORK.w_index["SHA"]
    snap = route([request(to=SH, directives=BY_COST)], context(STOCK, profiles=COST))[0].snapshot()
    cost = {c["warehouse"]: c["raw"]["cost"] for c in snap["candidates"]}
    assert opt.capacity_price_fen[sha] == cost["HGH"] - cost["SHA"]
    # At that exact price 杭州 and 上海 tie and the lower position (上海) would win the tie.
    tied = route(_wave("W"), _tight(opt.capacity_price_fen))
    assert [p.warehouse_id for p in tied[:3]] == ["SHA"] * 3
    fed = feedback_prices(opt)
    assert fed[sha] == opt.capacity_price_fen[sha] + 1.0
    assert (fed[opt.capacity_price_fen == 0] == 0).all()


def test_the_optimiser_prices_freight_without_the_prices_it_is_fed() -> None:
    wave = _wave("W")
    bare = optimise_wave(wave, _tight())
    priced = optimise_wave(wave, _tight(np.full(NETWORK.n_warehouses, 10_000.0)))
    assert priced.cost_fen == bare.cost_fen
    assert priced.assignment == bare.assignment


def test_the_optimum_ships_an_order_dearer_than_the_old_fixed_penalty() -> None:
    # 40 kg to 新疆 costs more than the old penalty: the optimum must still ship it.
    heavy = request((("B", 1),), to=XJ, weight_g=400_000, directives=BY_COST)
    opt = optimise_wave([heavy], context(STOCK, profiles=COST))
    assert opt.unserved == 0 and opt.assignment == ("URC",)
    assert opt.cost_fen > UNSERVED_PENALTY_FEN
    assert opt.penalty_fen > opt.cost_fen


def test_a_greedy_split_is_priced_at_its_parcels_freight_not_as_unserved() -> None:
    scattered = {"SHA": {"A": 10}, "SZV": {"C": 10}}
    req = request((("A", 1), ("C", 1)), to=SH, directives=BY_COST)
    start = context(scattered, profiles=COST)
    opt = optimise_wave([req], start)
    assert opt.unserved == 1  # no single warehouse holds both lines
    plans = route([req], context(scattered, profiles=COST))
    assert len(plans[0].parcels) == 2
    gap = greedy_gap(plans, opt, [req], start)
    assert gap.greedy_unserved == 0 and gap.greedy_split == 1
    assert gap.greedy_cost_fen == plans[0].cost_fen
