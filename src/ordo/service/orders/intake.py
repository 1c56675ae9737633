"""Intake: validate, de-duplicate, locate, apply the rules, route, reserve, persist, announce.

Batch first: the whole batch is one transaction, so the live rules are evaluated (and
their outcomes recorded) for the batch, stock is read once under lock, the batch is
routed as one wave by the multi-objective router, reserved with one guarded executemany,
and every decision is stored with its evidence. An order no single warehouse covers may be
split into parcels (the router's split policy); each of its lines then records the
warehouse it ships from, which is where cancel and outbound release and consume it.
A single order is a batch of one. Results come back in input order, one per order.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from ordo.domain import events as ev
from ordo.domain.errors import Conflict, OrdoError, ValidationError
from ordo.domain.events import Event
from ordo.domain.geo import canonical_province
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.milestones import Milestone, derive_status
from ordo.domain.orders.model import AcceptedOrder, Order
from ordo.domain.orders.validation import validate_order
from ordo.domain.routing import Plan
from ordo.domain.routing.parcel_lines import shipped_lines
from ordo.service.channels.receive import resolver_for
from ordo.service.customers.identity import link_orders, phone_keys
from ordo.service.orders.intake_routing import RoutedBatch, route_batch
from ordo.service.orders.intake_rules import Ruled, apply_at_intake, with_values
from ordo.service.ports import Delta, UnitOfWork
from ordo.service.runtime.app import Ordo

SOURCE = "ordo"
#: The hold codes intake sets, as plain strings for the per-order loop.
_NO_STOCK = HoldReason.NO_STOCK.value
_ADDRESS = HoldReason.ADDRESS.value


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
    #: Where a routed order ships from: (warehouse, ((SKU, units), …)) per parcel, one parcel
    #: unless it was split; () when it was not routed.
    parcels: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    #: The carrier routing booked for the (first) parcel; None when it was not routed.
    carrier_id: str | None = None

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


#: The status of an accepted request (created or duplicate orders): what a replay repeats.
ACCEPTED = 201


def answer_body(results: Sequence[IntakeResult]) -> dict[str, Any]:
    """The answer to a request: its results in order, and how many were created or duplicates."""
    return {
        "results": [r.as_dict() for r in results],
        "created": sum(r.outcome is IntakeOutcome.CREATED for r in results),
        "duplicates": sum(r.outcome is IntakeOutcome.DUPLICATE for r in results),
    }


@dataclass(frozen=True, slots=True)
class Idempotency:
    """A caller's idempotency key (already scoped to the caller) and its request's fingerprint."""

    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class Replayed:
    """The first answer to a request whose idempotency key was used before, to send again."""

    status_code: int
    body: Any


@dataclass(frozen=True, slots=True)
class IntakeRequest:
    """One caller's orders, with that caller's contract (see :func:`intake`).

    With ``idempotency`` the request's answer (:func:`answer_body`, status :data:`ACCEPTED`)
    is stored in the same transaction as its orders: either both are written or neither,
    and a request that finds its key already answered gets that answer, :class:`Replayed`.
    """

    orders: Sequence[Order]
    all_or_nothing: bool = False
    field_prefix: str | None = None
    idempotency: Idempotency | None = None


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
    assert not isinstance(answer, Replayed), "no idempotency key, no replay"
    return answer


def intake_requests(
    app: Ordo, requests: Sequence[IntakeRequest]
) -> list[list[IntakeResult] | ValidationError | Replayed]:
    """Several callers' orders in one transaction, each answered as if it had come alone.

    An ``all_or_nothing`` request with an invalid order gets its ValidationError and
    writes nothing; the other requests are unaffected. The same (channel, external id)
    twice — in one request or across them — is created once: the first in request
    order counts, the others are ``duplicate`` of it.
    """
    screened = _screen(app, requests)
    results = dict(screened.rejected)
    replayed: dict[int, Replayed] = {}
    if screened.candidates:
        written, replayed = app.retrying(functools.partial(_write, app, requests, screened))
        results.update(written)
        app.notifier.notify()
    out: list[list[IntakeResult] | ValidationError | Replayed] = []
    for r, request in enumerate(requests):
        if r in screened.refused:
            out.append(screened.refused[r])
        elif r in replayed:
            out.append(replayed[r])
        else:
            out.append(_answer(r, request, results, screened.twins))
    return out


def _answer(
    r: int, request: IntakeRequest, results: dict[_At, IntakeResult], twins: dict[_At, _At]
) -> list[IntakeResult]:
    """Request ``r``'s results in order; a repeat of an order earlier in the batch is its duplicate."""
    out = []
    for i in range(len(request.orders)):
        first = twins.get((r, i))
        out.append(
            results[(r, i)]
            if first is None
            else IntakeResult(i, IntakeOutcome.DUPLICATE, results[first].order_id)
        )
    return out


