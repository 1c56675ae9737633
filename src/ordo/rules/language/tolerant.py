"""The tolerant reader: a sentence as people write it → the one AST, with every rewrite named.

Owns reading a sentence strictly and, when the strict parser
(:func:`~ordo.rules.language.parser.parse_rule`) refuses it, running the repairs of
:mod:`~ordo.rules.language.repairs` in order (unknown runs kept whole first, then cut at the
reader's words), then typo candidates, and keeping the first sentence that reads. The
repairs: Chinese numerals (:mod:`~ordo.rules.language.numerals`), phrase aliases
and fillers (``tolerance.json``, data), a carrier verb (``发中通`` → ``走 中通``), a bare value
standing for its field (``抖音`` → ``渠道 为 抖音``, ``钻石客户`` → ``客户等级 为 钻石``), a
number standing for its field by its unit (``超过20公斤`` → ``订单重量 超过 20公斤``),
``以上``/``以下``, ``满99包邮``, a missing ``则`` or ``且``, a loose date range
(``2026.11.1-11.11`` → the campaign period), a ranked value and 以上/以下 (``金卡以上`` →
钻石、金卡), a known tag or a carrier before 单 (``加急单``, ``发申通的订单``), and typos by
pinyin and edit distance (:mod:`~ordo.rules.language.suggest`; never into a connective).
The repaired sentence is read by the same strict parser into the same AST.

It never guesses silently: a :class:`Reading` that needed any rewrite carries them, and
``needs_confirmation`` is true, so the API and the Rules page show the sentence read and ask
before it is saved. A sentence that still cannot be read raises the strict parser's
:class:`~ordo.rules.language.errors.RuleSyntaxError` with the closest readable sentence
(``你是不是想写：…``) and the valid values where a value was wrong.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources

from ordo.rules.language import ast as A
from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.glossary import Glossary, default_glossary
from ordo.rules.language.lexer import sentence_lang, tokenise
from ordo.rules.language.parser import parse_rule
from ordo.rules.language.render import render_rule
from ordo.rules.language.repairs import Repair, Rewrite, Tok, Tolerance, load_tolerance, sentence_of
from ordo.rules.language.suggest import enrich, typo_candidates

__all__ = ["MAX_TRIES", "Reading", "Rewrite", "Tolerance", "default_tolerance", "load_tolerance", "read_rule"]

#: Sentences tried per line at most (typo candidates included): a text of 500 unreadable
#: lines stays a bounded amount of work.
MAX_TRIES = 12
#: Refusals no rewrite can help (the sentence's bounds): raised at once.
_BOUNDS = frozenset({"too_long", "too_deep", "unclosed_quote", "bad_date"})


@dataclass(frozen=True, slots=True)
class Reading:
    """A rule read from a sentence, the sentence actually parsed, and the rewrites it took."""

    rule: A.Rule
    sentence: str
    read_as: str
    rewrites: tuple[Rewrite, ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.rewrites)

    def did_you_mean(self, glossary: Glossary | None = None) -> str | None:
        """The canonical sentence to confirm (zh/en as the sentence was written), if rewritten."""
        if not self.rewrites:
            return None
        return render_rule(self.rule, sentence_lang(self.sentence), glossary)


@functools.cache
def default_tolerance() -> Tolerance:
    """The reader's data shipped with Ordo (``tolerance.json``); pure, read once."""
    text = resources.files("ordo.rules.language").joinpath("tolerance.json").read_text(encoding="utf-8")
    return load_tolerance(json.loads(text))


