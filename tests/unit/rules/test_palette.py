"""The Rules page's palette: every glossary field and every action has an example in Chinese
and in English, the two read as the same rule, and the completion words cover the language."""

from __future__ import annotations

from ordo.rules.language import ast as A
from ordo.rules.language.glossary import default_glossary
from ordo.rules.language.parser import parse_rule
from ordo.service.rules.palette import palette


def test_every_field_and_action_has_an_example_pair_that_means_one_rule() -> None:
    p = palette()
    assert {f["id"] for f in p["fields"]} == set(default_glossary().fields)
    examples = [f["example"] for f in p["fields"]] + [a["example"] for a in p["actions"]]
    assert all(examples)
    for ex in examples:
        assert parse_rule(ex["zh"]) == parse_rule(ex["en"]), ex


def test_every_kind_of_action_has_its_example_and_its_words() -> None:
    p = palette()
    kinds = {type(a) for act in p["actions"] for a in parse_rule(act["example"]["zh"]).actions}
    assert kinds == set(A.ACTION_CATEGORY)
    assert all(a["zh"] and a["en"] for a in p["actions"])


def test_the_fields_with_a_source_are_live() -> None:
    fields = {f["id"]: f for f in palette()["fields"]}
    assert fields["signal.predicted_stock_risk"]["live"]  # intake and backtests read kept forecasts
    assert fields["customer.ltv"]["live"] and fields["customer.first_order"]["live"]


def test_completion_words_hold_fields_keywords_values_and_places_in_each_language() -> None:
    words = palette()["words"]
    zh = {w["word"]: w["kind"] for w in words["zh"]}
    en = {w["word"]: w["kind"] for w in words["en"]}
    assert zh["订单金额"] == "field" and zh["合单"] == "keyword" and zh["顺丰"] == "value"
    assert zh["广东"] == "place" and zh["已支付"] == "milestone"
    assert en["order.amount"] == "field" and en["merge"] == "keyword" and en["sf"] == "value"
