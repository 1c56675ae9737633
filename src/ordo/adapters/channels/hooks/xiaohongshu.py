"""Xiaohongshu: a line carries totals, not a unit price.

``skuList[]`` sends ``skuQuantity``, ``totalPaidAmount`` (what the buyer paid for the line),
``totalMerchantDiscount`` (the shop's discount) and ``totalRedDiscount`` (the platform's,
which the platform pays the shop). The goods price of the line is their sum; the unit
price is that divided by the quantity, rounded up, and the line discount is the shop's
discount plus whatever the rounding added, so ``quantity × unit − discount`` is exact.
The platform's discount stays out of the line: the order's paid total reconciles it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordo.adapters.channels.base import ChannelLine, ChannelOrder
from ordo.adapters.channels.values import Reason, Unmappable, fen_value


def _fen(item: Mapping[str, Any], key: str, at: str, reasons: list[Reason]) -> int:
    value = item.get(key)
    if value is None or value == "" or value == "null":
        return 0
    try:
        fen = value if type(value) is int else fen_value(value)
    except ValueError:
        fen = -1
    if fen < 0:
        reasons.append(
            Reason("bad_amount", f"{at}.{key}", f"{at}.{key}: {value!r} is not an amount in fen / 金额无效")
        )
        return 0
    return fen


def adjust(order: Mapping[str, Any], co: ChannelOrder) -> ChannelOrder:
    if not co.complete:
        return co
    items = order.get("skuList")
    assert isinstance(items, list)  # the mapping read the lines from it
    reasons: list[Reason] = []
    lines: list[ChannelLine] = []
    for i, (line, item) in enumerate(zip(co.lines, items, strict=True)):
        at = f"skuList[{i}]"
        # Lines built directly, not by NamedTuple._replace (a third of this hook's time).
        skus, quantity, _, _, gift, title, line_id = line
        if gift:  # a gift is free whatever its list price: Ordo books it at 0
            lines.append(ChannelLine(skus, quantity, 0, 0, gift, title, line_id))
            continue
        merchant = _fen(item, "totalMerchantDiscount", at, reasons)
        red = _fen(item, "totalRedDiscount", at, reasons)
        gross = line.unit_price_fen + merchant + red  # unit_price_fen holds totalPaidAmount here
        unit = -(-gross // quantity)
        lines.append(
            ChannelLine(skus, quantity, unit, unit * quantity - gross + merchant, gift, title, line_id)
        )
    if reasons:
        raise Unmappable(reasons)
    return co._replace(lines=tuple(lines))
