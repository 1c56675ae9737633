"""The rules' customer fields are live: 首单, 客户订单数, 客户累计消费 and 客户退货率 come
from ``customer_stats``, which intake adds to (a batch counts its own earlier orders), the
returned and cancelled milestones adjust, and a rebuild recounts; a backtest sees each
order's customer as it stood when the order was placed, the same values intake saw. On
SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

from ordo.clock import ManualClock
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Order
from ordo.service.customers.stats import customer_stats, rebuild
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance, cancel
from ordo.service.ports import HistoryFilter
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order
from tests.integration.service.routing_helpers import go_live, stored_order

RULES = "\n".join(
    [
        "如果 首单 则 标记 新客",
        "如果 客户累计消费 > 200 则 标记 老客",
        "如果 客户订单数 >= 3 则 标记 常客",
        "如果 客户退货率 > 30% 则 标记 高退货",
    ]
)


def _order(external_id: str, ref: str, at_ns: int | None = None) -> Order:
    order = new_order(external_id, [("SKU-TEA", 1)]) if at_ns is None else new_order(external_id, at_ns=at_ns)
    return dataclasses.replace(order, customer_ref=ref)


def _tags(app: Ordo, order_id: str | None) -> set[str]:
    assert order_id is not None
    return set(stored_order(app, order_id)["tags"]) & {"新客", "老客", "常客", "高退货"}


def _return(app: Ordo, order_id: str | None, clock: ManualClock) -> None:
    assert order_id is not None
    M = Milestone
    for step in (M.RELEASED_TO_WAREHOUSE, M.OUTBOUND, M.DELIVERED, M.RETURN_REQUESTED, M.RETURNED):
        clock.advance(60)
        [res] = advance(app, [MilestoneUpdate(order_id, step, clock.now_ns(), "wms")])
        assert res.error is None, res.error


def test_customer_fields_follow_orders_returns_and_cancellations(shop: Ordo, clock: ManualClock) -> None:
    go_live(shop, RULES)
    # 128 yuan each; two orders of one new customer in one batch: only the first is its first.
    a1, a2 = intake(shop, [_order("A-1", "ALICE"), _order("A-2", "ALICE")])
    assert _tags(shop, a1.order_id) == {"新客"}
    assert _tags(shop, a2.order_id) == set()  # 128 spent before it: not yet above 200
    clock.advance(60)
    [a3] = intake(shop, [_order("A-3", "ALICE")])
    assert _tags(shop, a3.order_id) == {"老客"}  # 256 spent, 2 orders before it
    assert customer_stats(shop, "ALICE")["orders"] == 3
    assert customer_stats(shop, "ALICE")["spend_fen"] == 3 * 12_800

    _return(shop, a1.order_id, clock)
    cancel(shop, [a3.order_id or ""], reason="buyer changed mind")
    now = customer_stats(shop, "ALICE")
    assert (now["orders"], now["spend_fen"], now["returns"]) == (2, 2 * 12_800, 1)
    assert now["return_rate"] == 0.5 and now["next_is_first_order"] is False
    clock.advance(60)
    [a4] = intake(shop, [_order("A-4", "ALICE")])
    assert _tags(shop, a4.order_id) == {"老客", "高退货"}  # 2 orders (a3 cancelled), 1 returned
    [b1] = intake(shop, [_order("B-1", "BOB")])
    assert _tags(shop, b1.order_id) == {"新客"}

    # The backfill recounts the same figures from the orders.
    before = {ref: customer_stats(shop, ref) for ref in ("ALICE", "BOB")}
    assert rebuild(shop) == 2
    assert {ref: customer_stats(shop, ref) for ref in ("ALICE", "BOB")} == before


def test_a_backtest_sees_each_customer_as_intake_saw_them(shop: Ordo, clock: ManualClock) -> None:
    ids: list[str] = []
    for n, ref in enumerate(["C1", "C2", "C1", "C1", "C3", "C2"]):
        clock.advance(60)
        [res] = intake(shop, [_order(f"H-{n}", ref, clock.now_ns())])
        assert res.order_id is not None
        ids.append(res.order_id)
    clock.advance(60)
    _return(shop, ids[0], clock)
    need = {"customer_first_order", "customer_order_count", "customer_ltv_fen", "customer_return_rate"}
    with shop.store.uow(read_only=True) as uow:
        facts = uow.history.read_facts(need, HistoryFilter(), now_ns=clock.now_ns())
    rows = {r["order_id"]: r for r in facts.to_dicts()}
    got = [
        (rows[i]["customer_first_order"], rows[i]["customer_order_count"], rows[i]["customer_ltv_fen"])
        for i in ids
    ]
    assert got == [
        (True, 0, 0),
        (True, 0, 0),
        (False, 1, 12_800),
        (False, 2, 25_600),
        (True, 0, 0),
        (False, 1, 12_800),
    ]
    # C1's first order was returned after all of these were placed: none of them saw it.
    assert [rows[i]["customer_return_rate"] for i in ids] == [None, None, 0.0, 0.0, None, 0.0]
