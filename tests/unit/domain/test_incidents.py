"""Incident lifecycle, SLA timers as data, closure metrics: pure rules, no store."""

from __future__ import annotations

import pytest

from ordo.domain.incidents.incident import (
    Closed,
    IncidentState,
    IncidentStateError,
    check_transition,
    closure_metrics,
)
from ordo.domain.incidents.playbooks import PLAYBOOKS, Step, human_priority, playbook
from ordo.domain.orders.sla import DEFAULT_TIMERS, breached, next_due, timers_for

S = IncidentState
NS = 1_000_000_000


def test_an_open_incident_may_be_acknowledged_then_resolved_but_nothing_follows_a_close():
    check_transition(S.OPEN, S.ACKNOWLEDGED)
    check_transition(S.ACKNOWLEDGED, S.RESOLVED)
    for closed in (S.AUTO_RESOLVED, S.RESOLVED, S.DISMISSED):
        with pytest.raises(IncidentStateError) as err:
            check_transition(closed, S.ACKNOWLEDGED)
        assert err.value.http_status == 409 and "/" in err.value.message


def test_the_most_specific_timer_wins_per_channel_and_tier():
    douyin = {t.name: t.seconds for t in timers_for(DEFAULT_TIMERS, "douyin", "regular")}
    tmall_diamond = {t.name: t.seconds for t in timers_for(DEFAULT_TIMERS, "tmall", "diamond")}
    assert douyin["stock_lock"] == 300 and tmall_diamond["stock_lock"] == 600
    assert tmall_diamond["review"] == 1800 and douyin["review"] == 7200


def test_a_paid_order_without_a_stock_lock_breaches_after_ten_minutes_unless_held():
    timers = timers_for(DEFAULT_TIMERS, "tmall", "regular")
    steps = {"created": 0, "paid": 0}
    assert next_due(timers, steps, (), held=False) == 600 * NS
    assert breached(timers, steps, (), held=False, now_ns=599 * NS) == []
    assert [t.name for t in breached(timers, steps, (), held=False, now_ns=600 * NS)] == ["stock_lock"]
    assert breached(timers, steps, (), held=True, now_ns=10**15) == []
    assert breached(timers, steps, ("stock_lock",), held=False, now_ns=601 * NS) == []


def test_a_later_milestone_clears_a_forward_timer_but_not_a_missing_step():
    timers = timers_for(DEFAULT_TIMERS, "tmall", "regular")
    moved_on = {"paid": 0, "routed": 1}
    assert "stock_lock" not in {t.name for t in breached(timers, moved_on, (), False, 10**13)}
    shipped = {"paid": 0, "stock_locked": 0, "reviewed": 0, "outbound": 0, "collected": 1}
    assert "waybill" in {t.name for t in breached(timers, shipped, (), False, 10**13)}


def test_playbooks_are_data_and_important_customers_jump_the_queue():
    assert PLAYBOOKS["retry_stock_lock"].steps == (Step.RETRY_STOCK_LOCK,)
    assert playbook("escalate").steps == (Step.NOTIFY_OPS,)
    book = PLAYBOOKS["address"]
    assert human_priority(book, "diamond") == book.priority - 1
    assert human_priority(PLAYBOOKS["cold_chain"], "diamond") == 1


def test_closure_metrics_count_auto_closures_and_dismissals_per_detector():
    closed = [
        Closed("sla", S.AUTO_RESOLVED, 0, 60 * NS),
        Closed("sla", S.AUTO_RESOLVED, 0, 120 * NS),
        Closed("cold_chain", S.RESOLVED, 0, 600 * NS),
        Closed("cold_chain", S.DISMISSED, 0, 300 * NS),
    ]
    m = closure_metrics(closed, {"address": 2})
    assert (m["auto_closure_rate"], m["alert_precision"], m["open"]) == (0.5, 0.75, 2)
    assert m["by_detector"]["cold_chain"]["alert_precision"] == 0.5
    assert (
        m["by_detector"]["address"]["closed"] == 0
        and m["by_detector"]["address"]["auto_closure_rate"] is None
    )
