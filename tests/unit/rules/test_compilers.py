"""One AST, two compilers: the closure and the Polars expression agree on every order."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordo.rules.evaluation.compile_polars import compile_condition as compile_pl
from ordo.rules.evaluation.compile_polars import evaluate_frame, facts_frame
from ordo.rules.evaluation.compile_py import compile_condition as compile_scalar
from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.language import ast as A
from ordo.rules.language.parser import parse_rule
from ordo.rules.language.render import render_rule

from .strategies import conditions, facts, rules

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cond=conditions, rows=st.lists(facts(), min_size=1, max_size=20))
def test_scalar_and_polars_compilers_agree_on_random_orders_and_conditions(
    cond: A.Condition, rows: list[dict[str, Any]]
) -> None:
    scalar = compile_scalar(cond)
    expected = [scalar(r) for r in rows]
    got = facts_frame(rows).select(compile_pl(cond).alias("hit")).to_series().to_list()
    assert got == expected


@SETTINGS
@given(rule_list=st.lists(rules(), min_size=1, max_size=6), rows=st.lists(facts(), min_size=1, max_size=15))
def test_rule_sets_fire_the_same_rules_in_both_evaluators(
    rule_list: list[A.Rule], rows: list[dict[str, Any]]
) -> None:
    rs = RuleSet.of(rule_list)
    compiled = CompiledRuleSet(rs)
    frame = evaluate_frame(rs, facts_frame(rows))
    for i, row in enumerate(rows):
        scalar_ids = set(compiled.evaluate(row).rule_ids)
        vector_ids = {rid for rid in frame.columns if frame[rid][i]}
        assert scalar_ids == vector_ids


@SETTINGS
@given(rule=rules(), lang=st.sampled_from(["zh", "en"]))
def test_rendered_rules_parse_back_to_the_same_ast(rule: A.Rule, lang: str) -> None:
    text = render_rule(rule, lang)  # type: ignore[arg-type]
    assert parse_rule(text) == replace(rule, priority=0), text


def test_unknown_values_never_match_and_their_negation_does() -> None:
    r = parse_rule("当 客户等级为钻石 时 标记 x")
    blank = {"customer_tier": None}
    assert compile_scalar(r.condition)(blank) is False
    assert compile_scalar(A.Not(r.condition))(blank) is True
    df = pl.DataFrame({"customer_tier": [None]}, schema={"customer_tier": pl.String})
    assert df.select(compile_pl(r.condition)).item() is False
    assert df.select(compile_pl(A.Not(r.condition))).item() is True