def _claim(
    uow: UnitOfWork, requests: Sequence[IntakeRequest], refused: Container[int], now: int
) -> tuple[dict[int, Idempotency], dict[int, Replayed], dict[int, int]]:
    """Take the batch's idempotency keys, in key order (two batches never wait on each other
    in a circle). Returns the requests this transaction answers, those already answered
    (their stored answer), and repeats of a key earlier in this batch (→ that request)."""
    mine: dict[int, Idempotency] = {}
    answered: dict[int, Replayed] = {}
    repeats: dict[int, int] = {}
    taken: dict[str, int] = {}
    keyed = [(r, q.idempotency) for r, q in enumerate(requests) if q.idempotency and r not in refused]
    for r, idem in sorted(keyed, key=lambda k: (k[1].key, k[0])):
        if idem.key in taken:
            _same_request(requests[taken[idem.key]].idempotency, idem.request_hash)
            repeats[r] = taken[idem.key]
        elif uow.access.claim(idem.key, idem.request_hash, now):
            taken[idem.key] = r
            mine[r] = idem
        else:
            row = uow.access.idempotent(idem.key)
            assert row is not None, "a key that cannot be claimed is stored"
            _same_request(row, idem.request_hash)
            answered[r] = Replayed(int(row["status_code"]), row["response"])
    return mine, answered, repeats


def _same_request(stored: Any, request_hash: str) -> None:
    """Conflict when a key comes back with a different request: replaying the first answer
    would drop the new request silently, running it would break the key's promise."""
    first = stored.request_hash if isinstance(stored, Idempotency) else stored["request_hash"]
    if not hmac.compare_digest(first, request_hash):
        raise Conflict(
            "Idempotency-Key reused with a different request body / 幂等键已用于不同的请求内容",
            details={"header": "Idempotency-Key"},
        )


@dataclass(frozen=True, slots=True)
class _Screened:
    """A batch after validation and de-duplication within it, before any write."""

    #: The first order of each (channel, external id), prepared (id, located address).
    candidates: list[tuple[_At, Order]]
    #: A repeat inside the batch → the order it repeats.
    twins: dict[_At, _At]
    #: Invalid orders of requests that take the others anyway.
    rejected: dict[_At, IntakeResult]
    #: ``all_or_nothing`` requests with an invalid order: the first error, nothing written.
    refused: dict[int, ValidationError]


def _screen(app: Ordo, requests: Sequence[IntakeRequest]) -> _Screened:
    """Validate every order against the catalogue and keep the first of each duplicate."""
    with app.store.uow(read_only=True) as uow:
        known = uow.catalog.known_skus(line.sku for r in requests for o in r.orders for line in o.lines)
    out = _Screened([], {}, {}, {})
    seen: dict[tuple[str, str], _At] = {}
    for r, request in enumerate(requests):
        valid = _valid(request, r, known, out, app.channels.names)
        if valid is None:
            continue
        for i, order in valid:
            key = (order.channel, order.external_id)
            if key in seen:  # the same order twice in one batch: the first one counts
                out.twins[(r, i)] = seen[key]
                continue
            seen[key] = (r, i)
            out.candidates.append(((r, i), _prepared(app, order)))
    return out


def _valid(
    request: IntakeRequest, r: int, known: Container[str], out: _Screened, channels: Collection[str]
) -> list[tuple[int, Order]] | None:
    """The valid orders of request ``r`` by index; the invalid ones go to ``out`` (None: the
    request is refused whole)."""
    prefix = request.field_prefix
    valid: list[tuple[int, Order]] = []
    for i, order in enumerate(request.orders):
        try:
            validate_order(order, known, prefix=f"{prefix}[{i}]." if prefix else "", channels=channels)
        except ValidationError as exc:
            if request.all_or_nothing:
                out.refused[r] = exc
                return None
            out.rejected[(r, i)] = IntakeResult(i, IntakeOutcome.REJECTED, error=exc)
            continue
        valid.append((i, order))
    return valid


