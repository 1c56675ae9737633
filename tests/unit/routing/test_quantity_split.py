"""Quantity splits: a line's units from several warehouses when none holds them all, by policy."""

from __future__ import annotations

from ordo.domain.routing import PlanStatus, SplitRules, explain, replay, route, route_one
from ordo.domain.routing.quantity import split_units

from .net import SH, context, request

# Five of A wanted; 上海 holds 3, 杭州 2, 南京 1: no warehouse holds five.
SCATTERED_A = {"SHA": {"A": 3}, "HGH": {"A": 2}, "NKG": {"A": 1}}
FIVE_A = (("A", 5),)


def test_units_no_single_warehouse_holds_ship_from_two_in_the_wave() -> None:
    ctx = context(SCATTERED_A)
    plan = route([request(FIVE_A, to=SH)], ctx)[0]
    assert plan.status is PlanStatus.SPLIT
    shipped = {p.warehouse_id: dict(p.lines)["A"] for p in plan.parcels}
    assert shipped == {"SHA": 3, "HGH": 2}
    assert sum(shipped.values()) == 5
    # Reserved per parcel: each warehouse gave exactly its parcel's units.
    assert int(ctx.stock.atp[ctx.stock.index["A"]].sum()) == 1


def test_a_units_split_is_explained_with_the_line_and_the_extra_parcels_freight() -> None:
    plan = route_one(request(FIVE_A, to=SH), context(SCATTERED_A))
    snap = plan.snapshot()
    assert snap["mode"] == "units"
    zh, en = explain(snap, "zh"), explain(snap, "en")
    assert "A 需要 5 件" in zh and "最多 3 件" in zh and "多出 1 个包裹" in zh
    assert "5 units needed" in en and "1 extra parcel(s)" in en
    extra = plan.parcels[1].cost_fen
    assert f"¥{extra / 100:.2f}" in en


def test_a_recorded_units_split_replays_to_the_same_warehouses() -> None:
    plan = route_one(request(FIVE_A, to=SH), context(SCATTERED_A))
    assert replay(plan.snapshot()) == [p.warehouse_id for p in plan.parcels]


def test_policy_off_or_low_value_order_keeps_the_line_whole() -> None:
    off = context(SCATTERED_A, split_rules=SplitRules(quantity_split=False))
    assert route([request(FIVE_A, to=SH)], off)[0].reason == "no_candidate"
    cheap = route([request(FIVE_A, to=SH, goods_fen=1_000)], context(SCATTERED_A))[0]
    assert cheap.status is PlanStatus.UNROUTABLE


def test_max_parcels_and_minimum_units_bound_the_split() -> None:
    # Needs three sites (3 + 2 + 1 for six), but the policy allows two parcels.
    six = (("A", 6),)
    two = context(SCATTERED_A, split_rules=SplitRules(max_parcels=2))
    assert route([request(six, to=SH)], two)[0].status is PlanStatus.UNROUTABLE
    assert len(route([request(six, to=SH)], context(SCATTERED_A))[0].parcels) == 3
    # Every parcel must carry 3 units: 杭州 holds only 2 and 南京 1, so five cannot go as 3 + 3.
    strict = context(SCATTERED_A, split_rules=SplitRules(min_units=3))
    assert route([request(FIVE_A, to=SH)], strict)[0].status is PlanStatus.UNROUTABLE


def test_not_enough_units_anywhere_is_still_held() -> None:
    plan = route([request((("A", 7),), to=SH)], context(SCATTERED_A))[0]
    assert plan.status is PlanStatus.UNROUTABLE
    assert plan.reason == "no_candidate"


def test_split_units_fewest_sites_then_lowest_score_and_minimum_rebalanced() -> None:
    # Candidate 2 alone cannot; 0+1 and 1+2 both can: 0+1 has the lower total score.
    assert split_units([[3], [2], [4]], [0.1, 0.2, 0.3], [5], 3) is not None
    found = split_units([[3], [2], [4]], [0.1, 0.2, 0.3], [5], 3)
    assert found is not None and found.picks == (0, 1) and found.units == ((3,), (2,))
    # Best first would give 4 + 1; a minimum of 2 per parcel moves one unit over: 3 + 2.
    found = split_units([[4], [4]], [0.1, 0.2], [5], 2, min_units=2)
    assert found is not None and found.units == ((3,), (2,))
    assert split_units([[4], [1]], [0.1, 0.2], [5], 2, min_units=2) is None
    assert split_units([[2], [2]], [0.1, 0.2], [5], 3) is None


def test_several_lines_split_by_units_where_lines_alone_cannot() -> None:
    # B whole is only in 上海, A's five only across 上海 and 杭州.
    ctx = context({"SHA": {"A": 3, "B": 1}, "HGH": {"A": 2}})
    plan = route([request((("A", 5), ("B", 1)), to=SH)], ctx)[0]
    assert plan.status is PlanStatus.SPLIT
    got = {p.warehouse_id: dict(p.lines) for p in plan.parcels}
    assert got == {"SHA": {"A": 3, "B": 1}, "HGH": {"A": 2}}


def test_a_sku_no_warehouse_knows_is_never_split_from_another_sku_s_stock() -> None:
    plan = route([request((("NOPE", 2), ("A", 1)), to=SH)], context(SCATTERED_A))[0]
    assert plan.status is PlanStatus.UNROUTABLE
    assert route_one(request((("NOPE", 2),), to=SH), context(SCATTERED_A)).parcels == ()


def test_a_wave_whose_skus_have_no_stock_row_anywhere_is_held_not_an_error() -> None:
    from ordo.domain.routing import RoutingContext, StockMatrix

    from .net import MORNING_NS, NETWORK

    empty = RoutingContext(NETWORK, StockMatrix([], NETWORK.n_warehouses), now_ns=MORNING_NS)
    [plan] = route([request((("NOPE", 1),), to=SH)], empty)
    assert plan.status is PlanStatus.UNROUTABLE and plan.snapshot()["plan"]["parcels"] == []
