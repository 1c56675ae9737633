"""The live rule sets, cached: which rules decide an order, and recording what they did.

Owns :class:`RuleBook`, one per Ordo (``ordo.caches.rulebook``): a snapshot of the active
version and the canary version with its scope, parsed and compiled once. Publishing,
promoting and rolling back in this process call :meth:`RuleBook.invalidate`, so the very
next order sees the change; other processes notice with :meth:`RuleBook.refresh_if_stale`
(one tiny read of ``rule_state.revision``; intake calls it once per batch).

:meth:`RuleBook.active_rules_for` is the pure choice the intake makes per order: the
canary's rules if the order falls in the canary's scope, else the active rules.
:func:`apply_rules` evaluates a batch and records one ``rule_outcomes`` row per order in
the caller's transaction: the evidence :mod:`ordo.service.rules.breaker` watches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar, cast

from ordo.rules.evaluation.canary import Canary
from ordo.rules.evaluation.evaluate import CompiledRuleSet, Evaluation, RuleSet
from ordo.rules.evaluation.outcome import Outcome, outcome_of
from ordo.service.ports import Store, UnitOfWork
from ordo.service.rules.text import ruleset_of

_EMPTY = RuleSet.of([])
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Live:
    """One version as the live path uses it."""

    version: int | None
    rules: RuleSet
    compiled: CompiledRuleSet
    #: The version's discount budget: (most fen given away, within this many seconds); None: none.
    budget: tuple[int, int] | None = None
    #: Who wrote the version (owns the incidents its red flags open).
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    revision: int
    active: Live
    canary: Live | None
    scope: Canary | None

    def choose(self, facts: Mapping[str, Any]) -> tuple[Live, bool]:
        """The version deciding this order, and whether that is the canary."""
        if self.canary is not None and self.scope is not None:
            hit = self.scope.covers(
                str(facts["order_id"]),
                facts.get("province") or "",
                facts.get("city") or "",
                facts.get("district") or "",
            )
            if hit:
                return self.canary, True
        return self.active, False


def _live(uow: UnitOfWork, version: int | None) -> Live:
    if version is None:
        return Live(None, _EMPTY, CompiledRuleSet(_EMPTY))
    row = uow.rules.version(version)
    rules = ruleset_of(row["text"]) if row else _EMPTY
    bounds = (row or {}).get("breaker") or {}
    cap = bounds.get("max_discount_total_fen")
    budget = (int(cap), int(bounds.get("budget_window_s") or 86_400)) if cap is not None else None
    author = str(row["author"]) if row and row.get("author") else None
    return Live(version, rules, CompiledRuleSet(rules), budget, author)


def load_snapshot(uow: UnitOfWork) -> Snapshot:
    state = uow.rules.state()
    canary = state["canary_version"]
    return Snapshot(
        revision=int(state["revision"]),
        active=_live(uow, state["active_version"]),
        canary=_live(uow, canary) if canary is not None else None,
        scope=Canary.from_dict(state["canary"]) if canary is not None else None,
    )


class RuleBook:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        #: What callers derive from a snapshot, by the function that derives it: (snapshot, value).
        self._derived: dict[Callable[[Snapshot], Any], tuple[Snapshot, Any]] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._snapshot = None

    def snapshot(self, uow: UnitOfWork | None = None) -> Snapshot:
        """The cached snapshot, loaded when missing (through ``uow`` when the caller is inside
        one: a second connection inside a SQLite write transaction cannot read)."""
        snap = self._snapshot
        if snap is None:
            if uow is not None:
                snap = load_snapshot(uow)
            else:
                with self._store.uow(read_only=True) as ro:
                    snap = load_snapshot(ro)
            with self._lock:
                self._snapshot = snap
        return snap

    def refresh_if_stale(self, uow: UnitOfWork | None = None) -> Snapshot:
        """Reload when another process changed the rules since the snapshot was taken."""
        snap = self._snapshot
        if snap is not None:
            if uow is not None:
                revision = uow.rules.revision()
            else:
                with self._store.uow(read_only=True) as ro:
                    revision = ro.rules.revision()
            if revision == snap.revision:
                return snap
            self.invalidate()
        return self.snapshot(uow)

    def derived(self, snap: Snapshot, build: Callable[[Snapshot], T]) -> T:
        """``build(snap)``, computed once per snapshot (and again when the snapshot changes)."""
        found = self._derived.get(build)
        if found is not None and found[0] is snap:
            return cast(T, found[1])
        value = build(snap)
        with self._lock:
            self._derived[build] = (snap, value)
        return value

    def active_rules_for(self, order_facts: Mapping[str, Any]) -> RuleSet:
        """The rule set that decides this order: the canary's when the order is in its scope."""
        return self.snapshot().choose(order_facts)[0].rules


