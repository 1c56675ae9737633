"""预测库存风险 as it stood at the time: each refresh keeps its ratios with their time, so a
backtest reads, for each order, the forecast Ordo held when the order was placed — the same
value intake read. A rule on it fires at intake and in the backtest on the same orders, in a
hand-made history (SQLite and PostgreSQL) and in a simulated day."""

from __future__ import annotations

from ordo.clock import ManualClock
from ordo.rules.evaluation.evaluate import RuleSet
from ordo.service.forecast.refresh import kept, refresh
from ordo.service.orders.intake import intake
from ordo.service.ports import HistoryFilter
from ordo.service.rules.backtest import backtest_rulesets
from ordo.service.rules.text import ruleset_of
from ordo.service.runtime.app import Ordo
from ordo.sim.runner import simulate
from ordo.sim.world import ensure_world
from tests.integration.forecast.test_forecast import DAY, sh, sold, url  # noqa: F401 (fixtures)
from tests.integration.service.routing_helpers import go_live, stored_order


def _tagged(app: Ordo, tag: str) -> set[str]:
    with app.store.uow(read_only=True) as uow:
        facts = uow.history.read_facts({"tags"}, HistoryFilter(), now_ns=0)
    return {
        o for o, tags in zip(facts["order_id"].to_list(), facts["tags"].to_list(), strict=True) if tag in tags
    }


def test_a_backtest_reads_the_forecast_held_when_each_order_was_placed(
    sold: tuple[Ordo, dict[str, int]],  # noqa: F811 (the fixture imported above)
    clock: ManualClock,
) -> None:
    app, _ = sold
    refresh(app)
    ratios = {r["sku"]: r["ratio"] for r in kept(app)}
    threshold = round((ratios["SKU-CUP"] + ratios["SKU-TEA"]) / 2, 3)
    rule = f"如果 AI预测库存风险 > {threshold} 则 标记 缺货风险"
    go_live(app, rule)
    clock.advance(3_600)
    now = clock.now_ns()
    cup, tea = intake(app, [sh("NEW-CUP", [("SKU-CUP", 1)], now), sh("NEW-TEA", [("SKU-TEA", 1)], now)])
    assert cup.order_id and tea.order_id
    assert "缺货风险" in stored_order(app, cup.order_id)["tags"]
    assert "缺货风险" not in stored_order(app, tea.order_id)["tags"]
    # The 35 days before the refresh had no forecast then: the backtest fires on the new cup only.
    report = backtest_rulesets(app, RuleSet.of([]), ruleset_of(rule))
    assert report["matched"] == 1
    # A later refresh that sees no risk does not change what the earlier orders read.
    with app.store.uow() as uow:
        uow.forecast.keep_ratio_history(clock.now_ns() + DAY)  # same ratios, a day on
        uow.commit()
    assert backtest_rulesets(app, RuleSet.of([]), ruleset_of(rule))["matched"] == 1


def test_a_rule_on_predicted_stock_risk_fires_in_a_simulated_day_and_in_its_backtest(
    app: Ordo, clock: ManualClock
) -> None:
    ensure_world(app, 5, warehouses=8, skus=200, customers=400)
    simulate(app, clock, orders=300, seed=5)  # the first day: the history the forecast reads
    refresh(app)
    ratios = sorted(r["ratio"] for r in kept(app) if r["ratio"] > 0)
    assert ratios, "the day left some SKU at risk"
    threshold = round(ratios[len(ratios) // 2], 4)  # about half the forecast SKUs above it
    rule = f"如果 AI预测库存风险 > {threshold} 则 标记 缺货风险"
    go_live(app, rule)
    summary = simulate(app, clock, orders=300, seed=6)  # the second day reads the kept forecast
    assert summary.orders_created >= 280
    fired = _tagged(app, "缺货风险")
    assert fired
    report = backtest_rulesets(app, RuleSet.of([]), ruleset_of(rule))
    # The replay fires on the same orders as intake did: none of the first day (no forecast yet).
    assert report["matched"] == len(fired)
