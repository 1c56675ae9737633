"""Incident rules shaped "A 超过 N 未 B 则 <playbook>" become the domain's SLA timers."""

from __future__ import annotations

from ordo.domain.incidents.incident import Detector
from ordo.domain.orders.milestones import Milestone
from ordo.rules import parse_rule
from ordo.rules.evaluation.sla import timer_from_rule


def test_an_incident_rule_sentence_becomes_a_timer():
    rule = parse_rule("已支付 超过 10分钟 未 库存锁定 则 重试锁库 并 通知 运营")
    timer = timer_from_rule(rule)
    assert timer is not None
    assert (timer.after, timer.expect, timer.seconds, timer.playbook) == (
        Milestone.PAID, Milestone.STOCK_LOCKED, 600, "retry_stock_lock",
    )  # fmt: skip
    assert timer_from_rule(parse_rule("如果 订单来自上海 则 运费减免5元")) is None


def test_a_rule_about_a_step_before_the_one_it_waits_on_is_a_missing_step_check():
    timer = timer_from_rule(parse_rule("已出库 超过 30分钟 未 面单已出 则 重推面单"))
    assert timer is not None and timer.detector is Detector.MISSING_STEP