def read_rule(
    text: str,
    *,
    glossary: Glossary | None = None,
    tolerance: Tolerance | None = None,
    priority: int = 0,
    rule_id: str = "",
    typos: bool = True,
) -> Reading:
    """Read one sentence strictly, else with named rewrites (see the module docstring).

    Raises the strict parser's :class:`RuleSyntaxError`, enriched with the closest readable
    sentence and the valid values, when no repair makes it readable."""
    g = glossary or default_glossary()
    try:
        return Reading(parse_rule(text, glossary=g, priority=priority, rule_id=rule_id), text, text)
    except RuleSyntaxError as first:
        error = first
    if error.code in _BOUNDS:
        raise error  # past the sentence's bounds: nothing to repair, no extra work
    tol = tolerance or default_tolerance()
    lang = sentence_lang(text)
    attempts: list[tuple[Repair, list[Tok], str]] = []
    for split in (False, True):  # unknown runs cut at the reader's words only if needed
        rep = Repair(g, tol, lang)
        try:
            ts = _repaired(rep, text, split)
        except RuleSyntaxError:
            raise enrich(error, g, ()) from None
        candidate = sentence_of(ts)
        try:
            rule = parse_rule(candidate, glossary=g, priority=priority, rule_id=rule_id)
            rule = _qualified(_plausible(rule, candidate, g), rep, text)
            return Reading(_with_source(rule, text), text, candidate, tuple(rep.rewrites))
        except RuleSyntaxError as second:
            attempts.append((rep, ts, candidate))
            error_after = second
    tried = [c for _, _, c in attempts]
    for rep, ts, candidate in attempts if typos else ():
        if any(w.kind == "unit" for w in rep.rewrites):
            continue  # 5 lines: the unit lives on the token, a re-read of the text would lose it
        words = [t.text for t in ts if t.kind == "WORD"]
        own = sorted(rep.vocabulary() - tol.fillers)
        for word, replacement in typo_candidates(error_after, g, words, extra=own):
            sentence = candidate.replace(word, replacement, 1)
            if sentence in tried or len(tried) >= MAX_TRIES:
                continue
            tried.append(sentence)
            try:
                again = read_rule(
                    sentence, glossary=g, tolerance=tol, priority=priority, rule_id=rule_id, typos=False
                )
                _qualified(_plausible(again.rule, sentence, g), rep, text)
                _qualified(again.rule, Repair(g, tol, lang, list(again.rewrites)), text)
            except RuleSyntaxError:
                continue
            typo = Rewrite("typo", word, replacement)
            rewrites = (*rep.rewrites, typo, *again.rewrites)
            return Reading(_with_source(again.rule, text), text, again.read_as, rewrites)
    if not typos:
        raise error
    raise enrich(error, g, tuple(s for s in tried if s != text)) from None


def _repaired(rep: Repair, text: str, split: bool) -> list[Tok]:
    ts = rep.tag_words(rep.toks(tokenise(rep.text(text), rep.g)))
    ts = rep.warehouse_verbs(rep.remark_words(ts))
    ts = rep.avoid_verbs(rep.drop_fillers(rep.split_words(ts) if split else ts))
    rep.carrier_verbs(ts)
    return rep.joints(rep.trailing_stack(rep.fields(rep.action_first(rep.thresholds(ts)))))


#: What a warehouse read from loose words must look like: a code (WH-NJ), a name with 仓, or a
#: warehouse the glossary knows. 优先处理 is not a warehouse called 处理.
_WAREHOUSE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*\d*|.+仓(?:库)?")


def _qualified(rule: A.Rule, rep: Repair, candidate: str) -> A.Rule:
    """``rule`` unless the repairs dropped the only words saying whom it is for (老客自动通过
    would approve every order): then a refusal."""
    dropped = [w.before for w in rep.rewrites if w.kind == "filler" and w.before in rep.t.qualifiers]
    if dropped and isinstance(rule.condition, A.Always):
        raise RuleSyntaxError("unknown_word", candidate, 0, dropped[0], sentence_lang(candidate))
    return rule


def _negated_elapsed(c: A.Condition) -> bool:
    if isinstance(c, A.Not):
        return isinstance(c.item, A.Elapsed) or _negated_elapsed(c.item)
    if isinstance(c, A.All | A.AnyOf):
        return any(_negated_elapsed(x) for x in c.items)
    return False


def _plausible(rule: A.Rule, candidate: str, g: Glossary) -> A.Rule:
    """``rule`` if what the repairs made of the words is plausible, else a refusal. 未付款超过
    24小时 has no time to measure (unpaid since when?): not read as 不(已支付 超过 1天)."""
    if _negated_elapsed(rule.condition):
        raise RuleSyntaxError("unknown_word", candidate, 0, candidate.split()[0], sentence_lang(candidate))
    for act in rule.actions:
        if not isinstance(act, A.PreferWarehouse | A.ExcludeWarehouse):
            continue
        wh = act.warehouse
        if not _WAREHOUSE_NAME.fullmatch(wh) and g.resolve("warehouse", wh) is None:
            at = max(candidate.find(wh), 0)
            raise RuleSyntaxError("unknown_word", candidate, at, wh, sentence_lang(candidate))
    return rule


def _with_source(rule: A.Rule, text: str) -> A.Rule:
    return dataclasses.replace(rule, source=text)
