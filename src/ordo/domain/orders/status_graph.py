"""The status graph as data: statuses, source vocabularies and conflict rules, compiled.

``compile_graph`` turns the plain mapping read from ``status_graph.yaml`` (by an
adapter; this module reads no files) into frozen objects: each status a
:class:`~ordo.domain.orders.milestones.Condition`, each source's codes a
:class:`Translation`, each conflict rule a :class:`ConflictRule`. Structural
mistakes (a status Ordo does not know, a condition it cannot read) raise
:class:`GraphError`; vocabulary entries that name nothing Ordo knows are kept as
*dead* translations so ``ordo status lint`` can point at them.

``find_conflict`` is the pure check behind ``order.status_conflict``: a claim
reported at time T contradicts a milestone that another system reported before T.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ordo.domain.orders.milestones import Condition, Milestone, Status

_AND = re.compile(r"\s*(?:∧|&|\band\b|且)\s*")
_OR = re.compile(r"\s*(?:∨|\||\bor\b|或)\s*")
_MILESTONES = {m.value for m in Milestone}


class GraphError(ValueError):
    """A status graph that cannot be compiled; ``where`` is the path in the file."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True, slots=True)
class StatusRule:
    status: Status
    rank: int
    condition: Condition | None  # None: the initial status, which holds without any step
    text: str
    label: tuple[str, str]
    next: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Translation:
    """What one source code means: milestones implied, or a signal; ``unknown`` names nothing."""

    milestones: tuple[Milestone, ...] = ()
    signal: str | None = None
    unknown: tuple[str, ...] = ()

    @property
    def claim(self) -> str | None:
        """The furthest thing the code asserts: its signal, else its last milestone."""
        if self.signal:
            return self.signal
        return self.milestones[-1].value if self.milestones else None

    @property
    def dead(self) -> bool:
        return self.claim is None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    source: str
    kind: str
    label: tuple[str, str]
    codes: Mapping[str, Translation]

    def translate(self, code: str) -> Translation | None:
        found = self.codes.get(code)
        if found is None:
            found = self.codes.get(code.strip().upper())
        return None if found is None or found.dead else found


@dataclass(frozen=True, slots=True)
class ConflictRule:
    code: str
    claim: frozenset[str]
    contradicted_by: frozenset[Milestone]
    message: tuple[str, str]


class Known(NamedTuple):
    """A milestone already recorded for an order: when, and by whom (a tuple: read in bulk)."""

    at_ns: int
    source: str


@dataclass(frozen=True, slots=True)
class StatusConflict:
    rule: ConflictRule
    claim: str
    source: str
    at_ns: int
    other: Milestone
    other_source: str
    other_at_ns: int

    @property
    def message(self) -> str:
        en, zh = self.rule.message
        return f"{en} / {zh}"


@dataclass(frozen=True, slots=True)
class StatusGraph:
    statuses: tuple[StatusRule, ...]  # highest rank first
    signals: Mapping[str, tuple[str, str]]
    sources: Mapping[str, Vocabulary]
    conflicts: tuple[ConflictRule, ...]
    initial: Status = Status.PENDING_PAYMENT
    _ranked: tuple[tuple[Status, Condition], ...] = field(default=(), repr=False, compare=False)

    def conditions(self) -> dict[Status, Condition]:
        return {r.status: r.condition for r in self.statuses if r.condition is not None}

    def derive(self, recorded: frozenset[Milestone] | set[Milestone]) -> Status:
        for status, condition in self._ranked:
            if condition.holds(recorded):
                return status
        return self.initial

    def translate(self, source: str, code: str) -> Translation | None:
        vocabulary = self.sources.get(source.strip().lower())
        return vocabulary.translate(code) if vocabulary else None


def find_conflict(
    rules: Iterable[ConflictRule], claim: str, at_ns: int, source: str, known: Mapping[Milestone, Known]
) -> StatusConflict | None:
    """The first rule ``claim`` at ``at_ns`` breaks against what other systems reported earlier."""
    for rule in rules:
        if claim not in rule.claim:
            continue
        # The earliest contradicting report is the clearest evidence.
        hits = sorted(
            (k.at_ns, m.number, m, k)
            for m in rule.contradicted_by
            if (k := known.get(m)) is not None and k.at_ns < at_ns and k.source != source
        )
        if hits:
            _, _, other, k = hits[0]
            return StatusConflict(rule, claim, source, at_ns, other, k.source, k.at_ns)
    return None


# compiling ------------------------------------------------------------------------------


def parse_condition(text: str, where: str) -> Condition:
    """``a ∧ b ∧ (c ∨ d)`` → Condition(all_of={a, b}, any_of={c, d}); one ∨ group at most."""
    all_of: set[Milestone] = set()
    any_of: set[Milestone] = set()
    parts = [p for p in _AND.split(text.strip()) if p]
    if not parts:
        raise GraphError(where, "empty condition / 条件为空")
    for part in parts:
        group = part[1:-1] if part.startswith("(") and part.endswith(")") else part
        names = [n for n in _OR.split(group.strip()) if n]
        if len(names) > 1:
            if any_of:
                raise GraphError(where, "only one ∨ group per condition / 每个条件至多一个 ∨ 组")
            any_of = {_milestone(n, where) for n in names}
        else:
            all_of.add(_milestone(names[0], where))
    return Condition(frozenset(all_of), frozenset(any_of))


