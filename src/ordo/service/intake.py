"""Intake: validate, de-duplicate, locate, allocate, reserve, persist, announce.

Batch first: the whole batch is one transaction, so stock is read once under lock,
allocated in memory, and reserved with one guarded executemany. A single order is a
batch of one. Results come back in input order, one per order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ordo.adapters.store.stock import Delta
from ordo.domain import events as ev
from ordo.domain.allocation import Allocation, Availability, Demand, allocate
from ordo.domain.errors import OrdoError, ValidationError
from ordo.domain.events import Event
from ordo.domain.intake import HOLD_ADDRESS, HOLD_NO_STOCK, validate_order
from ordo.domain.lifecycle import Milestone, derive_status
from ordo.domain.model import AcceptedOrder, Address, Order
from ordo.service.app import Ordo
from ordo.service.identity import link_orders

SOURCE = "ordo"


class IntakeOutcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class IntakeResult:
    index: int
    outcome: IntakeOutcome
    order_id: str | None = None
    status: str | None = None
    warehouse_id: str | None = None
    hold_reason: str | None = None
    error: OrdoError | None = None
    customer_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "outcome": self.outcome.value,
            "order_id": self.order_id,
            "status": self.status,
            "warehouse_id": self.warehouse_id,
            "hold_reason": self.hold_reason,
            "customer_id": self.customer_id,
        }
        if self.error is not None:
            out["error"] = self.error.as_dict()
        return out


@dataclass(frozen=True, slots=True)
class IntakeRequest:
    """One caller's orders, with that caller's contract (see :func:`intake`)."""

    orders: Sequence[Order]
    all_or_nothing: bool = False
    field_prefix: str | None = None


#: Where an order sits: (request, index in that request).
_At = tuple[int, int]


def intake(
    app: Ordo,
    orders: Sequence[Order],
    *,
    all_or_nothing: bool = False,
    field_prefix: str | None = None,
) -> list[IntakeResult]:
    """Accept a batch of orders. Orders with an ``id`` of "" are given one.

    With ``all_or_nothing`` the first invalid order raises and nothing is written
    (the API's contract); otherwise invalid orders come back ``rejected`` and the
    rest go in (imports, the simulator). ``field_prefix`` (e.g. ``"orders"``) makes
    error fields read ``orders[3].lines[0].sku``.
    """
    [answer] = intake_requests(app, [IntakeRequest(orders, all_or_nothing, field_prefix)])
    if isinstance(answer, ValidationError):
        raise answer
    return answer


def intake_requests(
    app: Ordo, requests: Sequence[IntakeRequest]
) -> list[list[IntakeResult] | ValidationError]:
    """Several callers' orders in one transaction, each answered as if it had come alone.

    An ``all_or_nothing`` request with an invalid order gets its ValidationError and
    writes nothing; the other requests are unaffected. The same (channel, external id)
    twice — in one request or across them — is created once: the first in request
    order counts, the others are ``duplicate`` of it.
    """
    results: dict[_At, IntakeResult] = {}
    refused: dict[int, ValidationError] = {}
    with app.store.uow(read_only=True) as uow:
        known = uow.catalog.known_skus(line.sku for r in requests for o in r.orders for line in o.lines)

    candidates: list[tuple[_At, Order]] = []
    seen: dict[tuple[str, str], _At] = {}
    twins: dict[_At, _At] = {}
    for r, request in enumerate(requests):
        prefix = request.field_prefix
        valid: list[tuple[int, Order]] = []
        try:
            for i, order in enumerate(request.orders):
                try:
                    validate_order(order, known, prefix=f"{prefix}[{i}]." if prefix else "")
                except ValidationError as exc:
                    if request.all_or_nothing:
                        raise
                    results[(r, i)] = IntakeResult(i, IntakeOutcome.REJECTED, error=exc)
                    continue
                valid.append((i, order))
        except ValidationError as exc:
            refused[r] = exc
            continue
        for i, order in valid:
            key = (order.channel, order.external_id)
            if key in seen:  # the same order twice in one batch: the first one counts
                twins[(r, i)] = seen[key]
                continue
            seen[key] = (r, i)
            if not order.id:
                order = dataclasses.replace(order, id=app.ids.order_id())
            candidates.append(((r, i), _located(app, order)))

    def transaction() -> dict[_At, IntakeResult]:
        now = app.clock.now_ns()
        done: dict[_At, IntakeResult] = {}
        with app.store.uow() as uow:
            existing = uow.orders.existing([(o.channel, o.external_id) for _, o in candidates])
            fresh = [(at, o) for at, o in candidates if (o.channel, o.external_id) not in existing]
            for at, o in candidates:
                if (key := (o.channel, o.external_id)) in existing:
                    done[at] = IntakeResult(at[1], IntakeOutcome.DUPLICATE, existing[key])
            if not fresh:
                return done
            availability = Availability(uow.catalog.warehouses())
            availability.load(uow.stock.lock_available({ln.sku for _, o in fresh for ln in o.lines}))
            demands = [Demand(o.quantities(), o.flags, o.ship_to.lat, o.ship_to.lng) for _, o in fresh]
            # An address exception is held unrouted: routing it would be a guess.
            unresolved = [HOLD_ADDRESS in o.tags for _, o in fresh]
            routed = iter(
                allocate([d for d, u in zip(demands, unresolved, strict=True) if not u], availability)
            )
            allocations = [Allocation(None) if u else next(routed) for u in unresolved]

            accepted: list[AcceptedOrder] = []
            steps: list[tuple[str, Milestone, int, str]] = []
            deltas: list[Delta] = []
            events: list[Event] = []
            customers, identity_events = link_orders(app, uow, [o for _, o in fresh], now)
            for (at, o), alloc, demand in zip(fresh, allocations, demands, strict=True):
                recorded = {Milestone.CREATED}
                steps.append((o.id, Milestone.CREATED, o.placed_at_ns, o.channel))
                if o.paid_at_ns is not None:
                    recorded.add(Milestone.PAID)
                    steps.append((o.id, Milestone.PAID, o.paid_at_ns, o.channel))
                hold = None
                if HOLD_ADDRESS in o.tags:
                    hold = HOLD_ADDRESS
                elif alloc.warehouse_id is None:
                    hold = HOLD_NO_STOCK
                else:
                    recorded |= {Milestone.STOCK_LOCKED, Milestone.ROUTED}
                    steps.append((o.id, Milestone.STOCK_LOCKED, now, SOURCE))
                    steps.append((o.id, Milestone.ROUTED, now, SOURCE))
                    deltas.extend(Delta(alloc.warehouse_id, sku, q) for sku, q in demand.quantities.items())
                status = derive_status(recorded).value
                accepted.append(AcceptedOrder(o, status, alloc.warehouse_id, hold, now))
                events.append(
                    Event(
                        ev.ORDER_CREATED,
                        o.id,
                        now,
                        channel=o.channel,
                        payload={
                            "external_id": o.external_id,
                            "status": status,
                            "warehouse_id": alloc.warehouse_id,
                            "hold_reason": hold,
                            "distance_km": None if alloc.distance_km is None else round(alloc.distance_km, 1),
                            "total_fen": o.total_fen,
                            "province": o.ship_to.province,
                            "city": o.ship_to.city,
                            "milestones": sorted(m.value for m in recorded),
                            "customer_id": customers.get(o.id),
                        },
                    )
                )
                shipper, who = alloc.warehouse_id, customers.get(o.id)
                done[at] = IntakeResult(at[1], IntakeOutcome.CREATED, o.id, status, shipper, hold, None, who)
            uow.stock.reserve(deltas)
            uow.orders.add(accepted, steps)
            uow.outbox.append(events + identity_events)
            uow.commit()
        return done

    if candidates:
        results.update(app.retrying(transaction))
        app.notifier.notify()
    for (r, i), first in twins.items():
        results[(r, i)] = IntakeResult(i, IntakeOutcome.DUPLICATE, results[first].order_id)
    return [
        refused[r] if r in refused else [results[(r, i)] for i in range(len(request.orders))]
        for r, request in enumerate(requests)
    ]


def _located(app: Ordo, order: Order) -> Order:
    """Fill in coordinates and adcode from the division registry when the channel sent none."""
    ship = order.ship_to
    if (ship.located and ship.adcode) or HOLD_ADDRESS in order.tags:
        return order
    division = app.divisions.locate(ship.province, ship.city, ship.district, ship.adcode)
    if division is None:
        return order
    located: Address = dataclasses.replace(
        ship,
        adcode=ship.adcode or division.adcode,
        lat=ship.lat if ship.lat is not None else division.lat,
        lng=ship.lng if ship.lng is not None else division.lng,
    )
    return dataclasses.replace(order, ship_to=located)
