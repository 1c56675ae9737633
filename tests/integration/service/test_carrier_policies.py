"""Carrier policies by region, as rules, end to end: ``浙江 的 订单 使用 顺丰`` sends the
orders there with SF, ``偏远地区 不用 极兔`` / ``浙江 不走 中通`` keeps a carrier off them
(the cheaper carrier loses to the next one), a re-route keeps the bar, and the decision
names the rule that steered it. A bar beating a carrier another rule named is in
``tests/unit/rules/test_directives.py``."""

from __future__ import annotations

import pytest

from ordo.domain.orders.model import Carrier
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import intake
from ordo.service.routing.decisions import reroute, routing_view
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order
from tests.integration.service.routing_helpers import decisions, go_live

#: The provinces the tests ship to (a carrier with no coverage serves only the provinces
#: the network knows from its warehouses, so each names its own).
PROVINCES = frozenset({"浙江", "广东", "上海", "北京", "新疆"})
#: ZTO is the cheapest, SF the dearest.
CARRIERS = [
    Carrier("zto", "中通快递", coverage=PROVINCES, base_fen=500, per_kg_fen=100),
    Carrier("sf", "顺丰速运", coverage=PROVINCES, base_fen=1_500, per_kg_fen=400),
    Carrier("yto", "圆通速递", coverage=PROVINCES, base_fen=700, per_kg_fen=150),
]


@pytest.fixture
def carriers(world: Ordo) -> Ordo:
    save_catalog(world, carriers=CARRIERS)
    return world


def _carrier(app: Ordo, order_id: str) -> str:
    return str(decisions(app, order_id)[-1]["carrier_ids"])


def test_without_a_policy_the_cheapest_carrier_takes_the_order(carriers: Ordo) -> None:
    [r] = intake(carriers, [new_order("CP-0")])
    assert _carrier(carriers, r.order_id) == "zto"


@pytest.mark.parametrize(
    "sentence", ["浙江 的 订单 使用 顺丰", "orders to 浙江 use 顺丰", "浙江的订单走顺丰"]
)
def test_a_regions_carrier_policy_picks_its_carrier_and_the_decision_names_the_rule(
    carriers: Ordo, sentence: str
) -> None:
    go_live(carriers, sentence)
    [here] = intake(carriers, [new_order("CP-1")])
    [there] = intake(carriers, [new_order("CP-2", province="广东省", city="广州市", district="天河区")])
    assert _carrier(carriers, here.order_id) == "sf"
    assert _carrier(carriers, there.order_id) == "zto"  # another region: the rule does not fire
    [attempt] = routing_view(carriers, here.order_id, "zh")["attempts"]
    assert attempt["rules_fired"] == [{"rule_id": "r1", "name": sentence, "category": "routing"}]
    assert attempt["carrier_ids"] == ["sf"]


@pytest.mark.parametrize("sentence", ["浙江 不用 中通", "浙江 不走 中通", "orders to 浙江 avoid 中通"])
def test_an_excluded_carrier_never_takes_the_regions_orders_even_after_a_reroute(
    carriers: Ordo, sentence: str
) -> None:
    go_live(carriers, sentence)
    [r] = intake(carriers, [new_order("CP-3")])
    assert _carrier(carriers, r.order_id) == "yto"  # the next cheapest
    [attempt] = routing_view(carriers, r.order_id, "en")["attempts"]
    assert [f["rule_id"] for f in attempt["rules_fired"]] == ["r1"]
    moved = reroute(carriers, r.order_id, reason="test", exclude=[r.warehouse_id or ""])
    assert moved["carrier_ids"] == ["yto"]
