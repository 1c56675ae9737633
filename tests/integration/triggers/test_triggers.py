"""Event-stream triggers on the live outbox: published like any rule, they raise one task per
occurrence for a role with a due time from the injected clock; tasks are assigned and closed;
a backtest over the stored customer events names the same tasks. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest

from ordo.clock import ManualClock
from ordo.domain.access import Role
from ordo.domain.errors import Conflict, ValidationError
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Order
from ordo.service.incidents.scan import scan
from ordo.service.insight.intents import tag_message
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from ordo.service.ports import HistoryFilter
from ordo.service.rules.backtest import backtest_draft
from ordo.service.rules.versions import Actor, create_draft
from ordo.service.runtime.app import Ordo
from ordo.service.triggers import assign_task, backtest_triggers, catch_up, close_task, list_tasks
from tests.conftest import new_order
from tests.integration.service.routing_helpers import go_live

HOUR_NS = 3_600 * 1_000_000_000
AUTHOR = Actor("alice", Role.OPS)
RETURNS = "30天内退货2次则创建任务交给客服期限2小时"
INQUIRIES = "如果 连续3次 在抖音 咨询 未下单 则 创建任务 交给 销售 期限 1天"
LATE_VIP = '如果 订单延迟 且 客户累计消费 超过 200元 则 创建任务 交给 客服 期限 2小时 "高价值客户订单延迟"'


def _order(external_id: str, ref: str, channel: str = "tmall") -> Order:
    return dataclasses.replace(new_order(external_id, [("SKU-TEA", 1)], channel=channel), customer_ref=ref)


def _return(app: Ordo, order_id: str | None, clock: ManualClock) -> None:
    assert order_id is not None
    M = Milestone
    for step in (M.RELEASED_TO_WAREHOUSE, M.OUTBOUND, M.DELIVERED, M.RETURN_REQUESTED, M.RETURNED):
        clock.advance(60)
        [res] = advance(app, [MilestoneUpdate(order_id, step, clock.now_ns(), "wms")])
        assert res.error is None, res.error


def test_a_second_return_within_thirty_days_raises_one_task_for_service(
    shop: Ordo, clock: ManualClock
) -> None:
    go_live(shop, RETURNS)
    a1, a2, a3 = intake(shop, [_order("R-1", "ALICE"), _order("R-2", "ALICE"), _order("R-3", "ALICE")])
    _return(shop, a1.order_id, clock)
    catch_up(shop)
    assert list_tasks(shop) == []  # one return: nothing yet
    _return(shop, a2.order_id, clock)
    catch_up(shop)
    [task] = list_tasks(shop)
    assert task["customer_ref"] == "ALICE" and task["role"] == "customer_service"
    assert task["order_id"] == a2.order_id
    assert task["due_at_ns"] == clock.now_ns() + 2 * HOUR_NS
    assert task["status_label"] == {"zh": "待处理", "en": "open"}
    # Read again, and a third return in the same window: the same occurrence, no new task.
    catch_up(shop)
    _return(shop, a3.order_id, clock)
    catch_up(shop)
    assert len(list_tasks(shop, status=None)) == 1


def test_three_inquiries_on_douyin_without_an_order_raise_a_sales_task(
    shop: Ordo, clock: ManualClock
) -> None:
    go_live(shop, INQUIRIES)
    for text in ("请问这款茶叶有没有礼盒装？", "这个杯子是陶瓷的吗"):
        clock.advance(600)
        tag_message(shop, text, customer_ref="BOB", channel="douyin")
    clock.advance(600)
    tag_message(shop, "有没有优惠", customer_ref="BOB", channel="tmall")  # another channel: not counted
    catch_up(shop)
    assert list_tasks(shop) == []
    clock.advance(600)
    found = tag_message(shop, "你好，想问下龙井是今年的新茶吗", customer_ref="BOB", channel="douyin")
    assert found["intent"] == "咨询" and found["customer_ref"] == "BOB"
    catch_up(shop)
    [task] = list_tasks(shop, role="sales")
    assert task["customer_ref"] == "BOB" and task["due_at_ns"] == clock.now_ns() + 24 * HOUR_NS
    # An order breaks the streak: three more inquiries are a new occurrence, not before.
    intake(shop, [_order("B-1", "BOB", "douyin")])
    for n in range(3):
        clock.advance(600)
        tag_message(shop, "请问这款茶叶有没有礼盒装？", customer_ref="BOB", channel="douyin")
        catch_up(shop)
        assert len(list_tasks(shop, role="sales")) == (2 if n == 2 else 1)


def test_a_late_order_of_a_high_value_customer_raises_a_task_and_of_others_none(
    shop: Ordo, clock: ManualClock
) -> None:
    go_live(shop, LATE_VIP)
    intake(shop, [_order("V-0", "CAROL")])  # 128 spent before her late order: above 200 with it
    clock.advance(60)
    late = intake(shop, [_order("V-1", "CAROL"), _order("D-1", "DAVE")])
    clock.advance(60)
    for o in late:
        assert o.order_id is not None
        [res] = advance(
            shop, [MilestoneUpdate(o.order_id, Milestone.RELEASED_TO_WAREHOUSE, clock.now_ns(), "wms")]
        )
        assert res.error is None
    scan(shop)  # the pick timer starts …
    clock.advance(4 * HOUR_NS // 1_000_000_000)
    scan(shop)  # … and is breached (3 hours): an SLA incident on each order
    catch_up(shop)
    tasks = list_tasks(shop)
    assert {t["customer_ref"] for t in tasks} == {"CAROL"}
    assert {t["order_id"] for t in tasks} <= {o.order_id for o in late} | {None}
    assert all(t["title"] == "高价值客户订单延迟" for t in tasks)


def test_tasks_are_assigned_and_closed_once(shop: Ordo, clock: ManualClock) -> None:
    go_live(shop, RETURNS)
    a1, a2 = intake(shop, [_order("T-1", "ERIN"), _order("T-2", "ERIN")])
    _return(shop, a1.order_id, clock)
    _return(shop, a2.order_id, clock)
    catch_up(shop)
    [task] = list_tasks(shop)
    assert assign_task(shop, task["id"], "li.lei", by="api:ops")["assignee"] == "li.lei"
    assert list_tasks(shop, assignee="li.lei")[0]["id"] == task["id"]
    clock.advance(60)
    closed = close_task(shop, task["id"], by="api:ops", note="回访完成")
    assert closed["status"] == "closed" and closed["closed_at_ns"] == clock.now_ns()
    assert list_tasks(shop) == [] and len(list_tasks(shop, status="closed")) == 1
    with pytest.raises(Conflict):
        close_task(shop, task["id"], by="api:ops")
    with pytest.raises(ValidationError):
        list_tasks(shop, status="maybe")


def test_a_backtest_names_the_tasks_the_trigger_would_have_raised(shop: Ordo, clock: ManualClock) -> None:
    # History first, with no trigger live: the runner keeps the events and raises nothing.
    start = clock.now_ns()
    a1, a2 = intake(shop, [_order("H-1", "FRANK"), _order("H-2", "FRANK")])
    [b1] = intake(shop, [_order("H-3", "GRACE")])
    _return(shop, a1.order_id, clock)
    _return(shop, b1.order_id, clock)
    _return(shop, a2.order_id, clock)
    catch_up(shop)
    assert list_tasks(shop, status=None) == []
    out = backtest_triggers(shop, RETURNS, since_ns=start, until_ns=clock.now_ns() + 1)
    assert out["count"] == 1
    [task] = out["tasks"]
    assert task["customer_ref"] == "FRANK" and task["order_id"] == a2.order_id
    assert task["event"]["kind"] == "returned"
    # A condition is judged on the customer as they stood then: 256 spent by the second return.
    rich = "30天内退货2次且客户累计消费超过300元则创建任务交给客服"
    assert backtest_triggers(shop, rich, since_ns=start, until_ns=clock.now_ns() + 1)["count"] == 0
    with pytest.raises(ValidationError):
        backtest_triggers(shop, "如果 渠道 为 抖音 则 转人工审核", since_ns=start, until_ns=clock.now_ns())
    # A draft's backtest, on the governance path, says the same for its triggers.
    draft = create_draft(shop, AUTHOR, note="退货多的客户回访", text=RETURNS)
    out = backtest_draft(shop, AUTHOR, draft["id"], HistoryFilter(placed_from_ns=start), note="replay")
    report = out["backtest"]["triggers"]
    assert report["count"] == 1 and report["tasks"][0]["customer_ref"] == "FRANK"
