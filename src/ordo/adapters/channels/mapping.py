"""The one shared step after an adapter: a :class:`ChannelOrder` → Ordo's canonical ``Order``.

Platform SKU ids become Ordo SKUs through a lookup the caller builds from the
mapping table (an unmapped SKU makes the payload unmappable, with the SKU named);
the address is resolved to divisions and coordinates (an unresolvable one is kept
as sent and tagged ``HoldReason.ADDRESS``, so intake holds the order instead of
routing it on a guess). Amounts reconcile exactly: when the platform says what the
buyer paid, the order-level discount is whatever makes Ordo's total equal it.
Pure: no clock, no database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ordo.adapters.channels.base import ChannelOrder
from ordo.adapters.channels.values import Reason, Unmappable
from ordo.adapters.geo.address import AddressResolver, Resolution
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.model import Address, Line, LineFlag, Order

#: Platform SKU id → (Ordo SKU, its handling flags), or None when unmapped.
SkuLookup = Callable[[str], tuple[str, frozenset[str]] | None]

_GIFT = frozenset({LineFlag.GIFT.value})


class Mapped(NamedTuple):
    """A payload Ordo understood: the order (None for a status-only push) and its steps.

    A NamedTuple for the same reason as :class:`ChannelOrder`: one per payload, cheap to build."""

    source: ChannelOrder
    order: Order | None
    address: Resolution | None = None


def _fit(value: str, limit: int) -> str:
    # A value longer than its column is ciphertext or junk; the identifiers keep it whole.
    return value if len(value) <= limit else ""


def to_canonical(co: ChannelOrder, skus: SkuLookup, resolver: AddressResolver) -> Mapped:
    if not co.complete:
        return Mapped(co, None)
    reasons: list[Reason] = []
    lines: list[Line] = []
    goods = 0  # the lines' amounts, summed as they are built (Line.amount_fen)
    for i, ln in enumerate(co.lines):
        ref = None
        for candidate in ln.skus:
            ref = skus(candidate)
            if ref is not None:
                break
        if ref is None:
            shown = ", ".join(ln.skus)
            reasons.append(
                Reason(
                    "unmapped_sku",
                    f"lines[{i}].sku",
                    f"lines[{i}].sku: no Ordo SKU is mapped to {co.channel} SKU {shown} "
                    f"(ordo channels sku-map {co.channel} <platform sku> <ordo sku>) "
                    f"/ 平台商品编码「{shown}」未映射到 Ordo 商品",
                )
            )
            continue
        sku, flags = ref
        quantity, off = ln.quantity, ln.discount_fen
        if ln.gift:
            lines.append(Line(sku, quantity, 0, flags | _GIFT, off, ln.line_id[:64]))
            goods -= off
        else:
            price = ln.unit_price_fen
            lines.append(Line(sku, quantity, price, flags, off, ln.line_id[:64]))
            goods += quantity * price - off
    discount = co.discount_fen
    if co.paid_total_fen is not None and not reasons:
        discount = goods + co.freight_fen - co.paid_total_fen
        if discount < 0:
            reasons.append(
                Reason(
                    "amounts_mismatch",
                    "paid_total",
                    f"paid total {co.paid_total_fen} fen exceeds goods {goods} + freight {co.freight_fen} "
                    "/ 实付金额大于商品金额与运费之和",
                )
            )
    if reasons:
        raise Unmappable(reasons)

    a = co.address
    res = resolver.resolve(a.province, a.city, a.district, a.text)
    detail = (a.street + a.detail) if (a.street or a.detail) else (res.rest or a.text)
    tags = co.tags
    if res.resolved:  # _fit inline: this branch runs for nearly every payload
        name, phone = a.name, a.phone
        ship = Address(
            res.province, res.city, res.district, detail if len(detail) <= 500 else "", res.adcode,
            res.lat, res.lng, name if len(name) <= 100 else "", phone if len(phone) <= 32 else "",
        )  # fmt: skip
    else:
        ship = Address(
            a.province[:32], a.city[:32], a.district[:32], _fit(detail or a.text, 500),
            name=_fit(a.name, 100), phone=_fit(a.phone, 32),
        )  # fmt: skip
        tags = (*tags, HoldReason.ADDRESS.value)
    order = Order(
        id="",
        channel=co.channel,
        external_id=co.external_id,
        customer_ref=f"{co.channel}:{co.buyer_ref}"[:64] if co.buyer_ref else "",
        ship_to=ship,
        lines=tuple(lines),
        placed_at_ns=co.placed_at_ns,
        paid_at_ns=co.paid_at_ns,
        freight_fen=co.freight_fen,
        discount_fen=discount,
        tags=tags,
        remark=co.remark[:1000],
        identifiers=co.identifiers,
    )
    return Mapped(co, order, res)
