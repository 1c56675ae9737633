"""Backtest triggers: replay the stored customer events, as they stood at the time, and say which
tasks the triggers would have raised. Read-only; the live runner is not involved.

Each customer's events are replayed in time order through the same matcher and judge as live
(:mod:`ordo.service.triggers.judge`), keeping per customer and trigger only the last
:func:`~ordo.domain.triggers.lookback` events it reads. A customer condition
(``客户累计消费 超过 5000元``) is judged on the customer as they stood just before the event
(orders placed and not yet cancelled, spend, returns recorded by then), never on today's figures.
Events are read from a horizon before ``since`` (the longest window, or 30 days for a streak
without one) so a sequence that began before the period is seen whole.
"""

from __future__ import annotations

from collections import Counter, deque
from typing import Any

from ordo.domain.errors import ValidationError
from ordo.domain.triggers import Count, CustomerEvent, Streak
from ordo.service.rules.text import triggers_of
from ordo.service.runtime.app import Ordo
from ordo.service.triggers.judge import Trigger, customer_facts, judge

_NS = 1_000_000_000
#: How far before the period a streak with no window of its own looks back.
STREAK_HORIZON_S = 30 * 86_400
#: The most events one backtest reads.
MAX_EVENTS = 500_000


def _horizon(t: Trigger) -> int:
    p = t.pattern
    if isinstance(p, Count):
        return p.window_s
    if isinstance(p, Streak):
        return p.window_s if p.window_s is not None else STREAK_HORIZON_S
    return 0


def backtest_triggers(
    app: Ordo, text: str, *, since_ns: int, until_ns: int, limit: int = 1000
) -> dict[str, Any]:
    """The tasks the text's triggers would have raised for events in ``[since_ns, until_ns)``."""
    if until_ns <= since_ns:
        raise ValidationError("until", "until must be after since / 结束时间须晚于开始时间")
    triggers = [Trigger.of(r, None) for r in triggers_of(text)]
    if not triggers:
        raise ValidationError("text", "the text has no trigger / 文本中没有事件触发规则")
    start = since_ns - max(_horizon(t) for t in triggers) * _NS
    tasks: list[dict[str, Any]] = []
    by_rule: Counter[str] = Counter()
    with app.store.uow(read_only=True) as uow:
        events = uow.triggers.events_between(start, until_ns, MAX_EVENTS)
        recent: dict[tuple[int, str], deque[CustomerEvent]] = {}
        for ref, event in events:
            for i, t in enumerate(triggers):
                if event.kind not in t.kinds():
                    continue
                seen = recent.setdefault((i, ref), deque(maxlen=t.lookback()))
                seen.append(event)
                if event.at_ns < since_ns or not t.reads(event):
                    continue

                def facts(ref: str = ref, at: int = event.at_ns) -> Any:
                    stats = uow.triggers.stats_at(ref, at)
                    return customer_facts(stats, uow.triggers.tiers([ref]).get(ref), at)

                values = judge(t, ref, event, list(seen), facts, event.at_ns)
                if values is None:
                    continue
                by_rule[t.rule.id] += 1
                if len(tasks) < limit:
                    values["event"] = {
                        "id": event.id,
                        "kind": event.kind,
                        "at_ns": event.at_ns,
                        "channel": event.channel,
                    }
                    tasks.append(values)
    return {
        "since_ns": since_ns,
        "until_ns": until_ns,
        "triggers": [{"id": t.rule.id, "rule": t.rule.source} for t in triggers],
        "events_read": len(events),
        "truncated": len(events) >= MAX_EVENTS,
        "count": sum(by_rule.values()),
        "by_rule": dict(by_rule),
        "tasks": tasks,
    }
