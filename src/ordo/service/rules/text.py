"""A rule set's text: one sentence a line, read into rules or refused with where and why.

Owns the service's view of rule text (a draft's and a version's ``text`` column): lines,
``#`` comments, rule ids ``r<line>`` (stable while lines are appended), and the error a
caller sees for a sentence that cannot be read: :class:`RuleTextInvalid`, a 422 whose
details carry the line, the column, the word, the nearest known word and what was
expected. It never guesses a correction.
"""

from __future__ import annotations

from ordo.domain.errors import ValidationError
from ordo.rules.evaluation.evaluate import RuleSet
from ordo.rules.language import ast as A
from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.glossary import Glossary
from ordo.rules.language.parser import parse_rule


class RuleTextInvalid(ValidationError):
    code = "rule_syntax"


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


def parse_text(text: str, glossary: Glossary | None = None) -> list[A.Rule]:
    """Every rule of the text, or :class:`RuleTextInvalid` for the first line that cannot be read."""
    rules = []
    for n, line in lines_of(text):
        try:
            rules.append(parse_rule(line, glossary=glossary, rule_id=f"r{n}"))
        except RuleSyntaxError as err:
            raise invalid(err, n) from None
    return rules


def ruleset_of(text: str, glossary: Glossary | None = None) -> RuleSet:
    return RuleSet.of(parse_text(text, glossary))


def append_line(text: str, sentence: str) -> str:
    sentence = sentence.strip()
    if not text.strip():
        return sentence
    return text.rstrip("\n") + "\n" + sentence
