"""``ordo bench rules-corpus``: how many sentences people write the tolerant reader reads right.

Reads the corpus (``tests/corpus/rules/corpus.jsonl``: sentence → intended meaning as the
canonical zh rendering, a held-out mark, the batch it was written in, or the reason Ordo
cannot express it yet) with :func:`~ordo.rules.language.tolerant.read_rule` and reports, for
the tuning share, the held-out share, the never-tuned-on batches (held-out batches written
after a tuning round: what a new batch scores before anyone reads its failures) and each
batch on its own: the parse rate, the correct-meaning rate, how many readings asked for
confirmation, and the silent misreadings (a wrong meaning, or an inexpressible sentence read,
without a confirmation flag). The sentences not read as meant are listed (``misread``).
Meaning is compared on the rendering with the items of each 且 / 或 and of each list in a
fixed order (``A 且 B`` means ``B 且 A``), and ``X 为 a 或 X 为 b`` as ``X 属于 a、b``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ordo.rules.language import ast as A
from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.parser import parse_rule
from ordo.rules.language.render import render_condition, render_rule
from ordo.rules.language.tolerant import read_rule

DEFAULT_CORPUS = Path("tests/corpus/rules/corpus.jsonl")


def _ordered(c: A.Condition) -> A.Condition:
    if isinstance(c, A.AnyOf) and all(isinstance(i, A.InSet) for i in c.items):
        sets = [i for i in c.items if isinstance(i, A.InSet)]
        if len({i.field for i in sets}) == 1:  # 新疆 或 西藏 is 属于 新疆、西藏
            values = tuple(v for i in sets for v in i.values)
            groups = tuple(g for i in sets for g in i.groups)
            return _ordered(A.InSet(sets[0].field, values, groups))
    if isinstance(c, A.InSet):
        return dataclasses.replace(
            c, values=tuple(sorted(set(c.values))), groups=tuple(sorted(set(c.groups)))
        )
    if isinstance(c, A.All | A.AnyOf):
        items = sorted((_ordered(i) for i in c.items), key=lambda i: render_condition(i))
        return dataclasses.replace(c, items=tuple(items))
    if isinstance(c, A.Not):
        return dataclasses.replace(c, item=_ordered(c.item))
    return c


def meaning(rule: A.Rule) -> str:
    """The rule's zh rendering with 且 / 或 items in a fixed order (their order means nothing)."""
    ordered = dataclasses.replace(rule, condition=_ordered(rule.condition), scope=_ordered(rule.scope))
    return render_rule(ordered, "zh")


@dataclass
class Share:
    total: int = 0
    parsed: int = 0
    correct: int = 0
    confirmations: int = 0
    silent: int = 0
    unsupported: int = 0
    refused: int = 0

    def rate(self, n: int) -> float:
        return n / self.total if self.total else 1.0


@dataclass
class Outcome:
    sentence: str
    held_out: bool
    expected: str | None
    got: str | None
    confirm: bool
    error: str = ""
    batch: int = 1

    @property
    def correct(self) -> bool:
        return self.got == self.expected if self.expected is not None else self.got is None

    @property
    def silent(self) -> bool:
        return not self.correct and self.got is not None and not self.confirm


@dataclass
class Report:
    tuning: Share = field(default_factory=Share)
    held_out: Share = field(default_factory=Share)
    outcomes: list[Outcome] = field(default_factory=list)
    #: held-out sentences by the batch they were written in (1: the hash quarter, 6: …)
    held_out_batches: dict[int, Share] = field(default_factory=dict)
    #: every sentence by the batch it was written in, held out or not
    batches: dict[int, Share] = field(default_factory=dict)
    #: held-out batches written after a tuning round (batch ≥ 2): never tuned on
    never_tuned: Share = field(default_factory=Share)

    @property
    def whole(self) -> Share:
        s = Share()
        for part in (self.tuning, self.held_out):
            for f in dataclasses.fields(Share):
                setattr(s, f.name, getattr(s, f.name) + getattr(part, f.name))
        return s

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: _share_dict(s)
            for name, s in (("tuning", self.tuning), ("held_out", self.held_out), ("whole", self.whole))
        }
        out["held_out_batches"] = {str(b): _share_dict(s) for b, s in sorted(self.held_out_batches.items())}
        out["never_tuned_on"] = {
            "batches": sorted(b for b in self.held_out_batches if b >= 2),
            **_share_dict(self.never_tuned),
        }
        out["batches"] = {
            str(b): _share_dict(s) | {"held_out_sentences": self.held_out_batches.get(b, Share()).total}
            for b, s in sorted(self.batches.items())
        }
        out["misread"] = [
            {
                "batch": o.batch,
                "held_out": o.held_out,
                "sentence": o.sentence,
                "expected": o.expected,
                "got": o.got,
                "asked_to_confirm": o.confirm,
                **({"error": o.error} if o.error else {}),
            }
            for o in self.outcomes
            if not o.correct
        ]
        return out


def _share_dict(s: Share) -> dict[str, Any]:
    return {
        "sentences": s.total,
        # No sentences, no rate (a batch not yet appended is not read 100 % right).
        "parse_rate": round(s.rate(s.parsed), 4) if s.total else None,
        "correct_rate": round(s.rate(s.correct), 4) if s.total else None,
        "confirmations": s.confirmations,
        "silent_misreadings": s.silent,
        "inexpressible": s.unsupported,
        "inexpressible_refused": s.refused,
    }


def load(path: Path = DEFAULT_CORPUS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def expected_meaning(row: dict[str, Any]) -> str | None:
    if "unsupported" in row:
        return None
    return meaning(parse_rule(row["canonical"]))


def evaluate(rows: Iterable[dict[str, Any]]) -> Report:
    report = Report()
    for row in rows:
        batch = int(row.get("batch", 1))
        shares = [report.held_out if row.get("held_out") else report.tuning]
        shares.append(report.batches.setdefault(batch, Share()))
        if row.get("held_out"):
            shares.append(report.held_out_batches.setdefault(batch, Share()))
            if batch >= 2:
                shares.append(report.never_tuned)
        expected = expected_meaning(row)
        try:
            reading = read_rule(row["sentence"])
            got, confirm, error = meaning(reading.rule), reading.needs_confirmation, ""
        except RuleSyntaxError as e:
            got, confirm, error = None, False, e.message
        o = Outcome(row["sentence"], bool(row.get("held_out")), expected, got, confirm, error, batch)
        report.outcomes.append(o)
        for share in shares:
            share.total += 1
            share.parsed += got is not None
            share.correct += o.correct
            share.confirmations += confirm and got is not None
            share.silent += o.silent
            if expected is None:
                share.unsupported += 1
                share.refused += got is None
    return report


def run(path: Path = DEFAULT_CORPUS) -> Report:
    return evaluate(load(path))


def lines(report: Report) -> list[str]:
    out = []
    parts = [("tuning", report.tuning), ("held-out", report.held_out), ("whole", report.whole)]
    parts.append(("never tuned on", report.never_tuned))
    parts += [(f"batch {b}", s) for b, s in sorted(report.batches.items())]
    for name, s in parts:
        if not s.total:
            out.append(f"{name:18}    0 sentences  (none yet)")
            continue
        out.append(
            f"{name:18} {s.total:4} sentences  parse {s.rate(s.parsed):6.1%}  correct meaning "
            f"{s.rate(s.correct):6.1%}  asked to confirm {s.confirmations:3}  silent misreadings {s.silent}  "
            f"(inexpressible {s.unsupported}, refused {s.refused})"
        )
    return out
