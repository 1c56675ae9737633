"""Splits: only when no warehouse covers the order, with the fewest parcels, unless forbidden."""

from __future__ import annotations

from ordo.domain.routing import Directives, PlanStatus, route, route_one
from ordo.domain.routing.select import fewest_parcels

from .net import SH, context, request

# A only in 上海 and 南京, B only in 杭州 and 南京, C only in 苏州: no single warehouse has all three.
SCATTERED = {"SHA": {"A": 10}, "HGH": {"B": 10}, "NKG": {"A": 10, "B": 10}, "SZV": {"C": 10}}
ABC = (("A", 1), ("B", 1), ("C", 1))


def test_one_warehouse_holding_everything_means_no_split() -> None:
    plan = route([request((("A", 1), ("B", 1)), to=SH)], context({**SCATTERED, "SZV": {"A": 1, "B": 1}}))[0]
    assert plan.status is PlanStatus.ROUTED
    assert len(plan.parcels) == 1


def test_a_split_uses_the_fewest_parcels() -> None:
    plan = route([request(ABC, to=SH)], context(SCATTERED))[0]
    assert plan.status is PlanStatus.SPLIT
    assert len(plan.parcels) == 2  # 南京 (A+B) + 苏州 (C), never three
    assert {p.warehouse_id for p in plan.parcels} == {"NKG", "SZV"}
    shipped = sorted(line for p in plan.parcels for line in p.lines)
    assert shipped == sorted(ABC)


def test_fewest_parcels_prefers_fewer_over_cheaper() -> None:
    # Two cheap single-line warehouses vs one dearer warehouse covering both lines.
    assert fewest_parcels([0b01, 0b10, 0b11], [0.0, 0.0, 0.9], 2, 3) == [2]
    # Equal parcel counts: the lower total score wins.
    assert sorted(fewest_parcels([0b01, 0b10, 0b01, 0b10], [0.5, 0.5, 0.1, 0.2], 2, 3) or []) == [2, 3]
    assert fewest_parcels([0b01], [0.0], 2, 3) is None


def test_a_low_value_order_is_not_split() -> None:
    plan = route([request(ABC, to=SH, goods_fen=1_000)], context(SCATTERED))[0]
    assert plan.status is PlanStatus.UNROUTABLE
    assert plan.reason == "split_forbidden"


def test_a_sealed_order_is_not_split_even_if_a_rule_allows_it() -> None:
    req = request(ABC, to=SH, tags=frozenset({"sealed"}), directives=Directives(split_allowed=True))
    plan = route_one(req, context(SCATTERED))
    assert plan.reason == "split_forbidden"


def test_a_rule_can_forbid_a_split() -> None:
    plan = route([request(ABC, to=SH, directives=Directives(split_allowed=False))], context(SCATTERED))[0]
    assert plan.reason == "split_forbidden"
    assert plan.snapshot()["split_allowed"] is False


def test_a_split_reserves_each_line_once_from_its_parcel() -> None:
    ctx = context(SCATTERED)
    before = ctx.stock.atp.copy()
    plan = route([request(ABC, to=SH)], ctx)[0]
    taken = int((before - ctx.stock.atp).sum())
    assert taken == 3
    assert len(plan.parcels) == 2
