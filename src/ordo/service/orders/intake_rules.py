"""The live rules at intake: what they do to each order before it is routed.

Owns turning the rule outcomes of a batch (evaluated and recorded by
:func:`ordo.service.rules.rulebook.apply_rules`, canary-aware) into changes of the orders:

* review rules hold the order with the rule's reason (``review:<reason>``), unrouted;
* a merge-window rule (合单) holds it, unrouted, until the window ends
  (``merge_window:<until>``; never a sealed order), for ``service.orders.merge_window``;
* pricing / freight / gift rules change the amounts in integer fen (a discount never
  above the goods, freight never below zero) and add gift lines (unit price 0) for
  gift SKUs the catalogue knows;
* notify / tag rules add tags; routing rules become the router's ``Directives``;
* red flags open incidents, freezes take permissions and notifications are queued
  (:mod:`ordo.service.rules.actions`, in the same unit of work; delivery is a background duty).

It does no I/O of its own beyond the caller's unit of work, and nothing when no rule
version is live (the common case of a fresh install costs one tiny read per batch).
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from ordo.domain.orders.consolidation import SEALING_TAGS
from ordo.domain.orders.holds import merge_hold, review_hold
from ordo.domain.orders.model import Customer, Line, LineFlag, Order, Sku
from ordo.domain.orders.validation import MAX_TAGS
from ordo.domain.routing import Directives
from ordo.rules.evaluation.directives import directives_from_fired
from ordo.rules.evaluation.evaluate import Fired, RuleSet
from ordo.rules.evaluation.facts import CustomerStats, build_facts
from ordo.rules.evaluation.outcome import gift_units
from ordo.rules.language import ast as A
from ordo.service.customers.value import history_stats
from ordo.service.ports import UnitOfWork
from ordo.service.routing.snapshots import FiredRule
from ordo.service.rules import actions
from ordo.service.rules.rulebook import Decision, RuleBook, Snapshot, apply_rules

#: The rule glossary's names of weight profiles that the router knows by another name
#: (``权重方案 大促`` reads as ``promo``; the router's profile is ``big_promo``).
PROFILE_ALIASES = {"promo": "big_promo"}
_GIFT = frozenset({LineFlag.GIFT.value})
_CUSTOMER_COLUMNS = frozenset({"customer_tier", "customer_blacklisted"})
#: Columns read from the customer's running statistics (``customer_stats``).
_STATS_COLUMNS = frozenset(
    {
        "customer_ltv_fen", "customer_return_rate", "customer_order_count", "customer_first_order",
        "customer_recency_days", "customer_rfm_r", "customer_rfm_f", "customer_rfm_m", "customer_segment",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Ruled:
    """One order after the rules: changed as they say, and what fired."""

    order: Order
    hold: str | None
    directives: Directives
    fired: tuple[FiredRule, ...]
    version: int | None
    #: What the rules changed, for the order's event (None: nothing).
    changes: dict[str, Any] | None


def live(snap: Snapshot) -> bool:
    return snap.active.version is not None or snap.canary is not None


class _PerSnapshot:
    """What intake works out once per live rule set: which columns it reads, how its rules are
    named. Kept by the rule book beside the snapshot it was built from
    (:meth:`RuleBook.derived`)."""

    def __init__(self, snap: Snapshot) -> None:
        from ordo.service.rules.backtest import referenced_columns  # Polars: imported only with rules

        sets: list[RuleSet] = [snap.active.rules] + ([snap.canary.rules] if snap.canary else [])
        self.snap = snap
        self.needs_customer = bool(referenced_columns(sets) & _CUSTOMER_COLUMNS)
        self.needs_stats = bool(referenced_columns(sets) & _STATS_COLUMNS)
        #: A rule reads 预测库存风险: intake reads the kept forecast of the batch's SKUs.
        self.needs_forecast = "predicted_stock_risk" in referenced_columns(sets)
        #: What a combination of fired rules means for routing, gifts and naming, by (version,
        #: rule ids in firing order): the same few combinations fire again and again.
        self.effects: dict[tuple[int | None, tuple[str, ...]], _Effects] = {}
        self.names: dict[tuple[int | None, str], FiredRule] = {}
        for lv in (snap.active, snap.canary):
            if lv is not None:
                for r in lv.rules.rules:
                    self.names[(lv.version, r.id)] = FiredRule(
                        r.id, (r.source or r.id)[:200], r.category.value
                    )


def apply_at_intake(
    book: RuleBook,
    uow: UnitOfWork,
    orders: Sequence[Order],
    now_ns: int,
    skus: Mapping[str, Sku],
    prices: Mapping[str, int],
) -> list[Ruled] | None:
    """The rules' effect on each order (in order), recorded in ``uow``; None when no rules are live."""
    snap = book.refresh_if_stale(uow)
    if not live(snap):
        return None
    known = book.derived(snap, _PerSnapshot)  # kept by the rule book, per snapshot
    customers: Mapping[str, Customer] = {}
    if known.needs_customer:
        customers = uow.catalog.customers([o.customer_ref for o in orders])
    stats = customer_stats(uow, orders) if known.needs_stats else [None] * len(orders)
    risk = stock_risk(uow, orders) if known.needs_forecast else [None] * len(orders)
    facts = [
        build_facts(
            o, now_ns=now_ns, customer=customers.get(o.customer_ref), stats=s, catalog=skus, signals=r
        )
        for o, s, r in zip(orders, stats, risk, strict=True)
    ]
    decisions = apply_rules(book, uow, facts, now_ns, prices)
    if actions.wanted(decisions):
        names = {key: fired.name for key, fired in known.names.items()}
        authors = {lv.version: lv.author for lv in (snap.active, snap.canary) if lv is not None and lv.author}
        actions.act(uow, orders, decisions, names, authors, now_ns)
    return [
        _ruled(o, d, f["goods_amount_fen"], skus, known, now_ns)
        for o, d, f in zip(orders, decisions, facts, strict=True)
    ]


