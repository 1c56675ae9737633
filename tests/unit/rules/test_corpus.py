"""The rule corpus (tests/corpus/rules/corpus.jsonl) read by the tolerant reader.

The issue's targets are ≥ 97 % correct meaning on the whole corpus, ≥ 90 % on the
held-out share and no silent misreading (a wrong meaning without a confirmation flag).
Asserted here: no silent misreading anywhere, and floors at what the reader reaches today
on each share, so a regression fails. The accuracy targets are NOT met since batch 6 (a new
author, written blind; see the corpus README): its 53 sentences kept apart read 43.4 %, and
the whole corpus 96.1 %. ``ordo bench rules-corpus`` reports them; raise a floor here when
the reader really reaches more, never lower one to let a change through.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from ordo.bench.rules_corpus import Report, evaluate, expected_meaning, load, meaning
from ordo.rules.language.parser import parse_rule

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "rules" / "corpus.jsonl"


@functools.cache
def report() -> Report:
    return evaluate(load(CORPUS))


def test_the_corpus_is_large_and_covers_every_category() -> None:
    rows = load(CORPUS)
    assert len(rows) >= 400
    cats = {r["category"] for r in rows}
    assert {
        "review",
        "pricing",
        "freight",
        "gift",
        "campaign",
        "routing",
        "split",
        "sla",
        "guard",
        "notify",
    } <= cats
    held = sum(r["held_out"] for r in rows) / len(rows)
    # A quarter of batch 1 by hash, then whole batches until they are tuned on (README).
    assert 0.15 <= held <= 0.5
    assert sum(1 for r in rows if r.get("seed")) >= 10
    assert all("unsupported" in r or r["canonical"] for r in rows)


def test_every_canonical_sentence_reads_strictly_to_its_expected_meaning() -> None:
    for row in load(CORPUS):
        if "unsupported" not in row:
            assert meaning(parse_rule(row["canonical"])) == expected_meaning(row)


def test_held_out_share_keeps_its_floor() -> None:
    s = report().held_out
    assert s.rate(s.correct) >= 0.82  # 82.7 % when batch 6's kept-apart half joined (target 90 %)
    batch_1 = report().held_out_batches[1]
    assert batch_1.rate(batch_1.correct) >= 0.98  # the hash quarter of batch 1, never tuned on


def test_never_tuned_on_batches_keep_their_floor_and_each_batch_is_reported() -> None:
    r = report()
    assert set(r.batches) == {int(row.get("batch", 1)) for row in load(CORPUS)}
    assert sum(s.total for s in r.batches.values()) == r.whole.total
    assert r.never_tuned.total > 0
    assert r.never_tuned.rate(r.never_tuned.correct) >= 0.43  # batch 6's kept-apart half: 43.4 %
    out = r.as_dict()
    assert len(out["misread"]) == r.whole.total - r.whole.correct
    assert set(out["batches"]) == {str(b) for b in r.batches}


def test_tuning_share_floor_and_no_silent_misreading_there() -> None:
    r = report()
    assert r.tuning.rate(r.tuning.correct) >= 0.98


def test_whole_corpus_keeps_its_floor() -> None:
    w = report().whole
    assert w.rate(w.correct) >= 0.96  # 96.1 % with batch 6 (target 97 %)


def test_no_silent_misreading() -> None:
    assert report().whole.silent == 0


def test_a_rewritten_reading_asks_for_confirmation_and_says_what_changed() -> None:
    from ordo.rules.language.tolerant import read_rule

    r = read_rule("抖音订单打九五折")
    assert r.needs_confirmation
    assert {w.kind for w in r.rewrites} >= {"numeral", "field", "then"}
    assert r.did_you_mean() == "如果 渠道 为 抖音 则 打 9.5折"
    strict = read_rule("如果 渠道 为 抖音 则 打 9.5折")
    assert not strict.needs_confirmation and strict.rewrites == ()


def test_an_unreadable_value_lists_the_valid_values_and_a_closest_sentence() -> None:
    from ordo.rules.language.errors import RuleSyntaxError
    from ordo.rules.language.tolerant import read_rule

    with pytest.raises(RuleSyntaxError) as e:
        read_rule("如果 客户等级 为 VIP 则 审核通过")
    assert "钻石" in e.value.valid and "金卡" in e.value.valid
    assert "可选值" in e.value.message


def test_a_typo_is_corrected_only_with_confirmation() -> None:
    from ordo.rules.language.tolerant import read_rule

    r = read_rule("订单金颔>500转人工审核")
    assert r.needs_confirmation
    assert any(w.kind == "typo" and w.after == "订单金额" for w in r.rewrites)
    assert r.did_you_mean() == "如果 订单金额 超过 500元 则 转人工审核"


EFFECTS = CORPUS.parent / "effects.jsonl"


def test_each_phrasing_has_its_effect_on_sample_orders() -> None:
    """Every corpus sentence of a meaning fires, or not, on the sample orders of that meaning."""
    import json

    from ordo.bench.rules_data import synthetic_facts
    from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
    from ordo.rules.language.errors import RuleSyntaxError
    from ordo.rules.language.tolerant import read_rule

    effects = [json.loads(line) for line in EFFECTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    base = synthetic_facts(1)[0]
    checked = 0
    for e in effects:
        phrasings = [r["sentence"] for r in load(CORPUS) if r.get("canonical") == e["canonical"]]
        assert phrasings, e["canonical"]
        facts = {**base, **e["order"]}
        for sentence in phrasings:
            try:
                reading = read_rule(sentence, rule_id="r1")
            except RuleSyntaxError:
                continue  # refused: the accuracy tests count it, there is no effect to check
            fired = CompiledRuleSet(RuleSet.of([reading.rule])).evaluate(facts).rule_ids
            if meaning(reading.rule) == meaning(parse_rule(e["canonical"])):
                assert (fired == ("r1",)) is e["fires"], (sentence, e["order"])
                checked += 1
    assert checked >= 100
