"""Allocation: the nearest eligible warehouse that holds the whole order, decided for a batch."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from ordo.domain.geo import haversine_km
from ordo.domain.inventory.allocation import Availability, Demand, allocate
from ordo.domain.orders.model import Warehouse, WarehouseClass

SH = Warehouse(
    "WH-SH",
    "上海仓",
    "上海市",
    "上海市",
    "310114",
    31.3747,
    121.2655,
    WarehouseClass.OWN,
    frozenset({"cold_chain"}),
)
BJ = Warehouse("WH-BJ", "北京仓", "北京市", "北京市", "110115", 39.7269, 116.3416, WarehouseClass.REGIONAL)
GZ = Warehouse(
    "WH-GZ",
    "广州仓",
    "广东省",
    "广州市",
    "440111",
    23.1579,
    113.2732,
    WarehouseClass.THIRD_PARTY,
    frozenset({"hazmat"}),
)
HANGZHOU = (30.2741, 120.1551)
TIANJIN = (39.0842, 117.2009)
SHENZHEN = (22.5431, 114.0579)


def stock(warehouses: list[Warehouse], levels: dict[tuple[str, str], int]) -> Availability:
    availability = Availability(warehouses)
    for (wh, sku), qty in levels.items():
        availability.set(wh, sku, qty)
    return availability


def demand(where: tuple[float, float] | None, flags: frozenset[str] = frozenset(), **need: int) -> Demand:
    lat, lng = where if where else (None, None)
    return Demand({sku.replace("_", "-"): q for sku, q in need.items()}, flags, lat, lng)


EVERYWHERE = {(w, "TEA"): 10 for w in ("WH-SH", "WH-BJ", "WH-GZ")}


def test_an_order_ships_from_the_nearest_warehouse_that_holds_it():
    availability = stock([SH, BJ, GZ], EVERYWHERE)
    chosen = allocate(
        [demand(HANGZHOU, TEA=1), demand(TIANJIN, TEA=1), demand(SHENZHEN, TEA=1)], availability
    )
    assert [a.warehouse_id for a in chosen] == ["WH-SH", "WH-BJ", "WH-GZ"]


def test_the_reported_distance_is_the_great_circle_distance_to_the_chosen_warehouse():
    [a] = allocate([demand(HANGZHOU, TEA=1)], stock([SH, BJ, GZ], EVERYWHERE))
    assert a.distance_km is not None
    assert abs(a.distance_km - haversine_km(*HANGZHOU, SH.lat, SH.lng)) < 1e-6


def test_the_whole_order_must_come_from_one_warehouse_so_a_farther_complete_one_wins():
    # Shanghai has the tea but not the cup; Guangzhou has both.
    availability = stock([SH, BJ, GZ], {("WH-SH", "TEA"): 5, ("WH-GZ", "TEA"): 5, ("WH-GZ", "CUP"): 5})
    [a] = allocate([demand(HANGZHOU, TEA=1, CUP=1)], availability)
    assert a.warehouse_id == "WH-GZ"


def test_a_warehouse_with_too_few_units_is_passed_over():
    availability = stock([SH, BJ, GZ], {("WH-SH", "TEA"): 2, ("WH-BJ", "TEA"): 3})
    [a] = allocate([demand(HANGZHOU, TEA=3)], availability)
    assert a.warehouse_id == "WH-BJ"


def test_an_order_no_single_warehouse_can_fill_gets_no_warehouse():
    availability = stock([SH, BJ], {("WH-SH", "TEA"): 2, ("WH-BJ", "TEA"): 2})
    [a] = allocate([demand(HANGZHOU, TEA=3)], availability)
    assert a.warehouse_id is None and a.distance_km is None


def test_an_unknown_sku_gets_no_warehouse():
    [a] = allocate([demand(HANGZHOU, NOPE=1)], stock([SH, BJ, GZ], EVERYWHERE))
    assert a.warehouse_id is None


def test_cold_chain_goes_only_to_a_warehouse_capable_of_it():
    availability = stock([SH, BJ, GZ], {(w, "MILK"): 10 for w in ("WH-SH", "WH-BJ", "WH-GZ")})
    [a] = allocate([demand(TIANJIN, frozenset({"cold_chain"}), MILK=1)], availability)
    assert a.warehouse_id == "WH-SH"  # Beijing is nearer but has no cold chain


def test_hazmat_with_no_capable_warehouse_in_stock_gets_no_warehouse():
    availability = stock([SH, BJ, GZ], {("WH-SH", "GAS"): 10, ("WH-BJ", "GAS"): 10})
    [a] = allocate([demand(SHENZHEN, frozenset({"hazmat"}), GAS=1)], availability)
    assert a.warehouse_id is None


def test_flags_that_need_no_special_handling_do_not_restrict_the_choice():
    [a] = allocate([demand(TIANJIN, frozenset({"fragile", "gift"}), TEA=1)], stock([SH, BJ, GZ], EVERYWHERE))
    assert a.warehouse_id == "WH-BJ"


def test_an_inactive_warehouse_is_skipped():
    closed_bj = dataclasses.replace(BJ, active=False)
    [a] = allocate([demand(TIANJIN, TEA=1)], stock([SH, closed_bj, GZ], EVERYWHERE))
    assert a.warehouse_id == "WH-SH"


def test_with_no_warehouses_nothing_is_allocated():
    assert [a.warehouse_id for a in allocate([demand(HANGZHOU, TEA=1)] * 2, Availability([]))] == [None, None]


def test_a_batch_never_promises_the_same_unit_twice():
    availability = stock([SH, BJ], {("WH-SH", "TEA"): 2, ("WH-BJ", "TEA"): 1})
    chosen = allocate([demand(HANGZHOU, TEA=1) for _ in range(5)], availability)
    assert [a.warehouse_id for a in chosen] == ["WH-SH", "WH-SH", "WH-BJ", None, None]
    assert list(availability.of("TEA")) == [0, 0]


def test_an_order_without_coordinates_prefers_own_then_regional_then_third_party():
    levels = {("WH-GZ", "TEA"): 1, ("WH-BJ", "TEA"): 1, ("WH-SH", "TEA"): 1}
    # Listed 3PL first on purpose: the class decides, not the position.
    chosen = allocate([demand(None, TEA=1) for _ in range(4)], stock([GZ, BJ, SH], levels))
    assert [a.warehouse_id for a in chosen] == ["WH-SH", "WH-BJ", "WH-GZ", None]
    assert all(a.distance_km is None for a in chosen)


def test_availability_ignores_warehouses_it_does_not_know():
    availability = stock([SH], {("WH-XX", "TEA"): 5, ("WH-SH", "TEA"): 1})
    assert list(availability.of("TEA")) == [1]
    assert availability.of("CUP") is None


WAREHOUSES = [SH, BJ, GZ]
SKUS = ["A", "B", "C"]


@settings(max_examples=150, deadline=None)
@given(
    levels=st.dictionaries(
        st.tuples(st.sampled_from(["WH-SH", "WH-BJ", "WH-GZ"]), st.sampled_from(SKUS)),
        st.integers(0, 6),
    ),
    inactive=st.sets(st.sampled_from(["WH-SH", "WH-BJ", "WH-GZ"])),
    demands=st.lists(
        st.builds(
            Demand,
            st.dictionaries(st.sampled_from(SKUS), st.integers(1, 3), min_size=1, max_size=2),
            st.sampled_from([frozenset(), frozenset({"cold_chain"}), frozenset({"hazmat"})]),
            st.one_of(st.none(), st.floats(20, 45)),
            st.floats(100, 125),
        ),
        max_size=25,
    ),
)
def test_a_batch_takes_the_nearest_fit_and_never_promises_more_than_is_available(levels, inactive, demands):
    warehouses = [dataclasses.replace(w, active=w.id not in inactive) for w in WAREHOUSES]
    by_id = {w.id: w for w in warehouses}
    left = dict(levels)  # a reference ledger, replayed order by order
    chosen = allocate(demands, stock(warehouses, levels))
    assert len(chosen) == len(demands)
    for d, a in zip(demands, chosen, strict=True):
        fits = {
            w.id
            for w in warehouses
            if w.active
            and w.can_handle(d.flags)
            and all(left.get((w.id, sku), 0) >= q for sku, q in d.quantities.items())
        }
        if a.warehouse_id is None:
            assert not fits
            continue
        assert a.warehouse_id in fits
        if d.lat is not None:
            nearest = min(haversine_km(d.lat, d.lng, by_id[w].lat, by_id[w].lng) for w in fits)
            assert a.distance_km is not None and a.distance_km <= nearest + 1e-6
        for sku, q in d.quantities.items():
            left[(a.warehouse_id, sku)] -= q
    assert all(v >= 0 for v in left.values())
