"""Event-stream triggers in a simulated day: published before the day, they raise tasks on the
day's repeat orders, returns and late orders (customer value in their conditions), and the
backtest over the same day names exactly the tasks the live runner raised."""

from __future__ import annotations

from collections import Counter

from ordo.clock import ManualClock
from ordo.service.runtime.app import Ordo
from ordo.service.triggers import backtest_triggers, catch_up, list_tasks
from ordo.sim.runner import simulate
from ordo.sim.trouble import Trouble
from ordo.sim.world import ensure_world
from tests.integration.service.routing_helpers import go_live

TRIGGERS = "\n".join(
    [
        "如果 3天以内 下单事件 2次 则 创建任务 交给 销售 期限 1天",
        "如果 退货 且 客户累计消费 超过 100元 则 创建任务 交给 客服 期限 2小时",
        "如果 订单延迟 且 客户订单数 >= 1 则 创建任务 交给 客服 期限 2小时",
    ]
)


def test_triggers_fire_in_a_simulated_day_and_its_backtest_names_the_same_tasks(
    app: Ordo, clock: ManualClock
) -> None:
    # Few customers, so the day has repeat buyers; trouble makes late orders (SLA incidents).
    ensure_world(app, 5, warehouses=8, skus=200, customers=40)
    go_live(app, TRIGGERS)
    start = clock.now_ns()
    summary = simulate(app, clock, orders=400, seed=5, trouble=Trouble())
    assert summary.orders_created >= 380
    catch_up(app)
    live = list_tasks(app, status=None, limit=10_000)
    by_rule = Counter(t["rule_id"] for t in live)
    assert set(by_rule) == {"r1", "r2", "r3"}, by_rule
    report = backtest_triggers(app, TRIGGERS, since_ns=start, until_ns=clock.now_ns() + 1, limit=10_000)
    assert report["count"] == len(live)
    assert {t["dedupe_key"] for t in report["tasks"]} == {t["dedupe_key"] for t in live}
