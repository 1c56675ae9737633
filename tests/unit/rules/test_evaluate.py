"""Evaluation order, priority and hit policies, the same for one order and for a table."""

from __future__ import annotations

from typing import Any

from ordo.rules.evaluation.compile_polars import evaluate_frame, facts_frame
from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.evaluation.facts import COLUMNS
from ordo.rules.language import ast as A
from ordo.rules.language.parser import parse_rule


def order(**kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {c.name: None for c in COLUMNS}
    row.update(
        order_id="o1",
        channel="tmall",
        order_amount_fen=0,
        goods_amount_fen=0,
        freight_fen=0,
        discount_fen=0,
        line_count=1,
        item_count=1,
        skus=[],
        categories=[],
        has_gift=False,
        tags=[],
        remark="",
        province="上海",
        city="上海",
        district="",
        placed_at_ns=0,
        now_ns=0,
    )
    row.update(kw)
    return row


def both(rs: RuleSet, row: dict[str, Any]) -> tuple[tuple[str, ...], set[str]]:
    scalar = CompiledRuleSet(rs).evaluate(row).rule_ids
    frame = evaluate_frame(rs, facts_frame([row]))
    return scalar, {c for c in frame.columns if frame[c][0]}


def test_first_hit_policy_lets_only_the_highest_priority_review_rule_fire() -> None:
    rs = RuleSet.of(
        [
            parse_rule('当 订单金额 > 100 时 转人工审核 原因 "大额"', rule_id="big", priority=1),
            parse_rule('当 订单金额 > 1000 时 转人工审核 原因 "超大额"', rule_id="huge", priority=5),
            parse_rule("当 订单金额 < 50 时 自动审核通过", rule_id="small"),
        ]
    )
    scalar, vector = both(rs, order(order_amount_fen=500_000))
    assert scalar == ("huge",)
    assert vector == {"huge"}
    assert CompiledRuleSet(rs).evaluate(order(order_amount_fen=500_000)).actions == (A.Hold("超大额"),)


def test_equal_priority_falls_back_to_the_order_written() -> None:
    rs = RuleSet.of([parse_rule("新疆 走 邮政", rule_id="a"), parse_rule("新疆 走 顺丰", rule_id="b")])
    assert both(rs, order(province="新疆", city="乌鲁木齐")) == (("a",), {"a"})


def test_collect_policy_fires_every_notify_rule_and_merges_duplicate_actions() -> None:
    rs = RuleSet.of(
        [
            parse_rule("当 订单金额 > 100 时 标记 加急 并 通知 运营", rule_id="n1"),
            parse_rule("当 含赠品 时 标记 加急 并 通知 客服", rule_id="n2"),
        ]
    )
    row = order(order_amount_fen=50_000, has_gift=True)
    ev = CompiledRuleSet(rs).evaluate(row)
    assert ev.rule_ids == ("n1", "n2")
    assert ev.actions == (A.Tag("urgent"), A.Notify("ops"), A.Notify("customer_service"))
    assert both(rs, row)[1] == {"n1", "n2"}


def test_all_policy_fires_every_pricing_rule_but_exclusive_promotions_do_not_stack() -> None:
    rs = RuleSet.of(
        [
            parse_rule("满100减10", rule_id="p1"),
            parse_rule("满200减30", rule_id="p2", priority=2),
            parse_rule("叠加 打9折", rule_id="p3"),
            parse_rule("如果 含赠品 则 运费减免5元", rule_id="p4"),
        ]
    )
    row = order(goods_amount_fen=30_000, has_gift=True)
    scalar, vector = both(rs, row)
    assert scalar == ("p2", "p3", "p4")  # p1 is exclusive and p2 (higher priority) already fired
    assert vector == set(scalar)
    # below 200元 only the 满100 rule qualifies, so it fires
    assert both(rs, order(goods_amount_fen=15_000))[0] == ("p1", "p3")


def test_categories_evaluate_in_a_fixed_order_and_explain_shows_it() -> None:
    rs = RuleSet.of(
        [
            parse_rule("当 订单金额 > 1 时 标记 x", rule_id="tag"),
            parse_rule("when predicted_stock_risk > 15% then freeze price_change", rule_id="guard"),
            parse_rule("新疆 走 邮政", rule_id="route"),
        ]
    )
    assert [s.rule.id for s in rs.plan()] == ["guard", "route", "tag"]
    zh = rs.explain("zh")
    assert "[路由] 命中策略: 首条命中" in zh and "1. guard" in zh
    assert "[routing] hit policy: first hit" in rs.explain("en")


def test_hit_policy_is_configurable_per_category() -> None:
    rules = [parse_rule("新疆 走 邮政", rule_id="a"), parse_rule("新疆 走 顺丰", rule_id="b")]
    rs = RuleSet.of(rules, {A.Category.ROUTING: A.HitPolicy.ALL})
    assert both(rs, order(province="新疆")) == (("a", "b"), {"a", "b"})


def test_promotion_window_is_whole_days_in_shanghai_time() -> None:
    rs = RuleSet.of([parse_rule("满1减0 (活动期 2026-06-01 至 2026-06-18)", rule_id="p")])
    start = 1_780_243_200 * 10**9  # 2026-06-01T00:00+08:00
    for at, hit in [
        (start - 1, False),
        (start, True),
        (start + 18 * 86400 * 10**9 - 1, True),
        (start + 18 * 86400 * 10**9, False),
    ]:
        scalar, vector = both(rs, order(goods_amount_fen=100, placed_at_ns=at))
        assert (scalar == ("p",)) is hit and (vector == {"p"}) is hit


def test_incident_rule_fires_only_after_the_deadline_without_the_next_milestone() -> None:
    rs = RuleSet.of([parse_rule("已支付 超过 10分钟 未 库存锁定 则 重试锁库 并 通知 运营", rule_id="x")])
    paid = 1_000 * 10**9
    late = order(ms_paid_ns=paid, now_ns=paid + 601 * 10**9)
    assert both(rs, late) == (("x",), {"x"})
    assert both(rs, {**late, "ms_stock_locked_ns": paid + 5}) == ((), set())
    assert both(rs, {**late, "now_ns": paid + 599 * 10**9}) == ((), set())
    assert both(rs, {**late, "ms_paid_ns": None}) == ((), set())
