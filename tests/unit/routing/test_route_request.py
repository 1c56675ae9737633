"""An order becomes a route request in one pass that agrees with the order's own sums."""

from __future__ import annotations

import dataclasses

import pytest

from ordo.domain.orders.model import Address, Line
from ordo.domain.routing import Directives
from ordo.domain.routing.context import RouteRequest
from tests.conftest import SKUS, T0, new_order

WEIGHTS = {s.sku: s.weight_g for s in SKUS}
LOCATED = Address("浙江省", "杭州市", "西湖区", "文三路 100 号", lat=30.27, lng=120.13)


@pytest.mark.parametrize(
    "lines",
    [
        [("SKU-TEA", 1)],
        [("SKU-MILK", 2), ("SKU-GAS", 1), ("SKU-MILK", 1)],  # a SKU on two lines, two flags
        [("SKU-UNKNOWN", 3)],  # no weight in the catalog
    ],
)
def test_the_one_pass_request_agrees_with_the_orders_quantities_flags_and_goods(lines):
    order = dataclasses.replace(
        new_order("Q-1", lines),
        id="OR1",
        ship_to=LOCATED,
        tags=("urgent",),
        promised_at_ns=T0 + 1,
        lines=(*new_order("Q-1", lines).lines, Line("SKU-CUP", 2, 3_900, discount_fen=100)),
    )
    d = Directives(prefer="WH-SH")
    need = order.quantities()
    expected = RouteRequest(
        order_id="OR1",
        lines=tuple(need.items()),
        flags=order.flags,
        province="浙江省",
        lat=30.27,
        lng=120.13,
        weight_g=sum(WEIGHTS.get(sku, 0) * q for sku, q in need.items()),
        goods_fen=order.goods_fen,
        tags=frozenset({"urgent"}),
        deadline_ns=T0 + 1,
        directives=d,
    )
    assert RouteRequest.of_order(order, WEIGHTS, directives=d) == expected


def test_a_given_deadline_overrides_the_promise():
    order = dataclasses.replace(new_order("Q-3"), id="OR3", ship_to=LOCATED, promised_at_ns=T0 + 1)
    assert RouteRequest.of_order(order, WEIGHTS, deadline_ns=T0 + 5).deadline_ns == T0 + 5


def test_an_order_without_coordinates_is_refused():
    order = dataclasses.replace(new_order("Q-2"), id="OR2")
    with pytest.raises(ValueError):
        RouteRequest.of_order(order, WEIGHTS)
