"""Incident rules that are SLA timers: "A 超过 N 未 B 则 <playbook>" as a domain ``SlaTimer``.

Owns the one translation from a rule's AST to :class:`ordo.domain.orders.sla.SlaTimer`.
It lives on the rules side because the domain never imports the rule language; the
incident scan runs the timers, not the rules. Pure: no I/O, never the service,
adapters or API.
"""

from __future__ import annotations

from ordo.domain.incidents.incident import Detector
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.sla import SlaTimer
from ordo.rules.language import ast as A

__all__ = ["timer_from_rule"]


def timer_from_rule(rule: A.Rule) -> SlaTimer | None:
    """An incident rule shaped "A 超过 N 未 B 则 <playbook>" as a timer (None if it is not)."""
    if rule.category is not A.Category.INCIDENT or not isinstance(rule.condition, A.All):
        return None
    elapsed = [c for c in rule.condition.items if isinstance(c, A.Elapsed) and c.op in (A.Op.GT, A.Op.GE)]
    missing = [c.item for c in rule.condition.items if isinstance(c, A.Not) and isinstance(c.item, A.Reached)]
    playbooks = [a.step for a in rule.actions if isinstance(a, A.Playbook)]
    if len(elapsed) != 1 or len(missing) != 1 or len(rule.condition.items) != 2 or not playbooks:
        return None
    after, expect = Milestone(elapsed[0].milestone), Milestone(missing[0].milestone)
    detector = Detector.SLA if expect.number > after.number else Detector.MISSING_STEP
    name = f"rule:{rule.id}" if rule.id else f"rule:{after.value}>{expect.value}"
    return SlaTimer(name, after, expect, elapsed[0].seconds, playbooks[0], detector)
