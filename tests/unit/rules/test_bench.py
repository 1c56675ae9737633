"""The rules benchmark runs end to end, names its figures with their units, and ZEN agrees."""

from __future__ import annotations

import json

import zen

from ordo.bench.rules import bench_rules, five_condition_rules, run, synthetic_facts
from ordo.bench.rules_zen import fired_ids, to_jdm
from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.language.parser import parse_rule


def test_every_benchmark_sentence_parses() -> None:
    assert len({parse_rule(s) for s in bench_rules()}) >= 50
    assert len({parse_rule(s) for s in five_condition_rules()}) == 100


def test_bench_reports_ordo_zen_and_polars_figures() -> None:
    out = run(orders=300, table_rows=20_000, zen_sample=100)
    assert out["rules"] == 100 and out["conditions_per_rule"] == 5 and out["table_rows"] == 20_000
    assert 0 < out["ordo_us_median"] <= out["ordo_us_p99"]
    assert out["zen_evaluate_us_median"] > 0 and out["zen_batch_us_mean"] > 0
    assert out["zen_over_ordo_median"] == round(out["zen_evaluate_us_median"] / out["ordo_us_median"], 2)
    assert out["zen_checked_orders"] == 100 and out["zen_mismatched_orders"] == 0
    assert out["polars_rows_per_s"] > 0 and out["cores"] >= 1


def test_zen_fires_the_same_rules_as_ordo_on_the_bench_rules() -> None:
    rs = RuleSet.of([parse_rule(s) for s in five_condition_rules()])
    compiled = CompiledRuleSet(rs)
    decision = zen.ZenEngine().create_decision(json.dumps(to_jdm(rs), ensure_ascii=False))
    rows = synthetic_facts(400, seed=3)
    ordo = [set(compiled.evaluate(f).rule_ids) for f in rows]
    assert [fired_ids(decision.evaluate(f)["result"]) for f in rows] == ordo
    assert sum(map(len, ordo)) > 40


def test_zen_first_hit_tables_keep_ordos_priority_order() -> None:
    rs = RuleSet.of(
        [
            parse_rule('当 渠道 为 天猫 时 转人工审核 原因 "a"'),
            parse_rule('当 渠道 为 天猫 且 客户等级 不是 钻石 时 转人工审核 原因 "b"', priority=3),
            parse_rule("当 收货省份 属于 上海、浙江 时 标记 east"),
        ]
    )
    decision = zen.ZenEngine().create_decision(json.dumps(to_jdm(rs), ensure_ascii=False))
    row = synthetic_facts(1)[0] | {"channel": "tmall", "province": "上海", "customer_tier": None}
    # Unknown tier: "is not diamond" reads as not(tier in {diamond}), true; the higher priority wins.
    assert set(CompiledRuleSet(rs).evaluate(row).rule_ids) == {"r2", "r3"}
    assert fired_ids(decision.evaluate(row)["result"]) == {"r2", "r3"}
    row["channel"] = "jd"
    assert (
        fired_ids(decision.evaluate(row)["result"])
        == set(CompiledRuleSet(rs).evaluate(row).rule_ids)
        == {"r3"}
    )
