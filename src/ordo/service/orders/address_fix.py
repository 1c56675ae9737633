"""Correcting an order's ship-to address after intake.

:func:`correct_address` normalises and locates the new address with the resolver the
channels use (``service.channels.resolver_for``) and refuses one it cannot locate (422
naming the field). The old address stays in the ``order.address_corrected`` event for
audit, with personal data masked as everywhere else (``ordo.domain.pii``). An order held
as ``address_unresolved`` is routed now through ``service.routing``, in the transaction
of the correction, and the address incident it had opened is resolved. It never
touches an order whose goods left or that is closed (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ordo.domain import events as ev
from ordo.domain.customers.identity import phone_lookup
from ordo.domain.errors import ValidationError
from ordo.domain.events import Event
from ordo.domain.incidents.incident import Detector, IncidentState
from ordo.domain.orders.holds import HoldReason
from ordo.domain.pii import mask_detail, mask_name, mask_phone
from ordo.service.channels.receive import resolver_for
from ordo.service.customers.identity import pepper
from ordo.service.incidents import ledger
from ordo.service.orders.holds import check_open, locked_order, read_order, set_watch, steps_of
from ordo.service.ports import OrderRecord, Progress, ShipTo, UnitOfWork
from ordo.service.routing.decisions import route_held
from ordo.service.runtime.app import Ordo

#: The routing trigger of the attempt a corrected address causes.
ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class AddressFix:
    """A corrected ship-to address; ``receiver`` and ``phone`` stay as they were when None."""

    province: str
    city: str
    district: str = ""
    detail: str = ""
    receiver: str | None = None
    phone: str | None = None


class AddressCorrected(ShipTo):
    """What :func:`correct_address` did: the address as stored now, where the order ships from."""

    order_id: str
    outcome: str
    #: How sure the resolver is of the located address (0–1).
    confidence: float
    #: The routing attempt the correction caused (None: the order was not waiting for it).
    routing_attempt: int | None
    warehouse_id: str | None
    hold_reason: str | None


def _corrected(
    order_id: str,
    confidence: float,
    values: ShipTo,
    warehouse_id: str | None,
    hold_reason: str | None,
    attempt: int | None,
) -> AddressCorrected:
    return {
        "order_id": order_id,
        "outcome": "corrected",
        "confidence": confidence,
        "routing_attempt": attempt,
        **values,
        "warehouse_id": warehouse_id,
        "hold_reason": hold_reason,
    }


def _masked_address(values: OrderRecord) -> dict[str, Any]:
    return {
        "province": values["province"],
        "city": values["city"],
        "district": values["district"],
        "detail": mask_detail(values["detail"]),
        "adcode": values["adcode"],
        "receiver": mask_name(values["recipient_name"]),
        "phone": mask_phone(values["recipient_phone"]),
    }


def _field_of(reason: str) -> str:
    """Which field an unresolved address names (the resolver's reasons are English first)."""
    head = reason.split("/", 1)[0]
    for name in ("district", "city", "province"):
        if name in head:
            return name
    return "address"


def _located(app: Ordo, fix: AddressFix) -> tuple[ShipTo, float]:
    """The ship-to columns of a corrected address, normalised and located; 422 when it cannot be."""
    parts = (fix.province.strip(), fix.city.strip(), fix.district.strip())
    res = resolver_for(app.divisions).resolve(*parts, fix.detail.strip())
    if not res.resolved:
        raise ValidationError(
            _field_of(res.reason),
            f"the address cannot be located: {res.reason} / 地址无法定位",
            details={"reason": res.reason},
        )
    detail = fix.detail.strip() if any(parts) else (res.rest or fix.detail.strip())
    values: ShipTo = {
        "province": res.province[:32], "city": res.city[:32], "district": res.district[:32],
        "detail": detail[:500], "adcode": res.adcode, "lat": res.lat, "lng": res.lng,
    }  # fmt: skip
    if fix.receiver is not None:
        values["recipient_name"] = fix.receiver.strip()[:100]
    if fix.phone is not None:
        values["recipient_phone"] = fix.phone.strip()[:32]
    return values, res.confidence


def _readdress(
    app: Ordo,
    uow: UnitOfWork,
    order: OrderRecord,
    progress: Progress,
    now: int,
    values: ShipTo,
    confidence: float,
    actor: str,
) -> OrderRecord:
    """Write the corrected address (checked under lock) with its event; for an order held
    for its address, lift that hold and resolve its address incident. The order as it now is."""
    oid = progress.order_id
    check_open(oid, progress.steps, "re-addressed", "更正地址")
    holds = uow.holds
    phone = values.get("recipient_phone")  # a new phone is found by its new keyed hash
    key = phone_lookup(phone, pepper(app, uow)) if phone else None
    holds.set_address(oid, values, now, phone_key=key)
    new: OrderRecord = {**order, **values}
    waited = order["hold_reason"] == HoldReason.ADDRESS
    closed = 0
    if waited:
        holds.set_hold([oid], None, now)
        holds.set_watch_hold([oid], None)
        new["hold_reason"] = None
        closed = _resolve_address_incidents(uow, oid, actor, now)
    payload = {"old": _masked_address(order), "new": _masked_address(new), "confidence": confidence,
               "by": actor, "was_held": waited, "exceptions_resolved": closed}  # fmt: skip
    uow.outbox.append([Event(ev.ORDER_ADDRESS_CORRECTED, oid, now, payload, channel=order["channel"])])
    return new


def _resolve_address_incidents(uow: UnitOfWork, order_id: str, actor: str, now: int) -> int:
    n = 0
    for row in uow.incidents.open_of_orders([order_id]):
        if row["detector"] != Detector.ADDRESS.value:
            continue
        locked = uow.incidents.get(row["id"], lock=True)
        if locked is None or IncidentState(locked["state"]).closed:
            continue
        ledger.move(uow, locked, IncidentState.RESOLVED, now, by=actor, note="address corrected / 地址已更正")
        n += 1
    return n


def correct_address(app: Ordo, order_id: str, fix: AddressFix, *, actor: str) -> AddressCorrected:
    """Correct an order's ship-to address; route it now if it was held for its address."""
    values, confidence = _located(app, fix)
    found = read_order(app, order_id)
    was = found["hold_reason"]
    check_open(order_id, steps_of(found), "re-addressed", "更正地址")
    if was == HoldReason.ADDRESS:

        def before(uow: UnitOfWork, order: OrderRecord, progress: Progress, now: int) -> OrderRecord:
            return _readdress(app, uow, order, progress, now, values, confidence, actor)

        attempt = route_held(
            app, order_id, reason="address corrected / 地址已更正", trigger=ADDRESS, before=before
        )
        held = None if attempt["warehouse_ids"] else HoldReason.NO_STOCK.value
        if held:
            set_watch(app, order_id, held)
        wh = attempt["warehouse_ids"][0] if attempt["warehouse_ids"] else None
        return _corrected(order_id, confidence, values, wh, held, attempt["attempt"])

    def work() -> AddressCorrected:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            order, progress = locked_order(uow, order_id)
            new = _readdress(app, uow, order, progress, now, values, confidence, actor)
            uow.commit()
        return _corrected(order_id, confidence, values, new["warehouse_id"], new["hold_reason"], None)

    result = app.retrying(work)
    app.notifier.notify()
    return result