def _write(
    app: Ordo, requests: Sequence[IntakeRequest], screened: _Screened
) -> tuple[dict[_At, IntakeResult], dict[int, Replayed]]:
    """The batch's one transaction: orders already stored are duplicates; the rest get the
    rules, one routing wave and their reservations, and are written with their events and
    the answers of the requests that carry an idempotency key."""
    now = app.clock.now_ns()
    candidates = screened.candidates
    done: dict[_At, IntakeResult] = {}
    with app.store.uow() as uow:
        mine, replayed, repeats = _claim(uow, requests, screened.refused, now)
        existing = uow.orders.existing([(o.channel, o.external_id) for _, o in candidates])
        fresh = [(at, o) for at, o in candidates if (o.channel, o.external_id) not in existing]
        for at, o in candidates:
            if (key := (o.channel, o.external_id)) in existing:
                done[at] = IntakeResult(at[1], IntakeOutcome.DUPLICATE, existing[key])
        batch = _write_fresh(app, uow, fresh, now, done) if fresh else None
        answers = {
            r: answer_body(_answer(r, requests[r], screened.rejected | done, screened.twins)) for r in mine
        }
        for r, idem in mine.items():
            uow.access.answer(idem.key, ACCEPTED, answers[r])
        for r, first in repeats.items():
            replayed[r] = replayed[first] if first in replayed else Replayed(ACCEPTED, answers[first])
        if not fresh and not mine:
            return done, replayed
        uow.commit()
    if batch is not None:
        batch.committed()
    return done, replayed


def _write_fresh(
    app: Ordo, uow: UnitOfWork, fresh: list[tuple[_At, Order]], now: int, done: dict[_At, IntakeResult]
) -> RoutedBatch:
    """The new orders: rules, one routing wave, reservations, rows and events (not committed)."""
    cache = app.caches.routing
    cat = cache.catalog(uow, now)
    orders = [o for _, o in fresh]
    ruled = apply_at_intake(app.caches.rulebook, uow, orders, now, cat.skus, cat.prices_fen)
    if ruled is not None:
        orders = [r.order for r in ruled]
    holds = _holds(orders, ruled)
    batch = route_batch(cache, cat, uow, orders, holds, ruled, now)
    customers, identity_events = link_orders(app, uow, orders, now)
    writes = _Writes(now)
    for n, ((at, _), o) in enumerate(zip(fresh, orders, strict=True)):
        rules = ruled[n] if ruled is not None else None
        o = batch.orders.get(n, o)  # out-of-stock lines shipped as substitutes
        done[at] = writes.accept(at[1], o, holds[n], batch.plans[n], rules, customers.get(o.id))
    uow.stock.reserve(writes.deltas)
    split = any(w is not None for w in writes.line_warehouses)
    phones = phone_keys(app, uow, [a.order for a in writes.accepted])
    uow.orders.add(writes.accepted, writes.steps, writes.line_warehouses if split else None, phones)
    uow.routing.add(batch.rows)
    uow.outbox.append(writes.events + batch.events + identity_events)
    # The rules' live customer fields (客户累计消费, 首单 …) read these for the next order.
    uow.customer_stats.add_orders(
        [(a.order.customer_ref, a.order.total_fen, a.order.placed_at_ns) for a in writes.accepted], now
    )
    return batch


@dataclass(slots=True)
class _Writes:
    """The rows and events of a batch's new orders, gathered order by order for one write each."""

    now: int
    accepted: list[AcceptedOrder] = field(default_factory=list)
    #: First milestones: (order id, step, at, source).
    steps: list[tuple[str, Milestone, int, str]] = field(default_factory=list)
    #: Stock to reserve, per parcel line.
    deltas: list[Delta] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    #: Per order, the warehouse of each line when it is split (None: not split).
    line_warehouses: list[list[str | None] | None] = field(default_factory=list)

    def accept(
        self,
        index: int,
        o: Order,
        hold: str | None,
        plan: Plan | None,
        ruled: Ruled | None,
        customer: str | None,
    ) -> IntakeResult:
        """One new order: held as ``hold`` says (or for stock when its plan has no parcel),
        else routed as ``plan`` says."""
        now = self.now
        recorded = {Milestone.CREATED}
        self.steps.append((o.id, Milestone.CREATED, o.placed_at_ns, o.channel))
        if o.paid_at_ns is not None:
            recorded.add(Milestone.PAID)
            self.steps.append((o.id, Milestone.PAID, o.paid_at_ns, o.channel))
        shipper = carrier = None
        lines_at: list[str | None] | None = None
        shipped: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
        if hold is None:
            assert plan is not None
            if not plan.parcels:
                hold = _NO_STOCK
            else:
                shipper, carrier = plan.parcels[0].warehouse_id, plan.parcels[0].carrier_id
                if o.promised_at_ns is None:
                    # The platform promised nothing: the promise is the one routing made.
                    o = replace(o, promised_at_ns=plan.promise_ns)
                shipped = tuple([(p.warehouse_id, p.lines) for p in plan.parcels])
                recorded |= {Milestone.STOCK_LOCKED, Milestone.ROUTED}
                self.steps.append((o.id, Milestone.STOCK_LOCKED, now, SOURCE))
                self.steps.append((o.id, Milestone.ROUTED, now, SOURCE))
                for p in plan.parcels:
                    self.deltas.extend(Delta(p.warehouse_id, sku, q) for sku, q in p.lines)
                if len(plan.parcels) > 1:
                    o, lines_at = shipped_lines(o, plan.parcels)
        self.line_warehouses.append(lines_at)
        status, milestones = _derived(frozenset(recorded))
        self.accepted.append(AcceptedOrder(o, status, shipper, hold, now))
        event = _created(o, status, shipper, hold, milestones, plan, lines_at, ruled, customer, now)
        self.events.append(event)
        created = IntakeOutcome.CREATED
        return IntakeResult(index, created, o.id, status, shipper, hold, None, customer, shipped, carrier)


