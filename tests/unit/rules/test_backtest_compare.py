"""The backtest's vector diff says what the live, one-order-at-a-time path would change."""

from __future__ import annotations

import polars as pl

from ordo.bench.rules_data import bench_rules, five_condition_rules, synthetic_facts
from ordo.rules.evaluation.compile_polars import SCHEMA, evaluate_frame, evaluate_frames
from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.evaluation.outcome import outcome_of
from ordo.rules.language.parser import parse_rule
from ordo.service.rules.backtest import compare

FIELDS = ("discount_fen", "freight_off_fen", "gift_units", "gift_value_fen", "held", "hold_reason",
          "routing", "tags", "exception")  # fmt: skip
PRICES = {"GIFT-001": 1_500, "GIFT-002": 900}


def _rule_sets() -> tuple[RuleSet, RuleSet]:
    sentences = bench_rules() + five_condition_rules(40)
    rules = [parse_rule(s, rule_id=f"r{i}") for i, s in enumerate(sentences, start=1)]
    return RuleSet.of(rules[::2]), RuleSet.of(rules[len(rules) // 3 :])


def test_the_report_counts_what_the_scalar_outcomes_change_order_by_order() -> None:
    old, new = _rule_sets()
    rows = synthetic_facts(600, seed=5)
    report = compare(old, new, pl.DataFrame(rows, schema=SCHEMA), prices=PRICES, samples=600)
    co, cn = CompiledRuleSet(old), CompiledRuleSet(new)
    changed, added, removed, money = [], 0, 0, 0
    for f in rows:
        a = outcome_of(co.evaluate(f), f, PRICES).as_dict()
        b = outcome_of(cn.evaluate(f), f, PRICES).as_dict()
        if any(a[k] != b[k] for k in FIELDS):
            changed.append((f["order_id"], a, b))
        added += b["held"] and not a["held"]
        removed += a["held"] and not b["held"]
        money += sum(b[k] - a[k] for k in ("discount_fen", "freight_off_fen", "gift_value_fen"))
    assert report["orders"] == 600 and report["changed"] == len(changed) > 50
    assert report["holds"] == {"added": added, "removed": removed}
    assert report["money"]["total_delta_fen"] == money
    assert [s["order_id"] for s in report["samples"]] == [oid for oid, _, _ in changed]
    for sample, (_, a, b) in zip(report["samples"], changed, strict=True):
        for k, v in sample["after"].items():
            assert b[k] == v and a[k] == sample["before"][k], k
        assert {k for k in FIELDS if a[k] != b[k] and k != "gift_value_fen"} == set(sample["after"])


def test_only_a_different_set_of_tags_counts_as_a_tag_change() -> None:
    old = RuleSet.of([parse_rule("当 订单金额 > 1 时 标记 a 并 标记 b", rule_id="x")])
    new = RuleSet.of(
        [
            parse_rule("当 订单金额 > 1 时 标记 b", rule_id="y"),
            parse_rule("当 订单金额 > 1 时 标记 a", rule_id="z"),
        ]
    )
    rows = synthetic_facts(20, seed=2)
    assert compare(old, new, pl.DataFrame(rows, schema=SCHEMA))["changed"] == 0
    fewer = RuleSet.of([parse_rule("当 订单金额 > 1 时 标记 a", rule_id="z")])
    report = compare(old, fewer, pl.DataFrame(rows, schema=SCHEMA))
    assert report["changed"] == 20 and report["samples"][0]["after"] == {"tags": "a"}


def test_two_rule_sets_side_by_side_fire_as_each_would_alone() -> None:
    old, new = _rule_sets()
    frame = pl.DataFrame(synthetic_facts(300, seed=8), schema=SCHEMA)
    both = evaluate_frames([(old, "o:"), (new, "n:")], frame)
    alone = [
        evaluate_frame(old, frame).rename(lambda c: "o:" + c),
        evaluate_frame(new, frame).rename(lambda c: "n:" + c),
    ]
    assert both.equals(pl.concat(alone, how="horizontal"))
    assert (
        both.width == len(old.rules) + len(new.rules)
        and both.select(pl.sum_horizontal(pl.all())).sum().item() > 0
    )
