"""Business validation of a canonical order before it is accepted.

Shape and types are checked at the edge (API schemas, channel adapters); this
module checks what only the domain knows: amounts add up, quantities are sane,
SKUs exist, the channel is known. Each failure names the field, as a dotted path.

The channels known are handed in (``channels``): the registry built at bootstrap from
the adapters and the mapping files, so a platform added as a TOML file is known without
an edit here; :data:`BUILTIN_CHANNELS` (the :class:`Channel` names) when none is given.
"""

from __future__ import annotations

from collections.abc import Collection, Container

from ordo.domain.errors import UnknownSku, ValidationError
from ordo.domain.orders.model import Channel, LineFlag, Order

MAX_LINES = 500
MAX_QUANTITY = 100_000
#: 1亿元 in fen: above this a line price is a typo or an attack, not a sale.
MAX_UNIT_PRICE_FEN = 10_000_000_000
MAX_TAGS = 32
MAX_TEXT = {"external_id": 64, "customer_ref": 64, "remark": 1000}

#: The channels shipped with Ordo (its :class:`Channel` names).
BUILTIN_CHANNELS = frozenset(c.value for c in Channel)
_FLAGS = frozenset(f.value for f in LineFlag)


def validate_order(
    order: Order,
    known_skus: Container[str],
    prefix: str = "",
    *,
    channels: Collection[str] = BUILTIN_CHANNELS,
) -> None:
    """Raise ValidationError (naming the field) if ``order`` cannot be accepted."""
    if order.channel not in channels:
        raise ValidationError(
            f"{prefix}channel",
            f"unknown channel {order.channel!r} / 未知渠道「{order.channel}」",
            details={"allowed": sorted(channels)},
        )
    for name, limit in MAX_TEXT.items():
        value: str = getattr(order, name)
        if len(value) > limit:
            raise ValidationError(f"{prefix}{name}", f"longer than {limit} characters / 超过 {limit} 个字符")
    if not order.external_id.strip():
        raise ValidationError(f"{prefix}external_id", "must not be empty / 不能为空")
    if not order.lines:
        raise ValidationError(f"{prefix}lines", "an order needs at least one line / 订单至少需要一行")
    if len(order.lines) > MAX_LINES:
        raise ValidationError(f"{prefix}lines", f"more than {MAX_LINES} lines / 订单行数超过 {MAX_LINES}")
    if len(order.tags) > MAX_TAGS:
        raise ValidationError(f"{prefix}tags", f"more than {MAX_TAGS} tags / 标签超过 {MAX_TAGS} 个")
    for i, line in enumerate(order.lines):
        where = f"{prefix}lines[{i}]"
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise ValidationError(
                f"{where}.quantity",
                f"quantity must be 1..{MAX_QUANTITY} / 数量必须在 1 到 {MAX_QUANTITY} 之间",
            )
        if not 0 <= line.unit_price_fen <= MAX_UNIT_PRICE_FEN:
            raise ValidationError(
                f"{where}.unit_price_fen",
                "unit price out of range (integer fen) / 单价超出范围（单位：分）",
            )
        if not 0 <= line.discount_fen <= line.quantity * line.unit_price_fen:
            raise ValidationError(
                f"{where}.discount_fen", "discount exceeds the line amount / 优惠超过行金额"
            )
        unknown_flags = line.flags - _FLAGS
        if unknown_flags:
            raise ValidationError(
                f"{where}.flags",
                f"unknown flags {sorted(unknown_flags)} / 未知标记",
                details={"allowed": sorted(_FLAGS)},
            )
        if line.sku not in known_skus:
            raise UnknownSku(f"{where}.sku", f"unknown SKU {line.sku!r} / 未知商品编码「{line.sku}」")
    if order.freight_fen < 0:
        raise ValidationError(f"{prefix}freight_fen", "must not be negative / 不能为负数")
    if not 0 <= order.discount_fen <= order.goods_fen:
        raise ValidationError(f"{prefix}discount_fen", "discount exceeds the goods amount / 优惠超过商品金额")
    if order.paid_at_ns is not None and order.paid_at_ns < order.placed_at_ns - 86_400 * 10**9:
        raise ValidationError(f"{prefix}paid_at", "paid long before it was placed / 支付时间早于下单时间")
