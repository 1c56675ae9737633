"""Warnings for sentences that parse but are suspicious.

Owns three checks, all built on one small satisfiability test over the AST:

* ``never_true``   – no order can satisfy the rule (``订单金额>100 且 订单金额<50``);
* ``always_true``  – every order satisfies the condition (``订单金额>=0``);
* ``contradiction`` – two rules can fire on the same order with conflicting actions
  (hold vs approve, two carriers, prefer vs exclude one warehouse, split vs no split).

And two that say a rule can do nothing yet, whatever its logic:

* ``no_live_source`` – it reads a field nothing feeds when orders are decided
  (:data:`NO_LIVE_SOURCE`: a column whose source has not arrived yet), so it never
  matches at intake and a backtest matches nothing;
* ``no_live_effect`` – an action that changes nothing (the caller says which, e.g. a
  冻结 of a permission the API does not have: ``inert=`` of :func:`lint_rules`).

Bounded: at most :data:`MAX_FINDINGS` warnings and :data:`MAX_WORK` literal checks per
call (pairs of rules grow with the square of their number); past either, a last
``truncated`` warning says the list is incomplete.

The test is conservative: conditions are expanded to a disjunction of conjunctions of
literals; numeric comparisons become intervals (money, counts, weights and durations are
never negative, ratios lie in [0, 1]), enum sets intersect, and anything else is an
opaque literal that only clashes with its own negation. "Unsatisfiable" is therefore
always true when reported; a warning may be missed, never invented. Never evaluates orders.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from types import MappingProxyType

from ordo.rules.evaluation.compile_py import day_bounds, day_start_ns
from ordo.rules.evaluation.facts import COLUMNS
from ordo.rules.language import ast as A
from ordo.rules.language.glossary import Glossary, Lang, default_glossary
from ordo.rules.language.render import render_condition

_MAX_TERMS = 512
#: The most warnings one call returns, and the most literals it checks (about a microsecond each).
MAX_FINDINGS = 200
MAX_WORK = 300_000
_NULLABLE = {c.name for c in COLUMNS if c.nullable}
#: Fact columns nothing fills when the live rules decide an order (intake) nor in backtests,
#: and what would feed each. Remove an entry when its source arrives.
NO_LIVE_SOURCE: Mapping[str, tuple[str, str]] = MappingProxyType(
    # None today: 预测库存风险 was here until backtests read the forecasts kept at the time
    # (forecast_ratio_history); intake reads the last kept one.
    {}
)
#: Says why an action has no live effect (zh, en), or None when it has one.
Inert = Callable[[A.Action], tuple[str, str] | None]

Literal = tuple[A.Condition, bool]


@dataclass(frozen=True, slots=True)
class LintWarning:
    code: str  # never_true | always_true | contradiction | no_live_source | no_live_effect | truncated
    rule_id: str
    zh: str
    en: str
    other_rule_id: str | None = None

    def message(self, lang: Lang = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def _dnf(c: A.Condition, positive: bool = True) -> list[list[Literal]] | None:
    """``c`` (or its negation) as a list of conjunctions; None when it would grow too large."""
    if isinstance(c, A.Not):
        return _dnf(c.item, not positive)
    if isinstance(c, A.Always):
        return [[]] if positive else []
    conj = isinstance(c, A.All) if positive else isinstance(c, A.AnyOf)
    disj = isinstance(c, A.AnyOf) if positive else isinstance(c, A.All)
    if disj:
        assert isinstance(c, A.All | A.AnyOf)
        out: list[list[Literal]] = []
        for item in c.items:
            sub = _dnf(item, positive)
            if sub is None:
                return None
            out.extend(sub)
        return out if len(out) <= _MAX_TERMS else None
    if conj:
        assert isinstance(c, A.All | A.AnyOf)
        acc: list[list[Literal]] = [[]]
        for item in c.items:
            sub = _dnf(item, positive)
            if sub is None:
                return None
            acc = [a + b for a in acc for b in sub]
            if len(acc) > _MAX_TERMS:
                return None
        return acc
    return [[(c, positive)]]


@dataclass
class _Interval:
    lo: float = -math.inf
    lo_in: bool = True
    hi: float = math.inf
    hi_in: bool = True

    def clip(self, op: A.Op, v: float) -> None:
        if op in (A.Op.GT, A.Op.GE) and (v > self.lo or (v == self.lo and op is A.Op.GT)):
            self.lo, self.lo_in = v, op is A.Op.GE
        if op in (A.Op.LT, A.Op.LE) and (v < self.hi or (v == self.hi and op is A.Op.LT)):
            self.hi, self.hi_in = v, op is A.Op.LE
        if op is A.Op.EQ:
            self.clip(A.Op.GE, v)
            self.clip(A.Op.LE, v)

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_in and self.hi_in))


@dataclass
class _State:
    intervals: dict[str, _Interval] = field(default_factory=dict)
    excluded: dict[str, set[float]] = field(default_factory=dict)
    sets: dict[str, set[str]] = field(default_factory=dict)
    not_in: dict[str, set[str]] = field(default_factory=dict)
    opaque: dict[A.Condition, bool] = field(default_factory=dict)


def _satisfiable(term: list[Literal], g: Glossary) -> bool:
    st = _State()
    for atom, pos in term:
        if isinstance(atom, A.Compare | A.DateRange):
            fd = g.fields[atom.field]
            col = fd.column
            iv = st.intervals.setdefault(col, _Interval())
            if fd.type in ("money", "count", "weight", "duration"):
                iv.clip(A.Op.GE, 0)
            elif fd.type == "ratio":
                iv.clip(A.Op.GE, 0)
                iv.clip(A.Op.LE, 1)
            bounds = _bounds(atom)
            if pos:
                for op, v in bounds:
                    iv.clip(op, v)
            elif col not in _NULLABLE and len(bounds) == 1:
                op, v = bounds[0]
                if op is A.Op.EQ:
                    st.excluded.setdefault(col, set()).add(v)
                else:
                    iv.clip(op.negate(), v)
            if iv.empty or (iv.lo == iv.hi and iv.lo in st.excluded.get(col, ())):
                return False
        elif isinstance(atom, A.InSet) and not atom.groups and g.fields[atom.field].type == "enum":
            col = g.fields[atom.field].column
            vals = set(atom.values)
            if pos:
                cur = st.sets.get(col)
                st.sets[col] = vals if cur is None else cur & vals
            else:
                st.not_in.setdefault(col, set()).update(vals)
            allowed = st.sets.get(col)
            if allowed is not None and not (allowed - st.not_in.get(col, set())):
                return False
        else:
            seen = st.opaque.get(atom)
            if seen is not None and seen != pos:
                return False
            st.opaque[atom] = pos
    return True


def _bounds(atom: A.Compare | A.DateRange) -> list[tuple[A.Op, float]]:
    if isinstance(atom, A.DateRange):
        return [(A.Op.GE, day_start_ns(atom.start)), (A.Op.LT, day_start_ns(atom.end) + 86_400 * 10**9)]
    v = atom.value
    if isinstance(v, bool | str):
        return []
    if isinstance(v, int | float):
        return [(atom.op, float(v))]
    lo, hi, neg = day_bounds(atom.op, v)
    if neg:
        return []  # "not that day" is two intervals; too loose to reason about, so no constraint
    return [(op, float(b)) for op, b in ((A.Op.GE, lo), (A.Op.LT, hi)) if b is not None]


class _Budget:
    """Literal checks left for one lint call."""

    def __init__(self, work: int) -> None:
        self.left = work

    def spend(self, n: int) -> None:
        self.left -= n


def satisfiable(c: A.Condition, glossary: Glossary | None = None, budget: _Budget | None = None) -> bool:
    """False only when no order can satisfy ``c`` (unknown shapes count as satisfiable)."""
    g = glossary or default_glossary()
    terms = _dnf(c)
    if terms is None:
        return True
    for t in terms:
        if budget is not None:
            budget.spend(len(t) + 1)
        if _satisfiable(t, g):
            return True
    return False


def _conflicts(a: A.Action, b: A.Action) -> bool:
    kinds = {type(a), type(b)}
    if kinds == {A.Hold, A.Approve}:
        return True
    if isinstance(a, A.UseCarrier) and isinstance(b, A.UseCarrier):
        return a.carrier != b.carrier
    if isinstance(a, A.UseProfile) and isinstance(b, A.UseProfile):
        return a.profile != b.profile
    if isinstance(a, A.SplitPolicy) and isinstance(b, A.SplitPolicy):
        return a.allowed != b.allowed
    pair = {(type(a), getattr(a, "warehouse", None)), (type(b), getattr(b, "warehouse", None))}
    return len({w for _, w in pair}) == 1 and {t for t, _ in pair} == {A.PreferWarehouse, A.ExcludeWarehouse}


def _fields(c: A.Condition, out: set[str]) -> None:
    if isinstance(c, A.Not):
        _fields(c.item, out)
    elif isinstance(c, A.All | A.AnyOf):
        for i in c.items:
            _fields(i, out)
    elif isinstance(c, A.Compare | A.InSet | A.Contains | A.IsTrue | A.DateRange):
        out.add(c.field)


def liveness(rule: A.Rule, g: Glossary, inert: Inert | None = None) -> list[LintWarning]:
    """``no_live_source`` for each field of the rule nothing feeds, ``no_live_effect`` for each
    action that changes nothing."""
    out: list[LintWarning] = []
    names: set[str] = set()
    _fields(rule.guard, names)
    for name in sorted(names):
        spec = g.fields.get(name)
        why = NO_LIVE_SOURCE.get(spec.column) if spec is not None else None
        if spec is None or why is None:
            continue
        zh_name, en_name = (spec.zh[0] if spec.zh else name), (spec.en[0] if spec.en else name)
        out.append(
            LintWarning(
                "no_live_source",
                rule.id,
                f"规则 {rule.id} 用到的「{zh_name}」暂无数据来源（{why[0]}）：接单时总为空，规则不会命中",
                f'rule {rule.id} reads "{en_name}", which has no live source ({why[1]}): '
                "it is empty when orders are decided, so the rule never matches",
            )
        )
    if inert is not None:
        for a in rule.actions:
            found = inert(a)
            if found is not None:
                out.append(
                    LintWarning(
                        "no_live_effect",
                        rule.id,
                        f"规则 {rule.id} 的动作不会生效：{found[0]}",
                        f"rule {rule.id}: an action has no live effect: {found[1]}",
                    )
                )
    return out


def lint_rule(
    rule: A.Rule, glossary: Glossary | None = None, budget: _Budget | None = None, inert: Inert | None = None
) -> list[LintWarning]:
    g = glossary or default_glossary()
    out: list[LintWarning] = []
    if not satisfiable(rule.guard, g, budget):
        out.append(
            LintWarning(
                "never_true",
                rule.id,
                f"规则 {rule.id} 永远不会命中：条件互相矛盾",
                f"rule {rule.id} can never fire: its conditions contradict each other",
            )
        )
        return out  # whatever else is wrong with it, it never fires
    out += liveness(rule, g, inert)
    cond = A.All((rule.scope, rule.condition))
    if not isinstance(rule.condition, A.Always) and not satisfiable(A.Not(cond), g, budget):
        text_zh, text_en = (
            render_condition(rule.condition, "zh", g),
            render_condition(rule.condition, "en", g),
        )
        out.append(
            LintWarning(
                "always_true",
                rule.id,
                f"规则 {rule.id} 的条件「{text_zh}」对所有订单都成立",
                f'rule {rule.id}: the condition "{text_en}" holds for every order',
            )
        )
    return out


TRUNCATED = LintWarning(
    "truncated",
    "",
    f"检查已截断：最多 {MAX_FINDINGS} 条警告、{MAX_WORK} 次检查，其余规则组合未检查",
    f"lint stopped early: at most {MAX_FINDINGS} warnings and {MAX_WORK} checks; "
    "the remaining combinations were not checked",
)


def lint_rules(
    rules: list[A.Rule],
    glossary: Glossary | None = None,
    *,
    work: int = MAX_WORK,
    findings: int = MAX_FINDINGS,
    inert: Inert | None = None,
) -> list[LintWarning]:
    """Warnings for each rule, then for each pair of active rules that contradict each other;
    at most ``findings`` of them and ``work`` literal checks, then :data:`TRUNCATED` last."""
    g = glossary or default_glossary()
    budget = _Budget(work)
    out: list[LintWarning] = []
    for r in rules:
        out.extend(lint_rule(r, g, budget, inert))
        if len(out) >= findings or budget.left <= 0:
            return [*out[:findings], TRUNCATED]
    for r1, r2 in combinations(rules, 2):
        budget.spend(1)
        if budget.left <= 0 or len(out) >= findings:
            return [*out[:findings], TRUNCATED]
        clash = next(((a, b) for a in r1.actions for b in r2.actions if _conflicts(a, b)), None)
        if clash is None or not satisfiable(A.All((r1.guard, r2.guard)), g, budget):
            continue
        out.append(
            LintWarning(
                "contradiction",
                r1.id,
                f"规则 {r1.id} 与 {r2.id} 可能同时命中同一订单，但动作相互矛盾"
                "（按优先级与命中策略只执行其一）",
                f"rules {r1.id} and {r2.id} can match the same order with conflicting actions "
                "(priority and hit policy decide which one runs)",
                other_rule_id=r2.id,
            )
        )
    return out
