"""The kinds of a customer's events a trigger can count, with their labels in both languages.

A customer event is read off the outbox (an order placed, returned, late) or a tagged
service message (咨询, 投诉 …); each carries the customer, when, the channel and the order
when known. Data only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

#: kind → (中文, English).
EVENT_KINDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "inquiry": ("咨询", "inquiry"),
        "complaint": ("投诉", "complaint"),
        "chase": ("催单", "chase"),
        "change_address": ("改地址", "address change"),
        "exchange": ("换货", "exchange"),
        "return_refund": ("退货退款申请", "return / refund request"),
        "ordered": ("下单", "order placed"),
        "returned": ("退货", "return"),
        "cancelled": ("取消", "cancellation"),
        "delayed": ("订单延迟", "late order"),
    }
)


def kind_label(kind: str, lang: str = "zh") -> str:
    zh, en = EVENT_KINDS.get(kind, (kind, kind))
    return zh if lang == "zh" else en


@dataclass(frozen=True, slots=True)
class CustomerEvent:
    """One event of one customer; ``id`` orders events that share a time (the stored id)."""

    kind: str
    at_ns: int
    channel: str | None = None
    order_id: str | None = None
    id: int = 0
