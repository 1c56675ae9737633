"""Intake's one-pass route request is the router's own ``RouteRequest.of_order``."""

from __future__ import annotations

import dataclasses

import pytest

from ordo.domain.orders.model import Address, Line
from ordo.domain.routing import Directives
from ordo.domain.routing.context import RouteRequest
from ordo.service.orders.intake_routing import request_of
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
def test_the_one_pass_request_equals_the_routers_own(lines):
    order = dataclasses.replace(
        new_order("Q-1", lines),
        id="OR1",
        ship_to=LOCATED,
        tags=("urgent",),
        promised_at_ns=T0 + 1,
        lines=(*new_order("Q-1", lines).lines, Line("SKU-CUP", 2, 3_900, discount_fen=100)),
    )
    d = Directives(prefer="WH-SH")
    assert request_of(order, WEIGHTS, d) == RouteRequest.of_order(order, WEIGHTS, directives=d)


def test_an_order_without_coordinates_is_refused_as_the_router_refuses_it():
    order = dataclasses.replace(new_order("Q-2"), id="OR2")
    with pytest.raises(ValueError):
        request_of(order, WEIGHTS, Directives())
