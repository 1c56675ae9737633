"""Customer tracking links: an unguessable token per order, and what its holder may see.

A token is ``<order id>-<mac>``, the mac being 128 bits of HMAC-SHA256 of the order id
under a secret made once per database (kept in ``meta``). Order ids sort by time and
are easy to guess; the mac is not, so a token cannot be forged without the secret, and
the check costs no extra table. Unknown orders and wrong macs answer alike (None).

The public view is for the buyer: customer-facing steps with their times, the promise
date, the carrier and waybill, the recipient masked. It must never carry internal
detail: no reporting system, no warehouse, no hold reason, no price, no anomaly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from ordo.domain.orders.milestones import MILESTONE_LABELS, STATUS_LABELS, Milestone, Status
from ordo.domain.pii import mask_detail, mask_name, mask_phone
from ordo.service.runtime.app import Ordo

SECRET_META = "tracking.secret"
#: base64url characters of the mac: 22 × 6 bits = 132 bits.
MAC_CHARS = 22
MAX_TOKEN = 64

#: The steps a buyer is shown; warehouse-internal steps (risk check, picking …) are not.
PUBLIC_STEPS: tuple[Milestone, ...] = (
    Milestone.CREATED,
    Milestone.PAID,
    Milestone.OUTBOUND,
    Milestone.COLLECTED,
    Milestone.IN_TRANSIT,
    Milestone.OUT_FOR_DELIVERY,
    Milestone.DELIVERED,
    Milestone.COMPLETED,
    Milestone.CANCELLED,
    Milestone.RETURN_REQUESTED,
    Milestone.RETURNED,
    Milestone.REFUNDED,
)

#: Steps a carrier reports itself: their source names the carrier.
_CARRIER_STEPS = (Milestone.COLLECTED, Milestone.IN_TRANSIT, Milestone.OUT_FOR_DELIVERY, Milestone.DELIVERED)


def _mac(secret: str, order_id: str) -> str:
    digest = hmac.new(secret.encode(), order_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_CHARS]


def _secret(app: Ordo, *, create: bool) -> str | None:
    with app.store.uow(read_only=not create) as uow:
        found = uow.catalog.get_meta(SECRET_META)
        if found is not None or not create:
            return found
        value = secrets.token_hex(32)
        uow.catalog.set_meta(SECRET_META, value)
        uow.commit()
    # Read back: of two first writers the upsert keeps one value, and both must use it.
    return _secret(app, create=False)


def token_for(app: Ordo, order_id: str) -> str:
    """The tracking token of an order (the same every time)."""
    secret = _secret(app, create=True)
    assert secret is not None
    return f"{order_id}-{_mac(secret, order_id)}"


def order_of(app: Ordo, token: str) -> str | None:
    """The order id a genuine token names, or None."""
    if len(token) > MAX_TOKEN or "-" not in token:
        return None
    order_id, mac = token.split("-", 1)
    secret = _secret(app, create=False)
    if secret is None or not order_id:
        return None
    return order_id if hmac.compare_digest(mac, _mac(secret, order_id)) else None


def public_view(app: Ordo, token: str) -> dict[str, Any] | None:
    """What the holder of a tracking link sees, or None for a token that is not genuine."""
    order_id = order_of(app, token)
    if order_id is None:
        return None
    with app.store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
        if order is None:
            return None
        carriers = {c.id: c.name for c in uow.catalog.carriers()}
        notes = {
            e["payload"].get("milestone"): e["payload"].get("note") or ""
            for e in uow.outbox.for_order(order_id)
            if e["type"] == "order.milestone_recorded" and isinstance(e["payload"], dict)
        }
    reached = {m["milestone"]: m for m in order["milestones"]}
    steps = []
    for step in PUBLIC_STEPS:
        m = reached.get(step.value)
        if m is None and step in (Milestone.CANCELLED, Milestone.RETURN_REQUESTED, Milestone.RETURNED):
            continue  # side states appear only when they happened
        if m is None and step is Milestone.REFUNDED:
            continue
        en, zh = MILESTONE_LABELS[step]
        steps.append({"milestone": step.value, "label": {"zh": zh, "en": en}, "at_ns": m and m["at_ns"]})
    carrier_id = next(
        (
            reached[s.value]["source"]
            for s in _CARRIER_STEPS
            if s.value in reached and reached[s.value]["source"] in carriers
        ),
        None,
    )
    status = Status(order["status"])
    en, zh = STATUS_LABELS[status]
    return {
        "order_id": order_id,
        "channel": order["channel"],
        "status": status.value,
        "status_label": {"zh": zh, "en": en},
        "placed_at_ns": order["placed_at_ns"],
        "promised_at_ns": order["promised_at_ns"],
        "carrier": carriers.get(carrier_id) if carrier_id else None,
        "waybill": notes.get(Milestone.WAYBILL_ISSUED.value) or None,
        "ship_to": {
            "province": order["province"],
            "city": order["city"],
            "district": order["district"],
            "detail": mask_detail(order["detail"]),
            "name": mask_name(order["recipient_name"]),
            "phone": mask_phone(order["recipient_phone"]),
        },
        "steps": steps,
    }
