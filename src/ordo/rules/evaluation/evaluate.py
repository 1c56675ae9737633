"""Rule sets: evaluation order, priority and hit policy, and evaluating one order.

Owns the one plan both evaluators follow (this module for one order, the Polars
compiler for a table): categories in a fixed order (guard → review → pricing →
routing → incident → notify); inside a category, higher priority first, then the order
the rules were written; then the category's hit policy:

* ``first``   – only the first matching rule fires (review, routing by default);
* ``all``     – every matching rule fires in order (guard, pricing, incident);
* ``collect`` – every matching rule fires, duplicate actions merged (notify / tag).

Pricing stacking: a price promotion (满减 or 折扣) that is not marked 叠加 is exclusive:
only the first exclusive one fires; stackable ones, gifts and freight always fire.
It never does I/O and never imports Polars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ordo.rules.evaluation.compile_py import Facts, Predicate, compile_rule
from ordo.rules.evaluation.compile_set import compile_plan
from ordo.rules.language import ast as A
from ordo.rules.language.glossary import Glossary, Lang, default_glossary

DEFAULT_POLICIES: Mapping[A.Category, A.HitPolicy] = {
    A.Category.GUARD: A.HitPolicy.ALL,
    A.Category.REVIEW: A.HitPolicy.FIRST,
    A.Category.PRICING: A.HitPolicy.ALL,
    A.Category.ROUTING: A.HitPolicy.FIRST,
    A.Category.INCIDENT: A.HitPolicy.ALL,
    A.Category.NOTIFY: A.HitPolicy.COLLECT,
    A.Category.TRIGGER: A.HitPolicy.COLLECT,
}
_CATEGORY_LABEL = {
    A.Category.GUARD: ("守护", "guard"),
    A.Category.REVIEW: ("审单", "review"),
    A.Category.PRICING: ("促销/运费/赠品", "pricing / freight / gift"),
    A.Category.ROUTING: ("路由", "routing"),
    A.Category.INCIDENT: ("异常", "exception"),
    A.Category.NOTIFY: ("通知/标记", "notify / tag"),
    A.Category.TRIGGER: ("事件触发", "event triggers"),
}
_POLICY_LABEL = {
    A.HitPolicy.FIRST: ("首条命中", "first hit"),
    A.HitPolicy.ALL: ("全部命中依次执行", "all hits, in order"),
    A.HitPolicy.COLLECT: ("全部命中合并去重", "all hits, merged"),
}


def exclusive_promotion(rule: A.Rule) -> bool:
    return any(isinstance(a, A.ThresholdOff | A.Discount) and not a.stackable for a in rule.actions)


@dataclass(frozen=True, slots=True)
class Step:
    """One rule in evaluation order; rules sharing a ``group`` fire at most once between them."""

    rule: A.Rule
    group: str | None


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[A.Rule, ...]
    policies: Mapping[A.Category, A.HitPolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))

    @classmethod
    def of(cls, rules: Sequence[A.Rule], policies: Mapping[A.Category, A.HitPolicy] | None = None) -> RuleSet:
        """A rule set; rules without an id get ``r1``, ``r2`` … by position. Ids must be unique."""
        named = tuple(r if r.id else replace(r, id=f"r{i}") for i, r in enumerate(rules, start=1))
        ids = [r.id for r in named]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate rule ids: {sorted({i for i in ids if ids.count(i) > 1})}")
        return cls(named, {**DEFAULT_POLICIES, **(policies or {})})

    def plan(self) -> list[Step]:
        position = {r.id: i for i, r in enumerate(self.rules)}
        order = list(A.Category)
        ranked = sorted(self.rules, key=lambda r: (order.index(r.category), -r.priority, position[r.id]))
        steps = []
        for r in ranked:
            policy = self.policies[r.category]
            group: str | None = None
            if policy is A.HitPolicy.FIRST:
                group = r.category.value
            elif r.category is A.Category.PRICING and exclusive_promotion(r):
                group = "pricing-exclusive"
            steps.append(Step(r, group))
        return steps

    def explain(self, lang: Lang = "zh", glossary: Glossary | None = None) -> str:
        """The evaluation order as the user sees it: categories, hit policies, rules."""
        from ordo.rules.language.render import render_rule

        i = 0 if lang == "zh" else 1
        lines: list[str] = []
        current: A.Category | None = None
        for n, step in enumerate(self.plan(), start=1):
            r = step.rule
            if r.category != current:
                current = r.category
                head = _CATEGORY_LABEL[current][i]
                pol = _POLICY_LABEL[self.policies[current]][i]
                lines.append(f"[{head}] {'命中策略' if lang == 'zh' else 'hit policy'}: {pol}")
            prio = f"{'优先级' if lang == 'zh' else 'priority'} {r.priority}"
            excl = ""
            if step.group == "pricing-exclusive":
                excl = " (不叠加)" if lang == "zh" else " (exclusive)"
            lines.append(f"  {n}. {r.id} · {prio}{excl} · {render_rule(r, lang, glossary)}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Fired:
    rule_id: str
    category: A.Category
    actions: tuple[A.Action, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    fired: tuple[Fired, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(f.rule_id for f in self.fired)

    @property
    def actions(self) -> tuple[A.Action, ...]:
        """All actions of the fired rules, in order; a ``collect`` category's duplicates dropped."""
        out: list[A.Action] = []
        for f in self.fired:
            out.extend(f.actions)
        return tuple(out)


