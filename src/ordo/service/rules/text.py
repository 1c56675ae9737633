"""A rule set's text: one sentence a line, read into rules or refused with where and why.

Owns the service's view of rule text (a draft's and a version's ``text`` column): lines,
``#`` comments, rule ids ``r<line>`` (stable while lines are appended), and the error a
caller sees for a sentence that cannot be read: :class:`RuleTextInvalid`, a 422 whose
details carry the line, the column, the word, the nearest known word and what was
expected. A strict read (``parse_text``, what drafts store) never guesses a correction;
``read_text`` (the parse preview) reads tolerantly and marks every rewritten line for
confirmation.
"""

from __future__ import annotations

from ordo.domain.errors import ValidationError
from ordo.rules.evaluation.evaluate import RuleSet
from ordo.rules.language import ast as A
from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.glossary import Glossary
from ordo.rules.language.parser import parse_rule
from ordo.rules.language.tolerant import Reading, read_rule

#: The most a rule set's text may hold: characters, and lines with a rule on them. With the
#: sentence's own bounds (``MAX_SENTENCE_CHARS``, ``MAX_DEPTH``) they keep reading, linting
#: and rendering one text well under a second.
MAX_TEXT_CHARS = 50_000
MAX_RULE_LINES = 500


class RuleTextInvalid(ValidationError):
    code = "rule_syntax"


class RuleTextTooLarge(ValidationError):
    code = "rule_text_too_large"


def invalid(err: RuleSyntaxError, line: int, field: str = "text") -> RuleTextInvalid:
    return RuleTextInvalid(
        field,
        f"规则第{line}行 / rule line {line}: {err.message}",
        details={
            "line": line,
            "position": err.position,
            "column": err.column,
            "word": err.word,
            "suggestion": err.suggestion,
            "did_you_mean": err.did_you_mean,
            "valid_values": list(err.valid),
            "expected": list(err.expected),
            "reason": err.code,
            "sentence": err.sentence,
            "pointer": err.pointer(),
        },
    )


def lines_of(text: str) -> list[tuple[int, str]]:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        body = line.split("#", 1)[0].strip()
        if body:
            out.append((n, body))
    return out


def check_size(text: str, field: str = "text") -> list[tuple[int, str]]:
    """The text's rule lines, or :class:`RuleTextTooLarge` naming the limit it passes."""
    if len(text) > MAX_TEXT_CHARS:
        raise RuleTextTooLarge(
            field,
            f"规则文本过长：最多 {MAX_TEXT_CHARS} 个字符 / "
            f"the rule text is too long: at most {MAX_TEXT_CHARS} characters",
            details={"limit": "max_chars", "max": MAX_TEXT_CHARS, "actual": len(text)},
        )
    lines = lines_of(text)
    if len(lines) > MAX_RULE_LINES:
        raise RuleTextTooLarge(
            field,
            f"规则过多：最多 {MAX_RULE_LINES} 行 / too many rules: at most {MAX_RULE_LINES} lines",
            details={"limit": "max_lines", "max": MAX_RULE_LINES, "actual": len(lines)},
        )
    return lines


def parse_text(text: str, glossary: Glossary | None = None) -> list[A.Rule]:
    """Every rule of the text, or :class:`RuleTextInvalid` for the first line that cannot be read
    (:class:`RuleTextTooLarge` for a text past :data:`MAX_TEXT_CHARS` or :data:`MAX_RULE_LINES`)."""
    rules = []
    for n, line in check_size(text):
        try:
            rules.append(parse_rule(line, glossary=glossary, rule_id=f"r{n}"))
        except RuleSyntaxError as err:
            raise invalid(err, n) from None
    return rules


def read_text(text: str, glossary: Glossary | None = None) -> list[Reading]:
    """Every rule of the text read tolerantly: a line the strict parser refuses may still read
    after named rewrites, and that reading says it needs confirmation (never saved as is: the
    caller shows the canonical sentence and saves that once confirmed). A line that cannot be
    read at all is :class:`RuleTextInvalid` with the closest readable sentence and valid values."""
    readings = []
    for n, line in check_size(text):
        try:
            readings.append(read_rule(line, glossary=glossary, rule_id=f"r{n}"))
        except RuleSyntaxError as err:
            raise invalid(err, n) from None
    return readings


def ruleset_of(text: str, glossary: Glossary | None = None) -> RuleSet:
    """The rules that decide orders (intake, backtests of orders); a text's triggers are left
    to the trigger runner (:func:`triggers_of`)."""
    return RuleSet.of([r for r in parse_text(text, glossary) if r.trigger is None])


def triggers_of(text: str, glossary: Glossary | None = None) -> list[A.Rule]:
    """The text's event-stream triggers (rules with a sequence over a customer's events)."""
    return [r for r in parse_text(text, glossary) if r.trigger is not None]


def append_line(text: str, sentence: str) -> str:
    sentence = sentence.strip()
    if not text.strip():
        return sentence
    return text.rstrip("\n") + "\n" + sentence