def stock_risk(uow: UnitOfWork, orders: Sequence[Order]) -> list[dict[str, float] | None]:
    """Each order's 预测库存风险 from the last kept forecast (``ordo forecast refresh``): the
    highest network-wide ratio of its SKUs (the rules run before routing picks a warehouse);
    None when none of its SKUs was forecast."""
    ratios = uow.forecast.sku_ratios({ln.sku for o in orders for ln in o.lines})
    out: list[dict[str, float] | None] = []
    for o in orders:
        known = [ratios[ln.sku] for ln in o.lines if ln.sku in ratios]
        out.append({"predicted_stock_risk": max(known)} if known else None)
    return out


def customer_stats(uow: UnitOfWork, orders: Sequence[Order]) -> list[CustomerStats]:
    """Each order's customer as its history stands before the order, with its recency, RFM
    scores and value group (:func:`ordo.service.customers.value.history_stats`)."""
    return history_stats(uow, orders)


_ROUTING_ACTIONS = frozenset(k for k, c in A.ACTION_CATEGORY.items() if c is A.Category.ROUTING)
_NO_DIRECTIVES = Directives()
T = TypeVar("T")


@functools.lru_cache(maxsize=64)
def _field_access(kind: type) -> tuple[Callable[[Any], tuple[Any, ...]], Mapping[str, int]] | None:
    """A getter of a frozen dataclass's init fields (in order) and each field's position;
    None when it cannot be built positionally."""
    fields = [f for f in dataclasses.fields(kind) if f.init]
    if any(f.kw_only for f in fields) or len(fields) < 2:
        return None
    names = [f.name for f in fields]
    return operator.attrgetter(*names), MappingProxyType({n: i for i, n in enumerate(names)})


def with_values(obj: T, values: Mapping[str, Any]) -> T:
    """``dataclasses.replace`` at a third of its cost, for the frozen values intake copies per
    order (orders, addresses): every init field is passed, positionally, so none can be forgotten."""
    kind = type(obj)
    found = _field_access(kind)  # type: ignore[arg-type]  # a class is hashable; mypy cannot see it for type[T]
    if found is None:
        return dataclasses.replace(obj, **values)  # type: ignore[type-var]
    getter, position = found
    args = list(getter(obj))
    for name, value in values.items():
        args[position[name]] = value
    return kind(*args)


@dataclass(frozen=True, slots=True)
class _Effects:
    directives: Directives
    gifts: tuple[A.Gift, ...]
    rules: tuple[FiredRule, ...]


def _effects(fired: Sequence[Fired], version: int | None, known: _PerSnapshot) -> _Effects:
    """The order-independent part of what these fired rules do, worked out once per combination."""
    key = (version, tuple([f.rule_id for f in fired]))
    found = known.effects.get(key)
    if found is not None:
        return found
    routing = False
    gifts: list[A.Gift] = []
    for f in fired:
        for a in f.actions:
            kind = type(a)
            if kind in _ROUTING_ACTIONS:
                routing = True
            elif kind is A.Gift:
                gifts.append(a)  # type: ignore[arg-type]
    directives = _NO_DIRECTIVES
    if routing:
        directives = directives_from_fired((f.rule_id, f.actions) for f in fired)
        if directives.profile in PROFILE_ALIASES:
            directives = dataclasses.replace(directives, profile=PROFILE_ALIASES[directives.profile])
    names = known.names
    rules = tuple(
        names.get((version, f.rule_id)) or FiredRule(f.rule_id, f.rule_id, f.category.value) for f in fired
    )
    if len(known.effects) >= 4096:
        known.effects.clear()
    found = known.effects[key] = _Effects(directives, tuple(gifts), rules)
    return found


def _ruled(
    order: Order, d: Decision, goods: int, skus: Mapping[str, Sku], known: _PerSnapshot, now_ns: int
) -> Ruled:
    fired = d.evaluation.fired
    if not fired:
        return Ruled(order, None, _NO_DIRECTIVES, (), d.version, None)
    effects = _effects(fired, d.version, known)
    out = d.outcome
    changes: dict[str, Any] = {}
    values: dict[str, Any] = {}
    if out.discount_fen:
        discount = min(goods, order.discount_fen + out.discount_fen)
        values["discount_fen"] = discount
        changes["discount_fen"] = discount - order.discount_fen
    if out.freight_off_fen:
        values["freight_fen"] = order.freight_fen - out.freight_off_fen
        changes["freight_off_fen"] = out.freight_off_fen
    if effects.gifts:
        gifts = [
            Line(a.sku, units, 0, _GIFT)
            for a in effects.gifts
            if a.sku in skus and (units := gift_units(a, goods)) > 0
        ]
        if gifts:
            values["lines"] = (*order.lines, *gifts)
            changes["gifts"] = [[g.sku, g.quantity] for g in gifts]
    if out.tags:
        new = [t for t in out.tags.split(",") if t and t not in order.tags]
        if new:
            values["tags"] = (*order.tags, *new)[:MAX_TAGS]
            changes["tags"] = new
    if values:
        order = with_values(order, values)
    hold = review_hold(out.hold_reason) if out.held else None
    window = effects.directives.merge_window_s
    if hold is None and window is not None and SEALING_TAGS.isdisjoint(order.tags):
        hold = merge_hold(now_ns + window * 1_000_000_000)
    return Ruled(order, hold, effects.directives, effects.rules, d.version, changes or None)
