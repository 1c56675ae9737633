"""Rule text is read in bounded work: linear tokenising, bounded nesting, length and lint.

Each case here once cost a server minutes of CPU or answered 500: a 200,000-character
line (the tokeniser was quadratic), 200 nested brackets or 20,000 ``非`` (recursion past
Python's limit), the character ``²`` (an ``assert`` in the lexer), 1,200 rules linted pair
by pair (seconds of work and a 64 MB answer).
"""

from __future__ import annotations

import contextlib
import time

import pytest

from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.glossary import default_glossary
from ordo.rules.language.lexer import sentence_lang, tokenise
from ordo.rules.language.lint import MAX_FINDINGS, TRUNCATED, lint_rules
from ordo.rules.language.parser import MAX_DEPTH, MAX_SENTENCE_CHARS, parse_rule, parse_rules
from ordo.service.rules.text import (
    MAX_RULE_LINES,
    MAX_TEXT_CHARS,
    RuleTextInvalid,
    RuleTextTooLarge,
    parse_text,
)


def _cpu(fn: object, *args: object) -> float:
    start = time.process_time()
    with contextlib.suppress(RuleSyntaxError):
        fn(*args)  # type: ignore[operator]
    return time.process_time() - start


def test_tokenising_is_linear_in_the_length() -> None:
    g = default_glossary()
    unit = "订单金额>5且"
    small = _cpu(tokenise, unit * 2_000, g)  # 14,000 characters
    large = _cpu(tokenise, unit * 16_000, g)  # 112,000 characters: 8× the text
    # Linear work grows about 8×; the quadratic tokeniser grew about 64× (0.5 s → 30 s).
    assert large < 0.2 + 16 * small, (small, large)
    assert large < 3.0


def test_many_unclosed_quotes_are_read_in_one_pass() -> None:
    text = "“" * 100_000
    assert _cpu(sentence_lang, text) < 0.5
    assert sentence_lang("“订单”") == "en" and sentence_lang("“x 订单") == "zh"
    assert sentence_lang('"abc “订单” 中') == "zh" and sentence_lang('"中"') == "en"


@pytest.mark.parametrize(
    "sentence",
    ["(" * 200 + "订单金额>5" + ")" * 200 + " 则 标记 加急", "非" * 20_000 + "订单金额>5 则 标记 加急"],
    ids=["200 brackets", "20,000 negations"],
)
def test_deep_nesting_is_a_syntax_error_naming_the_limit(sentence: str) -> None:
    sentence = sentence[:MAX_SENTENCE_CHARS]
    with pytest.raises(RuleSyntaxError) as exc:
        parse_rule(sentence)
    assert exc.value.code == "too_deep"
    assert str(MAX_DEPTH) in exc.value.message


def test_nesting_up_to_the_limit_still_reads() -> None:
    depth = MAX_DEPTH // 2
    rule = parse_rule("非 " * depth + "(" * depth + "订单金额>5" + ")" * depth + " 则 标记 加急")
    assert rule.actions
    assert parse_rule("非 订单金额>5 且 非 订单金额>7 且 非 订单金额>9 则 标记 加急").actions


def test_a_superscript_digit_is_a_bad_character_not_a_crash() -> None:
    for sentence in ("订单金额>²", "订单金额>5² 则 标记 加急", "order.amount > ٣ then tag urgent"):
        with pytest.raises(RuleSyntaxError) as exc:
            parse_rule(sentence)
        assert exc.value.code in ("bad_character", "unknown_word", "unexpected")


def test_a_long_sentence_is_refused_before_it_is_read() -> None:
    with pytest.raises(RuleSyntaxError) as exc:
        parse_rule("a" * (MAX_SENTENCE_CHARS + 1))
    assert exc.value.code == "too_long"
    assert str(MAX_SENTENCE_CHARS) in exc.value.message


def test_an_absurd_number_is_refused() -> None:
    with pytest.raises(RuleSyntaxError) as exc:
        parse_rule("订单金额>" + "9" * 40 + " 则 标记 加急")
    assert exc.value.code == "bad_number"


def test_rule_text_is_bounded_in_characters_and_lines() -> None:
    with pytest.raises(RuleTextTooLarge) as exc:
        parse_text("订单金额>5 则 标记 加急\n" * (MAX_RULE_LINES + 1))
    assert exc.value.details["limit"] == "max_lines"
    with pytest.raises(RuleTextTooLarge) as exc:
        parse_text("#" * (MAX_TEXT_CHARS + 1))
    assert exc.value.details["limit"] == "max_chars"
    with pytest.raises(RuleTextInvalid):
        parse_text("订单金额>² 则 标记 加急")


def test_lint_of_many_contradicting_rules_is_bounded_and_says_so() -> None:
    half = MAX_RULE_LINES // 2
    text = "\n".join(["订单金额>5 则 挂起"] * half + ["订单金额>7 则 自动审核通过"] * half)
    rules = parse_rules(text)
    start = time.process_time()
    warnings = lint_rules(rules)
    assert time.process_time() - start < 1.0
    assert len(warnings) == MAX_FINDINGS + 1
    assert warnings[-1] == TRUNCATED
    small = lint_rules(parse_rules("订单金额>5 则 挂起\n订单金额>7 则 自动审核通过"))
    assert [w.code for w in small] == ["contradiction"]
