"""Typo candidates by pinyin and edit distance, and the closest readable sentence for an error.

Owns the ranking of glossary words against a word the parser could not place: the best of
the character similarity and the pinyin similarity (``金颔`` and ``金额`` differ by one
character; ``定单`` and ``订单`` sound the same), with the words of the value domain the error
names first. The tolerant reader tries candidates in that order and keeps the first with
which the whole sentence reads, so the ranking is by what fits at that position. For a
sentence that still cannot be read it adds the closest readable sentence (``你是不是想写：…``)
and the valid values. It never applies a correction itself.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.glossary import Glossary, Lang
from ordo.rules.language.parser import parse_rule
from ordo.rules.language.render import render_rule

#: Lowest similarity (0-100) a candidate needs to be tried at all.
MIN_SCORE = 60.0
#: Candidates tried per unknown word.
MAX_CANDIDATES = 5
#: Sentences parsed at most while looking for the closest readable one.
MAX_CLOSEST_TRIES = 8
_NEGATING = ("不", "未", "非", "没", "无", "禁")
_TYPO_CODES = frozenset({"unknown_field", "unknown_word", "unknown_value", "unexpected"})


@functools.lru_cache(maxsize=8192)
def _pinyin(word: str) -> str:
    return " ".join(lazy_pinyin(word))


def _negations(word: str) -> int:
    """How many negating characters a word has: a correction never adds or drops one
    (可拆单 is not 不拆单)."""
    return sum(word.count(c) for c in _NEGATING)


def score(word: str, candidate: str) -> float:
    """Similarity 0-100: the better of characters and pinyin (Chinese) edit-distance ratios."""
    chars = fuzz.ratio(word.lower(), candidate.lower())
    if word.isascii() or candidate.isascii():
        return float(chars)
    if not set(word) & set(candidate):
        # Sound alone (no character in common) must be near-identical: 定单 → 订单, not 一单 → 益阳.
        a, b = _pinyin(word), _pinyin(candidate)
        same_length = a.count(" ") == b.count(" ")
        return float(fuzz.ratio(a, b)) if same_length and fuzz.ratio(a, b) >= 90 else 0.0
    sound = fuzz.ratio(_pinyin(word), _pinyin(candidate)) - 5
    slips = 1 if len(word) <= 4 else 1 + len(word) // 5
    if len(word) <= 2 and _pinyin(word) != _pinyin(candidate):
        return 0.0  # one of two characters changed is another word (刷单 is not 首单)
    if sound < 85 and (chars < 50 or Levenshtein.distance(word, candidate) > slips):
        # Far apart in writing: the sound must be close too (小红书来 is not 标红预警, 订单先 is
        # not 订单标签); one slip of the pen or a word that sounds the same is a typo.
        return 0.0
    return float(max(chars, sound))


def _field_of(g: Glossary, label: str) -> str | None:
    for fd in g.fields.values():
        if label in fd.zh or label in fd.en:
            return fd.domain
    return None


def valid_values(err: RuleSyntaxError, g: Glossary) -> tuple[str, ...]:
    """The values a closed domain allows, when the error is a value it does not have."""
    if err.code != "unknown_value":
        return ()
    domain = _field_of(g, err.field)
    if domain is None or not g.is_closed(domain):
        return ()
    dom = g.domains[domain]
    i = 0 if err.lang == "zh" else 1
    return tuple((v[i] or (vid,))[0] for vid, v in dom.values.items())


def ranked(
    word: str, pool: Iterable[str], limit: int = MAX_CANDIDATES, floor: float = MIN_SCORE
) -> list[str]:
    """The closest ``limit`` candidates scoring at least ``floor`` (see :func:`score`), best first.

    rapidfuzz narrows the pool by characters and, for Chinese, by pinyin of the same number of
    syllables, so only a few dozen are scored in full."""
    negation = _negations(word)
    cands = [
        c
        for c in dict.fromkeys(pool)
        if c != word and abs(len(c) - len(word)) <= max(2, len(word) // 2) and _negations(c) == negation
    ]
    short = {c for c, _, _ in process.extract(word, cands, scorer=fuzz.ratio, limit=limit * 4)}
    if not word.isascii():
        syllables = _pinyin(word).count(" ")
        sounds = [c for c in cands if not c.isascii() and _pinyin(c).count(" ") == syllables]
        hits = process.extract(_pinyin(word), [_pinyin(c) for c in sounds], scorer=fuzz.ratio, limit=limit)
        short |= {sounds[k] for _, _, k in hits}
    scored = sorted(((score(word, c), c) for c in short), key=lambda p: (-p[0], p[1]))
    return [c for sc, c in scored[:limit] if sc >= floor]


#: Tokens that join or negate conditions: never what a typo is corrected to.
_CONNECTIVES = frozenset({"AND", "OR", "NOT", "IF", "THEN", "UNLESS", "WITHOUT"})


def typo_candidates(
    err: RuleSyntaxError,
    g: Glossary,
    words: Iterable[str] = (),
    floor: float = MIN_SCORE,
    extra: Iterable[str] = (),
) -> list[tuple[str, str]]:
    """(word, replacement) pairs to try, best first: the word the parser stopped at (the
    error's value domain first), then the other unknown words of the sentence. ``extra``: the
    tolerant reader's own words that mean something (提到, 以上 …), which a slip may hit too;
    never its fillers, which are dropped once read (可疑 → 可以 would erase the condition)."""
    out: list[tuple[str, str]] = []
    surfaces = [e.surface for e in g.entries if e.kind != "FILLER" and len(e.surface) > 1]
    own = [w for w in extra if len(w) > 1 and not w.isascii()]
    valid = valid_values(err, g)

    def fits(word: str, c: str) -> bool:
        # A two-character word becomes a place only when it sounds the same and shares a
        # character (广洲 → 广州, 新彊 → 新疆; 周末 is not 周口, 预售 not 玉树, 异常 not 宜昌).
        if len(word) <= 2 and c not in valid and g.resolve_place(c) is not None:
            return _pinyin(word) == _pinyin(c) and bool(set(word) & set(c))  # 异常 is not 宜昌
        return True

    # A slip never becomes a connective (for → or would turn 且 into 或), and a word the
    # language knows is not a slip, only in the wrong place.
    connectives = {e.surface.lower() for e in g.entries if e.kind in _CONNECTIVES}
    surfaces = [c for c in surfaces if c.lower() not in connectives]
    known = err.word.lower() in {e.surface.lower() for e in g.entries}
    if err.code in _TYPO_CODES and len(err.word) >= 2 and not known:
        pool = [*valid, *surfaces, *own]
        out += [(err.word, c) for c in ranked(err.word, pool, floor=floor) if fits(err.word, c)]
    for w in dict.fromkeys(words):
        if len(w) >= 2 and w != err.word:
            out += [(w, c) for c in ranked(w, [*surfaces, *own], floor=floor) if fits(w, c)]
    return out


def _reads(sentence: str, g: Glossary) -> str | None:
    try:
        rule = parse_rule(sentence, glossary=g)
    except RuleSyntaxError:
        return None
    lang: Lang = err_lang(sentence)
    return render_rule(rule, lang, g)


def err_lang(sentence: str) -> Lang:
    return "zh" if any("\u4e00" <= c <= "\u9fff" for c in sentence) else "en"


def enrich(err: RuleSyntaxError, g: Glossary, tried: tuple[str, ...]) -> RuleSyntaxError:
    """``err`` with the valid values and the closest sentence that reads, as a question."""
    valid = valid_values(err, g)
    closest = None
    pool = list(valid) + [e.surface for e in g.entries if e.kind != "FILLER" and len(e.surface) > 1]
    attempts = 0
    for sentence in (err.sentence, *tried):
        if not err.word or err.word not in sentence:
            continue
        for c in ranked(err.word, pool, limit=8, floor=40.0):
            attempts += 1
            closest = _reads(sentence.replace(err.word, c, 1), g)
            if closest or attempts >= MAX_CLOSEST_TRIES:
                break
        if closest or attempts >= MAX_CLOSEST_TRIES:
            break
    if not valid and closest is None:
        return err
    return RuleSyntaxError(
        err.code,
        err.sentence,
        err.position,
        err.word,
        err.lang,
        suggestion=err.suggestion,
        expected=err.expected,
        field=err.field,
        detail=err.detail,
        did_you_mean=closest,
        valid=valid,
    )
