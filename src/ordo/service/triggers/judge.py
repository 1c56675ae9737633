"""One trigger judged on one customer event: the sequence (the domain's matcher), then the
customer condition, then the task it raises. Shared by the live runner and the backtest, so
both raise the same task for the same occurrence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ordo.domain.customers.value import profile
from ordo.domain.triggers import CustomerEvent, fires, kind_label, kinds_of, lookback
from ordo.domain.triggers.matcher import counts
from ordo.rules.evaluation.compile_py import Predicate, compile_condition
from ordo.rules.language import ast as A
from ordo.rules.language.render import render_rule
from ordo.service.customers.value import default_model
from ordo.service.ports import StatsRow

_NS = 1_000_000_000


class _Unknown(dict[str, Any]):
    """Customer facts: a field the store does not keep for triggers reads as unknown (None),
    and an unknown value never satisfies a comparison."""

    def __missing__(self, key: str) -> None:
        return None


def customer_facts(stats: StatsRow | None, tier: str | None, at_ns: int) -> Mapping[str, Any]:
    """What a trigger's condition may read of the customer (the ``customer.*`` fields), with
    their value group, recency and RFM scores judged at ``at_ns`` (the event)."""
    orders = stats.orders if stats else 0
    returns = stats.returns if stats else 0
    spend = stats.spend_fen if stats else 0
    value = profile(
        default_model(),
        orders=orders,
        spend_fen=spend,
        returns=returns,
        last_order_at_ns=stats.last_order_at_ns if stats else None,
        at_ns=at_ns,
    )
    return _Unknown(
        customer_tier=tier,
        customer_ltv_fen=spend,
        customer_order_count=orders,
        customer_first_order=orders == 0,
        customer_return_rate=min(1.0, returns / orders) if orders > 0 else None,
        customer_recency_days=value.recency_days,
        customer_rfm_r=value.scores.r,
        customer_rfm_f=value.scores.f,
        customer_rfm_m=value.scores.m,
        customer_segment=value.segment,
    )


@dataclass(frozen=True, slots=True)
class Trigger:
    """A live trigger: its rule, the version it came from, and the compiled customer condition."""

    rule: A.Rule
    version: int | None
    fingerprint: str
    condition: Predicate

    @classmethod
    def of(cls, rule: A.Rule, version: int | None) -> Trigger:
        canonical = render_rule(rule, "zh")
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        return cls(rule, version, digest, compile_condition(rule.condition))

    @property
    def pattern(self) -> A.Pattern:
        assert self.rule.trigger is not None
        return self.rule.trigger

    @property
    def task(self) -> A.CreateTask:
        return next(a for a in self.rule.actions if isinstance(a, A.CreateTask))

    def reads(self, event: CustomerEvent) -> bool:
        return counts(self.pattern, event)

    def kinds(self) -> frozenset[str]:
        return kinds_of(self.pattern)

    def lookback(self) -> int:
        return lookback(self.pattern)


def judge(
    t: Trigger,
    customer_ref: str,
    event: CustomerEvent,
    history: list[CustomerEvent],
    facts: Callable[[], Mapping[str, Any]],
    now_ns: int,
) -> dict[str, Any] | None:
    """The task ``t`` raises on ``event`` (values for the store), or None if it does not fire."""
    if not fires(t.pattern, history, event):
        return None
    if not isinstance(t.rule.condition, A.Always) and not t.condition(facts()):
        return None
    task = t.task
    return {
        "dedupe_key": f"{t.fingerprint}:{customer_ref}:{event.id}"[:160],
        "rule_version": t.version,
        "rule_id": t.rule.id,
        "rule_source": render_rule(t.rule, "zh"),
        "customer_ref": customer_ref,
        "order_id": event.order_id,
        "role": task.role,
        "assignee": task.user,
        "title": task.title or _title(t, customer_ref),
        "status": "open",
        "due_at_ns": now_ns + task.due_s * _NS,
        "created_at_ns": now_ns,
    }


def _title(t: Trigger, customer_ref: str) -> str:
    p = t.pattern
    zh, en = kind_label(p.kind, "zh"), kind_label(p.kind, "en")
    if isinstance(p, A.Count):
        return f"客户 {customer_ref} 近期{zh} {p.at_least} 次 / customer {customer_ref}: {p.at_least} × {en}"
    if isinstance(p, A.Streak):
        return f"客户 {customer_ref} 连续 {p.times} 次{zh} / customer {customer_ref}: {p.times} {en} in a row"
    return f"客户 {customer_ref}：{zh} / customer {customer_ref}: {en}"
