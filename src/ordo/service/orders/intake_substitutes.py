"""Substitutes at stock-out: an order no warehouse can ship may ship substitute SKUs instead.

Owns one step of routing a batch, after the wave: the orders it left held for stock
(``no_candidate``) whose short lines have a substitute in the table
(``sku_substitutes``, scoped by channel, by priority) with the units to cover them are
routed again with those lines replaced (``ordo.domain.inventory.substitutes``). The table
is the policy: a SKU without a row, and an order tagged to stay as ordered
(``NO_SUBSTITUTE_TAGS``), are never substituted. The second routing runs over the
substitutes' stock rows, locked in the same transaction, starting from what the wave left
(stock, parcel and carrier capacity), so no unit is promised twice. Each order routed so
gets an ``order.substituted`` event naming every swap (the order page's audit shows it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ordo.domain import events as ev
from ordo.domain.events import Event
from ordo.domain.inventory.substitutes import Swap, substituted_line, substitution
from ordo.domain.orders.model import HANDLING_FLAGS, Order
from ordo.domain.routing import Plan, PlanStatus, RouteRequest, RoutingContext, route
from ordo.service.ports import UnitOfWork
from ordo.service.routing.context import INTAKE_MAX_PARCELS, Catalog, RoutingCache

#: Who the audit names for a substitution the house policy made.
BY = "ordo:substitutes"


@dataclass(slots=True)
class Substituted:
    """Per position in the wave: the order as it now ships, its plan, and the context that
    routed it (for its decision row)."""

    orders: dict[int, Order]
    plans: dict[int, Plan]
    ctx: RoutingContext | None
    events: list[Event]


def substitute_held(
    uow: UnitOfWork,
    cache: RoutingCache,
    cat: Catalog,
    ctx: RoutingContext,
    orders: Sequence[Order],
    reqs: Sequence[RouteRequest],
    plans: Sequence[Plan],
    now_ns: int,
) -> Substituted:
    """Route again, with substitutes, the orders of the wave (``orders[k]`` → ``reqs[k]`` →
    ``plans[k]``) held for stock; updates ``ctx``'s capacity left with what they used."""
    none = Substituted({}, {}, None, [])
    held = [
        k for k, p in enumerate(plans) if p.status is PlanStatus.UNROUTABLE and p.reason == "no_candidate"
    ]
    if not held:
        return none
    table = [r.item for r in uow.substitutes.rows({s for k in held for s, _ in reqs[k].lines})]
    table = [s for s in table if s.substitute in cat.skus]
    if not table:
        return none
    skus = {s for k in held for s, _ in reqs[k].lines} | {s.substitute for s in table}
    again, _ = cache.context(uow, cat, skus, now_ns, max_parcels=INTAKE_MAX_PARCELS)
    stock = again.stock
    for sku, i in stock.index.items():  # start from what the wave left of the SKUs it routed
        j = ctx.stock.index.get(sku)
        if j is not None:
            stock.atp[i] = ctx.stock.atp[j]
    again.capacity_left[:] = ctx.capacity_left
    again.carrier_left[:] = ctx.carrier_left
    available = {sku: int(stock.atp[i].sum()) for sku, i in stock.index.items()}
    tried: list[tuple[int, Order, list[Swap]]] = []
    for k in held:
        o = orders[k]
        swaps = substitution(
            [(ln.sku, ln.quantity) for ln in o.lines], table, o.channel, available, reqs[k].tags
        )
        if swaps:
            tried.append((k, _swapped(o, swaps, cat), swaps))
    if not tried:
        return none
    requests = [
        RouteRequest.of_order(
            o, cat.weights_g, directives=reqs[k].directives, deadline_ns=reqs[k].deadline_ns
        )
        for k, o, _ in tried
    ]
    out = Substituted({}, {}, again, [])
    for (k, o, swaps), plan in zip(tried, route(requests, again), strict=True):
        if not plan.parcels:
            continue  # still short (an earlier order of the batch took the substitute): held
        out.orders[k], out.plans[k] = o, plan
        payload = {
            "by": BY,
            "reason": "stock_out",
            "swaps": [
                {
                    "sku": s.sku,
                    "quantity": s.quantity,
                    "substitute": s.substitute,
                    "units": s.quantity * s.ratio,
                }
                for s in swaps
            ],
        }
        out.events.append(Event(ev.ORDER_SUBSTITUTED, o.id, now_ns, channel=o.channel, payload=payload))
    ctx.capacity_left[:] = again.capacity_left
    ctx.carrier_left[:] = again.carrier_left
    return out


def _swapped(order: Order, swaps: Sequence[Swap], cat: Catalog) -> Order:
    """The order with each swapped line replaced; a substitute's handling flags (cold chain,
    hazmat …) are its own, as the catalog has them, the line's other flags (gift) stay."""
    lines = list(order.lines)
    for s in swaps:
        line = substituted_line(lines[s.line], s)
        own = cat.skus[s.substitute].flags & HANDLING_FLAGS
        lines[s.line] = replace(line, flags=(line.flags - HANDLING_FLAGS) | own)
    return replace(order, lines=tuple(lines))