def _milestone(name: str, where: str) -> Milestone:
    if name not in _MILESTONES:
        raise GraphError(where, f"unknown milestone {name!r} / 未知节点「{name}」")
    return Milestone(name)


def _label(value: Any, default: str) -> tuple[str, str]:
    if isinstance(value, Mapping):
        return str(value.get("en", default)), str(value.get("zh", default))
    return default, default


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise GraphError(where, "expected a mapping / 需要映射")
    return value


def _names(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise GraphError(where, "expected a list of names / 需要名称列表")
    return [str(v) for v in value]


def _statuses(data: Mapping[str, Any]) -> tuple[StatusRule, ...]:
    known = {s.value for s in Status}
    rules: list[StatusRule] = []
    for name, spec in _mapping(data.get("statuses"), "statuses").items():
        where = f"statuses.{name}"
        if name not in known:
            raise GraphError(where, f"unknown status {name!r} / 未知状态「{name}」")
        spec = _mapping(spec, where)
        rank = spec.get("rank")
        if not isinstance(rank, int) or isinstance(rank, bool):
            raise GraphError(where, "rank must be an integer / rank 须为整数")
        when = spec.get("when")
        if when is None and not spec.get("initial"):
            raise GraphError(where, "needs `when` (or `initial: true`) / 需要 when 条件")
        condition = None if when is None else parse_condition(str(when), f"{where}.when")
        nxt = tuple(_names(spec.get("next", []), f"{where}.next"))
        rules.append(
            StatusRule(Status(name), rank, condition, str(when or ""), _label(spec.get("label"), name), nxt)
        )
    return tuple(sorted(rules, key=lambda r: r.rank, reverse=True))


def _translation(value: Any, signals: Mapping[str, Any], where: str) -> Translation:
    if isinstance(value, Mapping):
        signal = str(value.get("signal", ""))
        if signal in signals:
            return Translation(signal=signal)
        return Translation(unknown=(signal,) if signal else ())
    names = _names(value if value is not None else [], where)
    good = tuple(Milestone(n) for n in names if n in _MILESTONES)
    bad = tuple(n for n in names if n not in _MILESTONES)
    return Translation(milestones=good if not bad else (), unknown=bad)


def _sources(data: Mapping[str, Any], signals: Mapping[str, Any]) -> dict[str, Vocabulary]:
    out: dict[str, Vocabulary] = {}
    for name, spec in _mapping(data.get("sources", {}), "sources").items():
        where = f"sources.{name}"
        spec = _mapping(spec, where)
        codes = {
            str(code): _translation(value, signals, f"{where}.codes.{code}")
            for code, value in _mapping(spec.get("codes", {}) or {}, f"{where}.codes").items()
        }
        key = str(name).lower()
        out[key] = Vocabulary(key, str(spec.get("kind", "other")), _label(spec.get("label"), key), codes)
    return out


def _conflicts(data: Mapping[str, Any], signals: Mapping[str, Any]) -> tuple[ConflictRule, ...]:
    rules: list[ConflictRule] = []
    raw = data.get("conflicts", []) or []
    if not isinstance(raw, list):
        raise GraphError("conflicts", "expected a list / 需要列表")
    for i, spec in enumerate(raw):
        where = f"conflicts[{i}]"
        spec = _mapping(spec, where)
        claim = _names(spec.get("claim"), f"{where}.claim")
        for c in claim:
            if c not in _MILESTONES and c not in signals:
                raise GraphError(where, f"unknown claim {c!r} / 未知的声明「{c}」")
        against = [
            _milestone(n, f"{where}.contradicted_by") for n in _names(spec.get("contradicted_by"), where)
        ]
        code = str(spec.get("code") or f"conflict_{i}")
        rules.append(
            ConflictRule(code, frozenset(claim), frozenset(against), _label(spec.get("message"), code))
        )
    return tuple(rules)


def compile_graph(data: Mapping[str, Any]) -> StatusGraph:
    """Compile the status graph read from YAML (or built in a test) into frozen objects."""
    data = _mapping(data, "(top)")
    signals_raw = _mapping(data.get("signals", {}) or {}, "signals")
    signals = {str(k): _label(v, str(k)) for k, v in signals_raw.items()}
    statuses = _statuses(data)
    initial = [r.status for r in statuses if r.condition is None]
    if len(initial) != 1:
        raise GraphError("statuses", "exactly one status must be `initial: true` / 须有且仅有一个初始状态")
    ranked = tuple((r.status, r.condition) for r in statuses if r.condition is not None)
    return StatusGraph(
        statuses=statuses,
        signals=signals,
        sources=_sources(data, signals),
        conflicts=_conflicts(data, signals),
        initial=initial[0],
        _ranked=ranked,
    )
