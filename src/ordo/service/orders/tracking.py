"""Customer tracking links: an unguessable token per order, and what its holder may see.

A token is ``<order id>-<mac>``, the mac being 128 bits of HMAC-SHA256 of the order id
under a secret made once per database (kept in ``meta``). Order ids sort by time and
are easy to guess; the mac is not, so a token cannot be forged without the secret, and
the check costs no extra table. Unknown orders and wrong macs answer alike (None).

The public view is for the buyer: the platform order number, the items, customer-facing
steps with their times in customer words (商家正在备货, not 仓库作业中), the promise date
and a live estimate, the carrier and waybill, the recipient masked. It must never carry
internal detail: no reporting system, no warehouse, no hold reason, no price, no anomaly.

The estimate (``eta_ns``): the promise until the courier collects the parcel; from then
the collection time plus the carrier's door-to-door hours over the routed distance (the
router's own lane model), so a late pickup moves it; none once delivered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

import numpy as np
import orjson

from ordo.domain.orders.milestones import MILESTONE_LABELS, STATUS_LABELS, Milestone, Status
from ordo.domain.pii import mask_detail, mask_name, mask_phone
from ordo.domain.routing.kernel import lane_hours
from ordo.service.routing.context import HOUSE_CARRIER
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

#: What a buyer reads for a status or a step, where the staff's word is not theirs: (en, zh).
CUSTOMER_STATUS: Mapping[Status, tuple[str, str]] = {
    Status.PROCESSING: ("Order received, being confirmed", "商家已接单"),
    Status.IN_WAREHOUSE: ("The seller is preparing your order", "商家正在备货"),
    Status.SHIPPED: ("Shipped, waiting for the courier", "已发货，等待快递揽收"),
}
CUSTOMER_STEPS: Mapping[Milestone, tuple[str, str]] = {
    Milestone.CREATED: ("Order placed", "下单成功"),
    Milestone.PAID: ("Paid", "已付款"),
    Milestone.OUTBOUND: ("Packed and shipped", "商品已打包发出"),
    Milestone.COLLECTED: ("Picked up by the courier", "快递已揽收"),
    Milestone.IN_TRANSIT: ("On the way", "运输中"),
    Milestone.OUT_FOR_DELIVERY: ("Out for delivery", "派送中"),
    Milestone.DELIVERED: ("Delivered", "已签收"),
}
HOUR_NS = 3_600_000_000_000
#: The carrier a warehouse books itself when the catalog has none, as a buyer reads it.
HOUSE_COURIER = "商家合作快递"

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


def waybills(note: str, carriers: Mapping[str, str], booked: str | None) -> list[dict[str, str | None]]:
    """The waybills of a ``waybill_issued`` note (``SF123`` or ``sf:SF123,zto:ZT456``), each
    with its carrier's name (the prefix there, else the carrier booked)."""
    out: list[dict[str, str | None]] = []
    for part in note.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        code, sep, number = part.partition(":")
        carrier = code.strip() if sep and code.strip() in carriers else booked
        out.append({"number": (number if sep and code.strip() in carriers else part).strip(),
                    "carrier": carriers.get(carrier or "", None)})  # fmt: skip
    return out


def public_view(app: Ordo, token: str) -> dict[str, Any] | None:
    """What the holder of a tracking link sees, or None for a token that is not genuine."""
    order_id = order_of(app, token)
    if order_id is None:
        return None
    with app.store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
        if order is None:
            return None
        carriers = {HOUSE_CARRIER[0]: HOUSE_COURIER, **{c.id: c.name for c in uow.catalog.carriers()}}
        notes = {
            e["payload"].get("milestone"): e["payload"].get("note") or ""
            for e in uow.outbox.for_order(order_id)
            if e["type"] == "order.milestone_recorded" and isinstance(e["payload"], dict)
        }
        names = uow.worklist.sku_names([ln["sku"] for ln in order["lines"]])
        attempts = uow.routing.attempts(order_id)
        net = app.caches.routing.catalog(uow, app.clock.now_ns()).network
    reached = {m["milestone"]: m for m in order["milestones"]}
    steps = []
    for step in PUBLIC_STEPS:
        m = reached.get(step.value)
        if m is None and step in (Milestone.CANCELLED, Milestone.RETURN_REQUESTED, Milestone.RETURNED):
            continue  # side states appear only when they happened
        if m is None and step is Milestone.REFUNDED:
            continue
        en, zh = CUSTOMER_STEPS.get(step) or MILESTONE_LABELS[step]
        steps.append({"milestone": step.value, "label": {"zh": zh, "en": en}, "at_ns": m and m["at_ns"]})
    collected_by = next(
        (
            reached[s.value]["source"]
            for s in _CARRIER_STEPS
            if s.value in reached and reached[s.value]["source"] in carriers
        ),
        None,
    )
    last = attempts[-1] if attempts else None
    booked = next((c for c in (last["carrier_ids"] if last else "").split(",") if c), None)
    carrier_id = collected_by or (booked if Milestone.WAYBILL_ISSUED.value in reached else None)
    bills = waybills(notes.get(Milestone.WAYBILL_ISSUED.value) or "", carriers, carrier_id)
    status = Status(order["status"])
    en, zh = CUSTOMER_STATUS.get(status) or STATUS_LABELS[status]
    return {
        "order_id": order_id,
        "order_no": order["external_id"],
        "channel": order["channel"],
        "status": status.value,
        "status_label": {"zh": zh, "en": en},
        "placed_at_ns": order["placed_at_ns"],
        "promised_at_ns": order["promised_at_ns"],
        "eta_ns": _eta(order, reached, carrier_id, last, net),
        "delivered_at_ns": reached[Milestone.DELIVERED.value]["at_ns"]
        if Milestone.DELIVERED.value in reached
        else None,
        "items": [
            {"name": names.get(ln["sku"]) or ln["sku"], "quantity": ln["quantity"]} for ln in order["lines"]
        ],
        "carrier": carriers.get(carrier_id) if carrier_id else None,
        "waybill": ", ".join(b["number"] or "" for b in bills) or None,
        "waybills": bills,
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


def _eta(
    order: Mapping[str, Any],
    reached: Mapping[str, Mapping[str, Any]],
    carrier_id: str | None,
    attempt: Mapping[str, Any] | None,
    net: Any,
) -> int | None:
    """The promise until collection; then collection + the carrier's lane hours over the
    routed distance; None once delivered or when nothing is known."""
    if any(m in reached for m in (Milestone.DELIVERED.value, Milestone.CANCELLED.value)):
        return None
    promise: int | None = order["promised_at_ns"]
    collected = reached.get(Milestone.COLLECTED.value)
    if collected is None or carrier_id is None or attempt is None or carrier_id not in net.c_index:
        return promise
    parcels = orjson.loads(attempt["data"]).get("plan", [None, []])[1]
    if not parcels:
        return promise
    km = float(parcels[0][5])
    hours = float(lane_hours(net, np.array([net.c_index[carrier_id]]), np.array([km]))[0])
    return int(collected["at_ns"]) + int(hours * HOUR_NS)
