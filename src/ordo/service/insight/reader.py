"""A question in Chinese or English → a typed reading over the metrics layer.

Deterministic and model-free: the longest name wins at each place (a warehouse before its
city, 京东物流 before 京东), each word of the question is used at most once, and whatever
is left over is reported back (``ignored``) instead of being silently dropped, so 安装准时率
answers with the on-time rate *and* says 安装 was not understood. A question with no metric
in it is not guessed at: the error names the closest questions Ordo can answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ordo.domain.errors import ValidationError
from ordo.service.insight.catalog import Catalog, Dimension, Metric
from ordo.service.insight.periods import Period, default_period, find_period

#: Words that carry no meaning for the query (polite forms, question words, the bot's name).
FILLERS = (
    "@机器人",
    "机器人",
    "帮我查一下",
    "帮我查",
    "帮忙查",
    "查一下",
    "查询",
    "请问",
    "一下",
    "统计",
    "看看",
    "是多少",
    "有多少",
    "多少",
    "怎么样",
    "如何",
    "情况",
    "数据",
    "的",
    "了",
    "吗",
    "呢",
    "查",
    "期间",
    "在",
    "what is",
    "what was",
    "what's",
    "show me",
    "show",
    "how many",
    "tell me",
    "please",
    "the",
    "for",
    "in",
    "of",
    "was",
    "is",
    "had",
    "did",
    "have",
    "by",
    "per",
    "each",
    "which",
    "with",
    "a",
    "at",
    "on",
    "from",
    "to",
    "and",
    "?",
    "？",
    ",",
    "，",
    "。",
    "!",
    "！",
    ":",
    "：",
    "、",
)
#: Words that turn a dimension into the rows of the answer rather than a filter.
_GROUP_MARKS = ("各", "每", "分", "按", "哪", "by ", "per ", "each ", "which ")
_ASCENDING = ("最低", "最少", "最差", "最慢", "lowest", "least", "fewest", "worst")
_TOP = (
    "最高",
    "最多",
    "最好",
    "最快",
    "最",
    "哪个",
    "哪家",
    "哪些",
    "哪",
    "most",
    "highest",
    "top",
    "best",
    "which",
)
_ASCII_WORD = re.compile(r"^[a-z0-9 .\-']+$")


@dataclass(frozen=True, slots=True)
class Name:
    """Something a question can name: what it stands for, and the words for it."""

    dimension: str  # channel, warehouse, carrier, province, city
    value: str  # the view's value (warehouse and carrier names, canonical channel, full place names)
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The names a question may use: from the catalog, the channels and the store."""

    names: tuple[Name, ...]
    labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (dimension, value) → shown


@dataclass(frozen=True, slots=True)
class Reading:
    question: str
    metric: Metric
    period: Period
    group_by: tuple[Dimension, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    descending: bool
    top: bool
    ignored: tuple[str, ...]


class UnreadableQuestion(ValidationError):
    """No metric in the question: the closest questions Ordo can answer come with it."""

    code = "question_not_understood"


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).lower()).strip()


def _find(text: str, word: str) -> int:
    """Where ``word`` occurs in ``text`` (-1: nowhere); ASCII words only at word boundaries."""
    if not _ASCII_WORD.match(word):
        return text.find(word)
    m = re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text)
    return m.start() if m else -1


class _Text:
    """The question with the parts already read blanked out."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, words: Iterable[str]) -> str | None:
        """The longest of ``words`` still in the text (then blanked), or None."""
        best: tuple[int, int, str] | None = None
        for w in words:
            if not w:
                continue
            at = _find(self.text, w)
            if at >= 0 and (best is None or len(w) > len(best[2])):
                best = (at, len(w), w)
        if best is None:
            return None
        at, n, w = best
        self.text = self.text[:at] + " " * n + self.text[at + n :]
        return w

    def around(self, word_at: int, marks: Sequence[str]) -> bool:
        return any(self.text[max(0, word_at - len(m)) : word_at] == m for m in marks)


def read_question(question: str, catalog: Catalog, vocabulary: Vocabulary, now_ns: int) -> Reading:
    """The reading of ``question``; :class:`UnreadableQuestion` when it names no metric."""
    original = normalise(question)
    if not original:
        raise ValidationError("question", "empty question / 问题为空")
    text = _Text(original)
    metric_word = text.take(a for m in catalog.metrics.values() for a in m.aliases)
    if metric_word is None:
        raise unreadable(question, catalog)
    metric = next(m for m in catalog.metrics.values() if metric_word in m.aliases)
    period = find_period(original, now_ns)
    if period is not None and period.words:
        text.take([period.words])
    descending = not any(w in original for w in _ASCENDING)
    top = any(_find(original, w) >= 0 for w in (*_TOP, *_ASCENDING))
    filters: dict[str, list[str]] = {}
    while True:
        by_word = {w: n for n in vocabulary.names for w in n.words}
        word = text.take(by_word)
        if word is None:
            break
        name = by_word[word]
        if name.value not in filters.setdefault(name.dimension, []):
            filters[name.dimension].append(name.value)
        # "南京仓" may name several warehouses (one per district): take them all.
        for other in vocabulary.names:
            if other is not name and word in other.words and other.value not in filters[name.dimension]:
                filters[name.dimension].append(other.value)
    group_by: list[Dimension] = []
    for dim in sorted(catalog.dimensions.values(), key=lambda d: -max(len(a) for a in d.aliases)):
        before = text.text
        word = text.take(dim.aliases)
        if word is None:
            continue
        explicit = any(word.startswith(m.strip()) for m in _GROUP_MARKS) or text.around(
            before.find(word), _GROUP_MARKS
        )
        if dim.column not in filters or explicit:
            group_by.append(dim)
    for filler in sorted(FILLERS, key=len, reverse=True):
        while text.take([filler]) is not None:
            pass
    for w in sorted((*_TOP, *_ASCENDING), key=len, reverse=True):
        while text.take([w]) is not None:
            pass
    ignored = tuple(w for w in re.split(r"\s+", text.text) if w and not re.fullmatch(r"[\W_]+", w))
    return Reading(
        question=question,
        metric=metric,
        period=period or default_period(now_ns),
        group_by=tuple(group_by),
        filters=tuple((d, tuple(v)) for d, v in filters.items()),
        descending=descending,
        top=top,
        ignored=ignored,
    )


def unreadable(question: str, catalog: Catalog) -> UnreadableQuestion:
    """The refusal of a question with no metric: the closest metrics by wording, as questions."""
    choices = {a: m for m in catalog.metrics.values() for a in m.aliases}
    near = process.extract(normalise(question), list(choices), scorer=fuzz.partial_ratio, limit=12)
    seen: list[Metric] = []
    for alias, _score, _ in near:
        if choices[alias] not in seen:
            seen.append(choices[alias])
    suggestions = [{"zh": f"昨日{m.zh}", "en": f"{m.en} yesterday"} for m in seen[:3]]
    return UnreadableQuestion(
        "question",
        f"没有读懂这个问题：没有找到指标。你是不是想问：{'、'.join(s['zh'] for s in suggestions)}？ / "
        f"No metric found in the question. Did you mean: {'; '.join(s['en'] for s in suggestions)}?",
        details={
            "suggestions": suggestions,
            "metrics": [{"metric": m.key, "zh": m.zh, "en": m.en} for m in catalog.metrics.values()],
        },
    )
