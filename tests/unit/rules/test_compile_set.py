"""The whole-rule-set function fires exactly what the rule-by-rule closures fire."""

from __future__ import annotations

import dis
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordo.bench.rules_data import five_condition_rules, synthetic_facts
from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.language import ast as A
from ordo.rules.language.parser import parse_rule

from .strategies import facts, rules

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(rule_list=st.lists(rules(), min_size=1, max_size=8), rows=st.lists(facts(), min_size=1, max_size=15))
def test_generated_function_fires_the_same_rules_and_actions_as_the_closures(
    rule_list: list[A.Rule], rows: list[dict[str, Any]]
) -> None:
    compiled = CompiledRuleSet(RuleSet.of(rule_list))
    for row in rows:
        assert compiled.evaluate(row) == compiled._evaluate_each(row)


def test_collect_rules_sharing_an_action_merge_it_once() -> None:
    rs = RuleSet.of(
        [
            parse_rule("当 订单金额 > 100 时 标记 加急 并 通知 运营"),
            parse_rule("当 订单金额 > 200 时 标记 加急 并 通知 区域总监"),
        ]
    )
    row = synthetic_facts(1)[0] | {"order_amount_fen": 50_000}
    ev = CompiledRuleSet(rs).evaluate(row)
    assert ev.rule_ids == ("r1", "r2")
    assert ev.actions == (A.Tag("urgent"), A.Notify("ops"), A.Notify("regional_director"))


def test_first_hit_categories_fire_one_rule_in_priority_order() -> None:
    rs = RuleSet.of(
        [
            parse_rule('当 订单金额 > 100 时 转人工审核 原因 "a"'),
            parse_rule('当 订单金额 > 100 时 转人工审核 原因 "b"', priority=5),
        ]
    )
    row = synthetic_facts(1)[0] | {"order_amount_fen": 50_000}
    assert CompiledRuleSet(rs).evaluate(row).rule_ids == ("r2",)


def test_facts_missing_a_column_fall_back_to_reading_only_what_each_rule_needs() -> None:
    rs = RuleSet.of([parse_rule('当 客户等级 为 钻石 时 标记 "v"'), parse_rule("当 渠道 为 天猫 时 标记 t")])
    assert CompiledRuleSet(rs).evaluate({"customer_tier": "diamond", "channel": "jd"}).rule_ids == ("r1",)


def test_sentence_values_enter_the_function_as_constants_never_as_source() -> None:
    rs = RuleSet.of([parse_rule('当 备注 含 "__import__(\'os\')" 时 转人工审核 原因 "x"')])
    compiled = CompiledRuleSet(rs)
    names = {i.argval for i in dis.get_instructions(compiled._run) if i.opname.startswith("LOAD_GLOBAL")}
    assert names == set()
    row = synthetic_facts(1)[0] | {"remark": "__import__('os')"}
    assert compiled.evaluate(row).rule_ids == ("r1",)


def test_the_hundred_bench_rules_have_five_conditions_each_and_agree_with_the_closures() -> None:
    parsed = [parse_rule(s) for s in five_condition_rules()]
    assert len(parsed) == 100
    assert all(isinstance(r.condition, A.All) and len(r.condition.items) == 5 for r in parsed)
    compiled = CompiledRuleSet(RuleSet.of(parsed))
    rows = synthetic_facts(500)
    evaluations = [compiled.evaluate(f) for f in rows]
    assert evaluations == [compiled._evaluate_each(f) for f in rows]
    assert sum(len(e.fired) for e in evaluations) > 50  # the rules do hit these orders