def _created(
    o: Order,
    status: str,
    shipper: str | None,
    hold: str | None,
    milestones: tuple[str, ...],
    plan: Plan | None,
    lines_at: list[str | None] | None,
    ruled: Ruled | None,
    customer: str | None,
    now: int,
) -> Event:
    """The ``order.created`` event of a new order, with where it ships from and why."""
    routed = plan is not None and bool(plan.parcels)
    payload: dict[str, Any] = {
        "external_id": o.external_id,
        "status": status,
        "warehouse_id": shipper,
        "hold_reason": hold,
        "distance_km": plan.parcels[0].km if plan is not None and routed else None,
        "total_fen": o.total_fen,
        "province": o.ship_to.province,
        "city": o.ship_to.city,
        "milestones": list(milestones),
        "customer_id": customer,
    }
    if plan is not None and routed:
        payload["carrier_id"] = plan.parcels[0].carrier_id
        payload["promise_ns"] = plan.promise_ns
        if lines_at is not None:
            payload["parcels"] = [
                {"warehouse_id": p.warehouse_id, "carrier_id": p.carrier_id, "lines": p.lines}
                for p in plan.parcels
            ]
    if ruled is not None and ruled.fired:
        payload["rules"] = [f.rule_id for f in ruled.fired]
        if ruled.changes:
            payload["rule_changes"] = ruled.changes
    return Event(ev.ORDER_CREATED, o.id, now, channel=o.channel, payload=payload)


@functools.lru_cache(maxsize=256)
def _derived(recorded: frozenset[Milestone]) -> tuple[str, tuple[str, ...]]:
    """Status and sorted milestone names of a new order: a handful of combinations, derived once."""
    return derive_status(recorded).value, tuple(sorted(m.value for m in recorded))


def _holds(orders: Sequence[Order], ruled: Sequence[Ruled] | None) -> list[str | None]:
    """Why each order waits unrouted: an address routing would only guess at (held first,
    as before the rules), else a review rule's hold; None: route it."""
    out: list[str | None] = []
    for n, o in enumerate(orders):
        if _ADDRESS in o.tags or not o.ship_to.located:
            out.append(_ADDRESS)
        elif ruled is not None and ruled[n].hold is not None:
            out.append(ruled[n].hold)
        else:
            out.append(None)
    return out


def _prepared(app: Ordo, order: Order) -> Order:
    """The order with an id, and its ship-to in canonical form: the full names of the
    division its adcode names (``上海`` → ``上海市``, ``广西`` → ``广西壮族自治区``, 襄樊 →
    襄阳市), or, without an adcode, of the division its names resolve to, with that adcode;
    coordinates from the registry when the channel sent none (one copy of the order at
    most). Everything downstream (service area, routing, the overview, filters, rules)
    then meets one spelling. An address it cannot place is left as written."""
    values: dict[str, object] = {}
    if not order.id:
        values["id"] = app.ids.order_id()
    ship = order.ship_to
    if _ADDRESS not in order.tags:
        resolver = resolver_for(app.divisions)
        found = resolver.canonical(ship.adcode) if ship.adcode else None
        if found is None:
            found = resolver.resolve(ship.province, ship.city, ship.district)
        if found.adcode is not None:
            fixed = {
                "province": found.province,
                "city": found.city,
                "district": found.district or ship.district,
                "adcode": found.adcode,
                "lat": ship.lat if ship.lat is not None else found.lat,
                "lng": ship.lng if ship.lng is not None else found.lng,
            }
            if any(getattr(ship, k) != v for k, v in fixed.items()):
                values["ship_to"] = with_values(ship, fixed)
    if "ship_to" not in values and canonical_province(ship.province) != ship.province:
        # Not placed (held for its address): its province is still spelled one way, so the
        # region filters and the overview find it (内蒙古 → 内蒙古自治区, Guangdong → 广东省).
        values["ship_to"] = with_values(ship, {"province": canonical_province(ship.province)})
    return with_values(order, values) if values else order
