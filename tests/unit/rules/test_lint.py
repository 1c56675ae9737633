"""Sentences that parse but are suspicious get a warning, in both languages."""

from __future__ import annotations

from ordo.rules.evaluation.evaluate import RuleSet
from ordo.rules.language.lint import lint_rule, lint_rules
from ordo.rules.language.parser import parse_rule


def codes(sentence: str) -> list[str]:
    return [w.code for w in lint_rule(parse_rule(sentence, rule_id="r1"))]


def test_a_condition_every_order_meets_is_always_true() -> None:
    assert codes("当 订单金额 >= 0 时 标记 x") == ["always_true"]
    assert codes("当 订单金额 > 100 或 订单金额 <= 100 时 标记 x") == ["always_true"]
    w = lint_rule(parse_rule("当 订单金额 >= 0 时 标记 x", rule_id="r1"))[0]
    assert "对所有订单都成立" in w.message("zh") and "holds for every order" in w.message("en")


def test_a_condition_no_order_meets_is_never_true() -> None:
    assert codes("当 订单金额 > 100 且 订单金额 < 50 时 标记 x") == ["never_true"]
    assert codes("当 渠道为天猫 且 渠道为京东 时 标记 x") == ["never_true"]
    assert codes("当 含赠品 且 不 含赠品 时 标记 x") == ["never_true"]
    assert codes("当 退货率 > 100% 时 标记 x") == ["never_true"]
    assert codes("满299减50 (订单金额 < 100)") == []  # order amount includes freight: not provably empty
    assert codes("满299减50 (商品金额 < 100)") == ["never_true"]  # the 满 threshold contradicts the scope


def test_ordinary_rules_get_no_warning() -> None:
    assert codes("当 客户等级为钻石 且 订单金额>50万 时 标记 加急") == []
    assert (
        codes("当 客户等级 不为 钻石 时 标记 x") == []
    )  # an unknown tier also satisfies it: not always true
    assert codes("满299减50 叠加赠品 GIFT-001 (渠道为天猫, 活动期 2026-06-01 至 2026-06-18)") == []


def test_two_rules_that_can_match_one_order_with_conflicting_actions_contradict() -> None:
    rules = RuleSet.of(
        [
            parse_rule("新疆,西藏 走 邮政"),
            parse_rule("如果 目的地属于 偏远地区 则 走 顺丰"),
            parse_rule("当 订单金额 > 1000 时 转人工审核"),
            parse_rule("当 订单金额 < 500 时 自动审核通过"),  # disjoint amounts: no contradiction
            parse_rule("当 客户等级为钻石 时 自动审核通过"),
        ]
    ).rules
    found = {(w.rule_id, w.other_rule_id) for w in lint_rules(list(rules)) if w.code == "contradiction"}
    assert found == {("r1", "r2"), ("r3", "r5")}
