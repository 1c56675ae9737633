"""Outcomes: the scalar merge and its Polars twin agree, and the arithmetic is the seeds'."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordo.rules.evaluation.compile_polars import evaluate_frame, facts_frame
from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.evaluation.outcome import gift_units, outcome_of, threshold_off_fen
from ordo.rules.evaluation.outcome_polars import OUTCOME_COLUMNS, outcome_exprs
from ordo.rules.language import ast as A
from ordo.rules.language.parser import parse_rule

from .strategies import facts, rules

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRICES = {"GIFT-001": 500, "SKU-A": 1_000}


@SETTINGS
@given(rule_list=st.lists(rules(), min_size=1, max_size=6), rows=st.lists(facts(), min_size=1, max_size=15))
def test_scalar_and_polars_outcomes_agree_on_random_rule_sets_and_orders(
    rule_list: list[A.Rule], rows: list[dict[str, Any]]
) -> None:
    rs = RuleSet.of(rule_list)
    frame = facts_frame(rows)
    vector = pl.concat([frame, evaluate_frame(rs, frame)], how="horizontal").select(outcome_exprs(rs, PRICES))
    compiled = CompiledRuleSet(rs)
    for i, row in enumerate(rows):
        scalar = outcome_of(compiled.evaluate(row), row, PRICES).as_dict()
        got = vector.row(i, named=True)
        assert {c: got[c] for c in OUTCOME_COLUMNS} == {c: scalar[c] for c in OUTCOME_COLUMNS}


def test_each_threshold_repeats_and_stops_at_its_cap() -> None:
    a = A.ThresholdOff(20_000, 2_000, each=True, cap_fen=5_000)
    assert [threshold_off_fen(a, g) for g in (19_999, 20_000, 45_000, 200_000)] == [0, 2_000, 4_000, 5_000]


def test_gifts_per_threshold_stop_at_their_cap() -> None:
    a = A.Gift("GIFT-001", 1, min_fen=10_000, each=True, cap=3)
    assert [gift_units(a, g) for g in (9_999, 10_000, 25_000, 90_000)] == [0, 1, 2, 3]


def test_freight_relief_never_exceeds_the_freight_and_a_hold_keeps_its_reason() -> None:
    rs = RuleSet.of([parse_rule("运费减免20元"), parse_rule('当 订单金额 > 100 时 转人工审核 原因 "大额"')])
    row = {"goods_amount_fen": 50_000, "freight_fen": 800, "order_amount_fen": 50_800}
    out = outcome_of(CompiledRuleSet(rs).evaluate(row), row)
    assert out.freight_off_fen == 800 and out.held and out.hold_reason == "大额"
    assert out.money_fen == 800


@SETTINGS
@given(rows=st.lists(facts(), min_size=1, max_size=15))
def test_barred_carriers_and_merge_windows_read_the_same_in_both_outcomes(rows: list[dict[str, Any]]) -> None:
    rs = RuleSet.of(
        [
            parse_rule("如果 订单金额 > 100 则 不用 极兔、中通", rule_id="r1"),
            parse_rule("如果 渠道 为 天猫 则 不走 申通", rule_id="r2"),
            parse_rule("如果 订单金额 > 50 则 合单 等待 10分钟", rule_id="r3"),
            parse_rule("走 顺丰", rule_id="r4"),
        ]
    )
    frame = facts_frame(rows)
    vector = pl.concat([frame, evaluate_frame(rs, frame)], how="horizontal").select(outcome_exprs(rs, PRICES))
    compiled = CompiledRuleSet(rs)
    for i, row in enumerate(rows):
        scalar = outcome_of(compiled.evaluate(row), row, PRICES).as_dict()
        assert vector.row(i, named=True)["routing"] == scalar["routing"]
    # Routing rules fire first-match: each order gets one of them.
    for amount, channel, want in [
        (20_000, "tmall", "avoid=jtexpress,zto"),
        (8_000, "tmall", "avoid=sto"),
        (8_000, "jd", "merge=600"),
        (100, "jd", "carrier=sf"),
    ]:
        row = {**rows[0], "order_amount_fen": amount, "channel": channel}
        assert outcome_of(compiled.evaluate(row), row, PRICES).routing == want
