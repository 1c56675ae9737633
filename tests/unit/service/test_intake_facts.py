"""Intake's fast order facts are exactly ``build_facts`` of the same order."""

from __future__ import annotations

import dataclasses

from ordo.adapters.geo import load_divisions
from ordo.domain.orders.model import Customer, CustomerTier, Line
from ordo.rules.evaluation.facts import build_facts
from ordo.service.orders.intake_rules import order_facts
from ordo.sim.demand import OrderFactory
from ordo.sim.world import generate_world

NOW = 1_794_326_400 * 10**9


def test_fast_facts_equal_build_facts_on_simulated_orders_with_and_without_customers_and_catalog():
    world = generate_world(5, warehouses=8, skus=300, customers=40)
    catalog = {s.sku: s for s in world.skus}
    factory = OrderFactory(world, load_divisions(), 5)
    vip = Customer("C-VIP", "王五", CustomerTier.DIAMOND, tags=("blacklist",))
    checked = 0
    for n in range(400):
        order = dataclasses.replace(factory.make(NOW - n * 10**9), id=f"O{n}")
        if n % 7 == 0:  # a SKU the catalog does not know: no weight, fewer categories
            order = dataclasses.replace(order, lines=(*order.lines, Line("SKU-GHOST", 1, 100)))
        if n % 5 == 0:
            order = dataclasses.replace(
                order, paid_at_ns=None, promised_at_ns=order.placed_at_ns + 86_400 * 10**9
            )
        customer = vip if n % 3 == 0 else None
        for cat in (catalog, {}):
            want = build_facts(order, now_ns=NOW, customer=customer, catalog=cat)
            got = order_facts(order, NOW, customer, cat)
            assert got == dict(want) and list(got) == list(want)
            checked += 1
    assert checked == 800