@dataclass(frozen=True, slots=True)
class Decision:
    order_id: str
    version: int | None
    canary: bool
    evaluation: Evaluation
    outcome: Outcome
    #: The discount the rules gave was withheld: it would have crossed the version's budget.
    over_budget: bool = False


class _Budgets:
    """What each budgeted version has given away in its window, read once per batch and
    counted up order by order, so the order that would cross the bound gets no discount
    even when the orders before it in the same batch are not recorded yet."""

    def __init__(self, uow: UnitOfWork, now_ns: int) -> None:
        self._uow, self._now = uow, now_ns
        self._spent: dict[int, int] = {}
        self._locked = False

    def allow(self, live: Live, discount: int) -> bool:
        assert live.version is not None and live.budget is not None
        cap, window_s = live.budget
        spent = self._spent.get(live.version)
        if spent is None:
            if not self._locked:
                # Serialise batches that spend a budget (PostgreSQL: concurrent intakes).
                self._uow.rules.state(lock=True)
                self._locked = True
            since = self._now - window_s * 1_000_000_000
            spent = self._uow.rules.outcome_metrics(live.version, since)["discount_fen"]
        if spent + discount > cap:
            self._spent[live.version] = spent
            return False
        self._spent[live.version] = spent + discount
        return True


def apply_rules(
    book: RuleBook,
    uow: UnitOfWork,
    facts: Sequence[Mapping[str, Any]],
    now_ns: int,
    prices: Mapping[str, int] | None = None,
) -> list[Decision]:
    """Evaluate a batch of orders with the live rules and record each outcome (in ``uow``).

    Orders decided by no version (nothing published yet) are evaluated against no rules
    and not recorded. A version with a discount budget (``max_discount_total_fen``) gives
    its discount to the orders within the budget, in batch order, and none to the order
    that would cross it (``Decision.over_budget``). Call once per order (intake):
    ``rule_outcomes`` keys on the order.
    """
    snap = book.refresh_if_stale(uow)
    out: list[Decision] = []
    rows: list[dict[str, Any]] = []
    budgets: _Budgets | None = None
    for f in facts:
        live, canary = snap.choose(f)
        evaluation = live.compiled.evaluate(f)
        outcome = outcome_of(evaluation, f, prices)
        oid = str(f["order_id"])
        over = False
        if live.budget is not None and outcome.discount_fen:
            budgets = budgets or _Budgets(uow, now_ns)
            if not budgets.allow(live, outcome.discount_fen):
                outcome, over = replace(outcome, discount_fen=0), True
        out.append(Decision(oid, live.version, canary, evaluation, outcome, over))
        if live.version is not None:
            rows.append(
                {
                    "order_id": oid,
                    "version": live.version,
                    "canary": canary,
                    "at_ns": now_ns,
                    "held": outcome.held,
                    "discount_fen": outcome.discount_fen,
                    "exception": outcome.incident,
                    "fired": ",".join(evaluation.rule_ids)[:1000],
                    "over_budget": over,
                }
            )
    uow.rules.record_outcomes(rows)
    return out
