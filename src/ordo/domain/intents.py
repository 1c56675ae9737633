"""Service intents of a customer's message (催单, 改地址, 换货, 退货退款, 投诉, 咨询): a multinomial
naive Bayes over character n-grams (Chinese) and words (English), trained from labelled
examples. Pure and small: no model file, no network; trained in milliseconds from the
examples the service ships (``ordo/service/insight/intents.jsonl``)."""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

INTENTS: Mapping[str, tuple[str, str]] = {
    "催单": ("chase", "Where is my order"),
    "改地址": ("change_address", "Change the address"),
    "换货": ("exchange", "Exchange"),
    "退货退款": ("return_refund", "Return / refund"),
    "投诉": ("complaint", "Complaint"),
    "咨询": ("inquiry", "Question"),
}
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z]+")


def features(text: str) -> list[str]:
    """Character 1- to 3-grams of each Chinese run, English words and word pairs, digits as #."""
    t = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for run in _CJK.findall(t):
        for n in (1, 2, 3):
            out += [run[i : i + n] for i in range(len(run) - n + 1)]
    words = _WORD.findall(t)
    out += [f"w:{w}" for w in words]
    out += [f"w:{a}_{b}" for a, b in itertools.pairwise(words)]
    if re.search(r"\d{6,}", t):
        out.append("#number")
    return out


@dataclass(frozen=True, slots=True)
class IntentModel:
    """Per intent, the log-probability of each feature (and of one never seen)."""

    log_p: Mapping[str, Mapping[str, float]]
    unseen: Mapping[str, float]
    #: Words that say an intent outright, and the log factor each adds (glossary data).
    cues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cue_weight: float = 0.0

    def scores(self, text: str) -> dict[str, float]:
        """Each intent's posterior probability (uniform priors), highest first."""
        feats = features(text)
        t = unicodedata.normalize("NFKC", text).lower()
        logs = {
            i: sum(p.get(f, self.unseen[i]) for f in feats)
            + self.cue_weight * sum(1 for c in self.cues.get(i, ()) if c in t)
            for i, p in self.log_p.items()
        }
        top = max(logs.values())
        exp = {i: math.exp(v - top) for i, v in logs.items()}
        total = sum(exp.values())
        return dict(sorted(((i, v / total) for i, v in exp.items()), key=lambda kv: -kv[1]))


def train(
    examples: Iterable[tuple[str, str]],
    alpha: float = 0.5,
    cues: Mapping[str, tuple[str, ...]] | None = None,
    cue_weight: float = 0.0,
) -> IntentModel:
    counts: dict[str, Counter[str]] = {i: Counter() for i in INTENTS}
    for text, intent in examples:
        counts[intent].update(features(text))
    vocab = {f for c in counts.values() for f in c}
    log_p: dict[str, dict[str, float]] = {}
    unseen: dict[str, float] = {}
    for intent, c in counts.items():
        denom = sum(c.values()) + alpha * (len(vocab) + 1)
        log_p[intent] = {f: math.log((n + alpha) / denom) for f, n in c.items()}
        unseen[intent] = math.log(alpha / denom)
    return IntentModel(log_p, unseen, dict(cues or {}), cue_weight)
