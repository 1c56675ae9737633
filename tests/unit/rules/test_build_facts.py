"""``build_facts`` in one pass gives exactly the facts their plain definitions give."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ordo.adapters.geo import load_divisions
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import Customer, CustomerTier, Line, LineFlag, Order, Sku
from ordo.rules.evaluation.facts import CustomerStats, RoutingResult, build_facts, ms_column
from ordo.rules.language.glossary import short_place_name
from ordo.sim.demand import OrderFactory
from ordo.sim.world import generate_world

NOW = 1_794_326_400 * 10**9


def _plain(
    order: Order,
    now_ns: int,
    customer: Customer | None,
    stats: CustomerStats | None,
    routing: RoutingResult | None,
    milestones: Mapping[Milestone, int] | None,
    catalog: Mapping[str, Sku],
) -> dict[str, Any]:
    """Each fact from its definition, the slow and obvious way (the oracle)."""
    ms: dict[str, int | None] = {ms_column(m): None for m in Milestone}
    ms[ms_column(Milestone.CREATED)] = order.placed_at_ns
    if order.paid_at_ns is not None:
        ms[ms_column(Milestone.PAID)] = order.paid_at_ns
    for m, at in (milestones or {}).items():
        ms[ms_column(m)] = at
    skus = list(dict.fromkeys(line.sku for line in order.lines))
    weight = None
    if catalog and all(line.sku in catalog for line in order.lines):
        weight = sum(catalog[line.sku].weight_g * line.quantity for line in order.lines)
    promise = (
        routing.promised_at_ns if routing and routing.promised_at_ns is not None else order.promised_at_ns
    )
    blacklisted = stats.blacklisted if stats else None
    if blacklisted is None and customer is not None:
        blacklisted = "blacklist" in customer.tags
    ship = order.ship_to
    return {
        "order_id": order.id,
        "channel": order.channel,
        "order_amount_fen": order.total_fen,
        "goods_amount_fen": order.goods_fen,
        "freight_fen": order.freight_fen,
        "discount_fen": order.discount_fen,
        "line_count": len(order.lines),
        "item_count": sum(line.quantity for line in order.lines),
        "skus": skus,
        "categories": list(dict.fromkeys(catalog[s].category for s in skus if s in catalog)),
        "has_gift": LineFlag.GIFT in order.flags,
        "tags": list(order.tags),
        "remark": order.remark,
        "province": short_place_name(ship.province),
        "city": short_place_name(ship.city),
        "district": short_place_name(ship.district) if ship.district else "",
        "weight_g": weight,
        "placed_at_ns": order.placed_at_ns,
        "now_ns": now_ns,
        "customer_tier": str(customer.tier) if customer else None,
        "customer_ltv_fen": stats.ltv_fen if stats else None,
        "customer_return_rate": stats.return_rate if stats else None,
        "customer_order_count": stats.order_count if stats else None,
        "customer_first_order": (stats.order_count == 0) if stats and stats.order_count is not None else None,
        "customer_blacklisted": blacklisted,
        "customer_recency_days": stats.recency_days if stats else None,
        "customer_rfm_r": stats.rfm_r if stats else None,
        "customer_rfm_f": stats.rfm_f if stats else None,
        "customer_rfm_m": stats.rfm_m if stats else None,
        "customer_segment": stats.segment if stats else None,
        "warehouse": routing.warehouse if routing else None,
        "carrier": routing.carrier if routing else None,
        "promise_s": (promise - order.placed_at_ns) // 1_000_000_000 if promise is not None else None,
        "predicted_stock_risk": None,
        **ms,
    }


def test_one_pass_facts_equal_their_definitions_on_simulated_orders_with_and_without_customers_and_catalog():
    world = generate_world(5, warehouses=8, skus=300, customers=40)
    catalog = {s.sku: s for s in world.skus}
    factory = OrderFactory(world, load_divisions(), 5)
    vip = Customer("C-VIP", "王五", CustomerTier.DIAMOND, tags=("blacklist",))
    stats = CustomerStats(
        ltv_fen=10**7,
        return_rate=0.1,
        blacklisted=False,
        order_count=3,
        recency_days=12,
        rfm_r=4,
        rfm_f=3,
        rfm_m=5,
        segment="important_development",
    )
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
        later = (
            (stats, RoutingResult("WH-1", "ems", order.placed_at_ns + 3600 * 10**9), {Milestone.ROUTED: NOW})
            if n % 4 == 0
            else (None, None, None)
        )
        for cat in (catalog, {}):
            want = _plain(order, NOW, customer, *later, cat)
            got = build_facts(
                order, now_ns=NOW, customer=customer, stats=later[0], routing=later[1], milestones=later[2],
                catalog=cat,
            )  # fmt: skip
            assert dict(got) == want and list(got) == list(want)
            checked += 1
    assert checked == 800
