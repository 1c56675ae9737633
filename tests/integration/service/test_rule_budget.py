"""The breaker bounds exposure inside the batch: a promotion with a discount budget gives
its discount to the orders within the budget and to none past it, in the batch that
crosses it (before, every order of that batch got it and the breaker only tripped after)."""

from __future__ import annotations

from typing import Any

from ordo.domain.access import Role
from ordo.service.orders.intake import intake
from ordo.service.rules.backtest import backtest_draft
from ordo.service.rules.breaker import check_breakers
from ordo.service.rules.records import BreakerBounds
from ordo.service.rules.versions import Actor, approve, create_draft, publish, submit
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order

AUTHOR = Actor("alice", Role.OPS)
APPROVER = Actor("bob", Role.ADMIN)


def _live_with(app: Ordo, text: str, bounds: BreakerBounds) -> int:
    draft = create_draft(app, AUTHOR, note="budgeted promotion", text=text, breaker=bounds)
    backtest_draft(app, AUTHOR, draft["id"], note="backtest")
    if submit(app, AUTHOR, draft["id"], note="please")["status"] != "approved":
        approve(app, APPROVER, draft["id"], note="ok")
    out: dict[str, Any] = publish(app, AUTHOR, draft["id"], note="go live")
    return int(out["version"])


def _discounts(app: Ordo, ids: list[str]) -> list[int]:
    with app.store.uow(read_only=True) as uow:
        return [int(uow.orders.get(i)["discount_fen"]) for i in ids]  # type: ignore[index]


def _batch(app: Ordo, prefix: str, n: int) -> list[str]:
    # SKU-TEA is 128 yuan: 满100减90 gives 90 yuan off each order.
    results = intake(app, [new_order(f"{prefix}-{i}", [("SKU-TEA", 1)]) for i in range(n)])
    return [r.order_id for r in results if r.order_id]


def test_a_ten_yuan_budget_gives_none_of_six_ninety_yuan_discounts(world: Ordo) -> None:
    _live_with(world, "满100减90", BreakerBounds(max_discount_total_fen=1_000, min_orders=1))
    ids = _batch(world, "B10", 6)
    assert len(ids) == 6
    assert _discounts(world, ids) == [0] * 6
    # Refused discounts trip the breaker at once, few orders or not.
    [trip] = check_breakers(world)
    assert trip.metric == "discount_total_fen" and trip.value == 0 and trip.bound == 1_000


def test_the_order_that_would_cross_the_budget_and_those_after_it_get_no_discount(world: Ordo) -> None:
    version = _live_with(world, "满100减90", BreakerBounds(max_discount_total_fen=20_000, min_orders=100))
    ids = _batch(world, "B200", 6)
    # 90 + 90 = 180 ≤ 200; the third would make 270.
    assert _discounts(world, ids) == [9_000, 9_000, 0, 0, 0, 0]
    # The next batch finds the budget as the first left it.
    later = _batch(world, "B200L", 2)
    assert _discounts(world, later) == [0, 0]
    with world.store.uow(read_only=True) as uow:
        spent = uow.rules.outcome_metrics(version, 0)["discount_fen"]
    assert spent == 18_000
    # The breaker is not waiting for min_orders to roll a spent budget back.
    [trip] = check_breakers(world)
    assert trip.metric == "discount_total_fen" and trip.version == version and trip.value == 18_000
    # Rolled back: nothing is watched any more.
    assert check_breakers(world) == []


def test_a_budget_left_unspent_leaves_every_discount(world: Ordo) -> None:
    _live_with(world, "满100减90", BreakerBounds(max_discount_total_fen=100_000))
    ids = _batch(world, "BOK", 6)
    assert _discounts(world, ids) == [9_000] * 6
    assert check_breakers(world) == []