class CompiledRuleSet:
    """A rule set compiled to one generated function (:mod:`ordo.rules.evaluation.compile_set`), ready
    for one order at a time; the per-rule closures stay for ``matches`` and explanations."""

    def __init__(self, ruleset: RuleSet, glossary: Glossary | None = None) -> None:
        g = glossary or default_glossary()
        self.ruleset = ruleset
        self.steps = ruleset.plan()
        self._glossary = g
        self._preds_cache: list[Predicate] | None = None
        self._run = compile_plan([s.rule.guard for s in self.steps], [s.group for s in self.steps], g)
        collect = [ruleset.policies[s.rule.category] is A.HitPolicy.COLLECT for s in self.steps]
        self._collect = collect
        self._fired = [Fired(s.rule.id, s.rule.category, s.rule.actions) for s in self.steps]
        # A collect rule needs merging only if another collect rule shares one of its actions.
        owners: dict[A.Action, set[int]] = {}
        for i, s in enumerate(self.steps):
            if collect[i]:
                for a in s.rule.actions:
                    owners.setdefault(a, set()).add(i)
        self._merge = frozenset(i for ids in owners.values() if len(ids) > 1 for i in ids)

    @property
    def _preds(self) -> list[Predicate]:
        if self._preds_cache is None:
            self._preds_cache = [compile_rule(s.rule, self._glossary) for s in self.steps]
        return self._preds_cache

    def matches(self, facts: Facts) -> list[bool]:
        """Which rules match, before the hit policy (for explanations and backtests)."""
        return [p(facts) for p in self._preds]

    def evaluate(self, facts: Facts) -> Evaluation:
        try:
            hits = self._run(facts)
        except KeyError:
            # Facts without every column: rule by rule, reading only what each one needs.
            return self._evaluate_each(facts)
        if not hits:
            return _NOTHING
        merge = self._merge
        if merge.isdisjoint(hits):
            fired = self._fired
            return Evaluation(tuple([fired[i] for i in hits]))
        out: list[Fired] = []
        seen: set[A.Action] = set()  # merged over the collect categories (notify / tag by default)
        for i in hits:
            f = self._fired[i]
            if self._collect[i]:
                actions = tuple([a for a in f.actions if a not in seen])
                seen.update(actions)
                f = Fired(f.rule_id, f.category, actions)
            out.append(f)
        return Evaluation(tuple(out))

    def _evaluate_each(self, facts: Facts) -> Evaluation:
        taken: set[str] = set()
        out: list[Fired] = []
        seen: set[A.Action] = set()
        for step, pred, collect in zip(self.steps, self._preds, self._collect, strict=True):
            # A rule whose group already fired cannot fire, so it is not even evaluated.
            if step.group is not None and step.group in taken:
                continue
            if not pred(facts):
                continue
            if step.group is not None:
                taken.add(step.group)
            r = step.rule
            actions = r.actions
            if collect:
                actions = tuple([a for a in actions if a not in seen])
                seen.update(actions)
            out.append(Fired(r.id, r.category, actions))
        return Evaluation(tuple(out))


_NOTHING = Evaluation(())
