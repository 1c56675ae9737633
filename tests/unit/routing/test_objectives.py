"""Each objective, weighted alone, steers the choice to the warehouse that is best on it."""

from __future__ import annotations

from ordo.domain.routing import PROFILES, Directives, Objective, Plan, WeightProfile, route

from .net import JS, NETWORK, SH, SKUS, WAREHOUSES, ZJ_NAME, context, request


def only(obj: Objective) -> dict[str, WeightProfile]:
    return {**PROFILES, "only": WeightProfile("only", "t1", {obj: 1.0})}


ONLY = Directives(profile="only")


def _raw(plan: Plan, obj: Objective) -> dict[str, float]:
    return {c["warehouse"]: c["raw"][obj.value] for c in plan.snapshot()["candidates"]}


def test_delivery_time_picks_the_quickest_warehouse() -> None:
    plan = route([request(to=ZJ_NAME, directives=ONLY)], context(profiles=only(Objective.TIME)))[0]
    raw = _raw(plan, Objective.TIME)
    assert plan.warehouse_id == "HGH" == min(raw, key=raw.__getitem__)


def test_shipping_cost_prefers_the_same_province_zone() -> None:
    plan = route([request(to=JS, directives=ONLY)], context(profiles=only(Objective.COST)))[0]
    raw = _raw(plan, Objective.COST)
    assert plan.warehouse_id in {"NKG", "SZV"}
    assert raw[plan.warehouse_id] < raw["SHA"]
    assert float(raw[plan.warehouse_id]).is_integer()  # fen


def test_carbon_picks_the_lowest_emitting_warehouse() -> None:
    plan = route([request(to=SH, directives=ONLY)], context(profiles=only(Objective.CARBON)))[0]
    raw = _raw(plan, Objective.CARBON)
    assert plan.warehouse_id == "SHA" == min(raw, key=raw.__getitem__)
    assert raw["URC"] > 5 * raw["SHA"]


def test_saturation_avoids_a_nearly_full_warehouse() -> None:
    ctx = context(profiles=only(Objective.SATURATION))
    ctx.capacity_left[NETWORK.w_index["SHA"]] = 100
    plan = route([request(to=SH, directives=ONLY)], ctx)[0]
    assert plan.warehouse_id != "SHA"
    assert _raw(plan, Objective.SATURATION)["SHA"] == 0.9


def test_a_capacity_shadow_price_is_a_cost() -> None:
    ctx = context(profiles=only(Objective.COST))
    ctx.capacity_price[NETWORK.w_index["SHA"]] = 5_000.0
    plan = route([request(to=SH, directives=ONLY)], ctx)[0]
    assert plan.warehouse_id != "SHA"


def test_stock_depth_does_not_drain_the_last_units() -> None:
    stock = {"SHA": {"A": 2}, "HGH": {"A": 500}}
    plan = route(
        [request((("A", 1),), to=SH, directives=ONLY)], context(stock, profiles=only(Objective.DEPTH))
    )[0]
    assert plan.warehouse_id == "HGH"


def test_risk_steers_away_from_a_region_under_a_weather_warning() -> None:
    ctx = context(profiles=only(Objective.RISK), region_risk={SH: 0.9})
    plan = route([request(to=SH, directives=ONLY)], ctx)[0]
    assert plan.warehouse_id != "SHA"
    assert _raw(plan, Objective.RISK)["SHA"] == 0.9


def test_warehouse_class_prefers_own_then_regional_then_3pl() -> None:
    stock = {w.id: dict.fromkeys(SKUS, 10) for w in WAREHOUSES if w.id in {"NKG", "SZV"}}
    plan = route([request(to=SH, directives=ONLY)], context(stock, profiles=only(Objective.CLASS)))[0]
    assert plan.warehouse_id == "NKG"  # regional beats the nearer 3PL


def test_the_profile_a_rule_names_is_used_and_recorded() -> None:
    plan = route([request(directives=Directives(profile="big_promo", rule_ids=("r2",)))], context())[0]
    snap = plan.snapshot()
    assert snap["profile"]["name"] == "big_promo"
    assert snap["profile"]["version"] == PROFILES["big_promo"].version
    assert snap["rules"] == ["r2"]


def test_a_preferred_warehouse_wins_when_it_is_eligible() -> None:
    plan = route([request(to=SH, directives=Directives(prefer="URC"))], context())[0]
    assert plan.warehouse_id == "URC"
