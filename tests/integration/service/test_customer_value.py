"""Customer value is live: 客户分群, 距上次下单天数 and the RFM scores come from
``customer_stats`` (kept by intake, order by order) judged at the order's placed time; a
backtest judges each order's customer as it stood then and fires the same rules on the same
orders; rules using customer value fire in a simulated day and in its backtest. On SQLite and
PostgreSQL."""

from __future__ import annotations

import dataclasses

from ordo.clock import ManualClock
from ordo.domain.orders.model import Order
from ordo.rules.evaluation.evaluate import RuleSet
from ordo.service.customers.stats import customer_stats, rebuild
from ordo.service.customers.value import default_model, segments
from ordo.service.orders.intake import intake
from ordo.service.ports import HistoryFilter
from ordo.service.rules.backtest import backtest_rulesets
from ordo.service.rules.text import ruleset_of
from ordo.service.runtime.app import Ordo
from ordo.sim.runner import simulate
from ordo.sim.world import ensure_world
from tests.conftest import new_order
from tests.integration.service.routing_helpers import go_live, stored_order

DAY = 86_400
RULES = "\n".join(
    [
        "如果 客户分群 为 重要价值客户 则 标记 重点",
        "如果 距上次下单天数 >= 30 则 标记 回流",
        "如果 客户R值 >= 4 且 客户F值 >= 3 则 标记 活跃",
        "如果 客户分群 为 重要挽留客户 则 标记 挽留",
    ]
)
MINE = {"重点", "回流", "活跃", "挽留"}
NEED = {"customer_segment", "customer_recency_days", "customer_rfm_r", "customer_rfm_f", "customer_rfm_m"}


def _order(external_id: str, ref: str, at_ns: int) -> Order:
    return dataclasses.replace(new_order(external_id, at_ns=at_ns), customer_ref=ref)  # 128 yuan


def _tags(app: Ordo, order_id: str) -> set[str]:
    return set(stored_order(app, order_id)["tags"]) & MINE


def test_segment_recency_and_scores_at_intake_and_in_a_backtest_agree(shop: Ordo, clock: ManualClock) -> None:
    go_live(shop, RULES)
    placed: list[tuple[str, str]] = []  # (customer, order id) in placing order

    def place(ref: str) -> str:
        [res] = intake(shop, [_order(f"{ref}-{len(placed)}", ref, clock.now_ns())])
        assert res.order_id is not None, res
        placed.append((ref, res.order_id))
        return res.order_id

    # VIP buys a 128-yuan order a day: after 8 orders (1,024 yuan, F 4, M 4, R 5) the ninth
    # is an important-value customer's.
    for _ in range(9):
        place("VIP")
        clock.advance(DAY)
    vip = [oid for ref, oid in placed if ref == "VIP"]
    assert [bool(_tags(shop, o) & {"重点"}) for o in vip] == [False] * 8 + [True]
    assert "活跃" in _tags(shop, vip[3]) and "活跃" not in _tags(shop, vip[2])  # F 3 from 3 orders
    # LAPSED: one order, then 40 days of silence: the next is a returning customer's.
    first = place("LAPSED")
    clock.advance(40 * DAY)
    back = place("LAPSED")
    assert _tags(shop, first) == set() and _tags(shop, back) == {"回流"}
    # VIP away 141 days: still frequent and high-spending (F 4, M 4) but lapsing (R 2):
    # 重要保持客户 (to retain), not 挽留 (F ≤ 3); only 回流 fires.
    clock.advance(100 * DAY)
    again = place("VIP")
    assert _tags(shop, again) == {"回流"}
    stats = customer_stats(shop, "VIP")
    assert stats["orders"] == 10 and stats["last_order_at_ns"] == clock.now_ns()

    # The backtest sees each order's customer as intake did.
    with shop.store.uow(read_only=True) as uow:
        facts = uow.history.read_facts(
            NEED, HistoryFilter(), now_ns=clock.now_ns(), value_model=default_model()
        )
    rows = {r["order_id"]: r for r in facts.to_dicts()}
    got = {oid: (rows[oid]["customer_segment"], rows[oid]["customer_recency_days"]) for _, oid in placed}
    assert got[vip[0]] == ("general", None)
    assert got[vip[8]] == ("important_value", 1)
    assert got[back] == ("general", 40)
    assert got[again] == ("important_retention", 141)
    assert (rows[again]["customer_rfm_r"], rows[again]["customer_rfm_f"], rows[again]["customer_rfm_m"]) == (
        2,
        4,
        4,
    )
    report = backtest_rulesets(shop, RuleSet.of([]), ruleset_of(RULES))
    fired_at_intake = {
        rid: sum(1 for _, oid in placed if tag in _tags(shop, oid))
        for rid, tag in (("r1", "重点"), ("r2", "回流"), ("r3", "活跃"), ("r4", "挽留"))
    }
    assert {rid: report["rules"].get(rid, 0) for rid in fired_at_intake} == fired_at_intake
    assert fired_at_intake["r1"] == 1 and fired_at_intake["r2"] == 2
    assert report["matched"] == sum(1 for _, oid in placed if _tags(shop, oid))

    # The segments page counts the customers as they stand now (VIP's last order is today).
    seg = segments(shop, top=5)
    by_id = {g["id"]: g for g in seg["groups"]}
    assert seg["customers"] == 2
    assert by_id["important_value"]["customers"] == 1
    top = by_id["important_value"]["top"][0]
    assert top["customer_ref"] == "VIP" and top["rfm"] == "554" and "*" in top["name"]
    assert top["phone"] is None or "****" in top["phone"]
    assert by_id["general"]["customers"] == 1  # LAPSED: two orders, 40 days ago

    before = customer_stats(shop, "VIP")
    assert rebuild(shop) == 2
    assert customer_stats(shop, "VIP") == before  # the backfill keeps the last order's time


def test_rules_on_customer_value_fire_in_a_simulated_day_and_in_its_backtest(
    shop: Ordo, clock: ManualClock
) -> None:
    # Few customers, so a day has repeat buyers; spend thresholds low enough to be crossed.
    ensure_world(shop, 5, warehouses=8, skus=200, customers=40)
    rules = "\n".join(
        [
            "如果 客户分群 为 高潜力交叉销售客户 或 客户分群 为 重要价值客户"
            " 或 客户分群 为 重要发展客户 则 标记 高值",
            "如果 客户累计消费 > 2000 则 标记 老客",
        ]
    )
    go_live(shop, rules)
    summary = simulate(shop, clock, orders=400, seed=5)
    assert summary.orders_created >= 380
    with shop.store.uow(read_only=True) as uow:
        facts = uow.history.read_facts(
            {"tags", "customer_segment", "customer_ltv_fen"}, HistoryFilter(), now_ns=clock.now_ns(),
            value_model=default_model(),
        )  # fmt: skip
    intake_hits = sum(1 for tags in facts["tags"].to_list() if "高值" in tags)
    ltv_hits = sum(1 for tags in facts["tags"].to_list() if "老客" in tags)
    assert intake_hits > 0 and ltv_hits > 0
    report = backtest_rulesets(shop, RuleSet.of([]), ruleset_of(rules))
    # The replay fires the same rules on the same orders as intake did during the day.
    assert report["matched"] == sum(1 for tags in facts["tags"].to_list() if {"高值", "老客"} & set(tags))
