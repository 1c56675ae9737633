"""What every channel adapter produces, and the one small Protocol they all follow.

An adapter is pure: it reads one payload exactly as the platform sends it and
returns a :class:`ChannelOrder` — the order in platform-neutral terms, still
naming the platform's SKU ids and the address as sent — or raises
:class:`~ordo.adapters.channels.values.Unmappable` with every reason. Turning that
into Ordo's canonical ``Order`` (SKU mapping, address resolution) is one shared
step, :mod:`ordo.adapters.channels.mapping`. Adapters never read a clock, a
database or the environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import Identifier, IdentifierKind

M = Milestone


# ChannelOrder, ChannelLine and RawAddress are NamedTuples, not frozen dataclasses: just
# as immutable and typed, and built several times per payload, where a frozen
# dataclass's field-by-field object.__setattr__ was a fifth of the mapping time.
class ChannelLine(NamedTuple):
    """One line as the platform sent it. ``skus`` are the platform's ids for the item,
    best first (the merchant's own code, then the platform's SKU id)."""

    skus: tuple[str, ...]
    quantity: int
    unit_price_fen: int
    discount_fen: int = 0
    gift: bool = False
    title: str = ""
    #: The platform's id of this line (its sub-order), kept for split-parcel write-back.
    line_id: str = ""


class RawAddress(NamedTuple):
    """The receiver as sent: separate parts, a full text, or both. Masked parts stay masked."""

    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    detail: str = ""
    text: str = ""
    name: str = ""
    phone: str = ""


class ChannelOrder(NamedTuple):
    channel: str
    external_id: str
    #: The platform's own status code, as text (``WAIT_SELLER_SEND_GOODS``, ``2``).
    status: str
    #: Milestones the status implies, with when each happened, in lifecycle order.
    steps: tuple[tuple[Milestone, int], ...]
    #: False for a status-only push (no lines / address): it can update, never create.
    complete: bool = True
    lines: tuple[ChannelLine, ...] = ()
    address: RawAddress = RawAddress()
    placed_at_ns: int = 0
    paid_at_ns: int | None = None
    freight_fen: int = 0
    #: What the buyer pays in all (after every discount, with freight); None if not sent.
    paid_total_fen: int | None = None
    #: Order-level discount, used only when the platform sends no paid total.
    discount_fen: int = 0
    remark: str = ""
    buyer_ref: str = ""
    identifiers: tuple[Identifier, ...] = ()
    tags: tuple[str, ...] = ()


class ChannelAdapter(Protocol):
    """A channel: its name, its status vocabulary, and a pure payload reader."""

    channel: str
    #: Platform status → the milestones it implies (shown by ``ordo channels list``).
    statuses: Mapping[str, tuple[Milestone, ...]]

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder: ...


# -- helpers the adapters share ------------------------------------------------

_PLAIN_PHONE = re.compile(r"^\+?[\d\- ]{7,20}$")
# An enum's ``.value`` is a descriptor call; these run several times per payload.
_PHONE = IdentifierKind.PHONE.value
_KIND_VALUES = {kind: kind.value for kind in IdentifierKind}


def is_masked(value: str) -> bool:
    """True for values a platform hid: ``138****1234``, ``张**``, ciphertext (``~…~``, ``#…#``)."""
    if not value:
        return False
    return "*" in value or value[0] in "~#$" or (len(value) > 24 and not value.isdigit())


def phone_identifier(value: str) -> Identifier | None:
    if not value:
        return None
    masked = is_masked(value) or not _PLAIN_PHONE.match(value)
    return Identifier(_PHONE, value, masked=masked)


def identifier(kind: IdentifierKind, value: str, *, masked: bool | None = None) -> Identifier | None:
    if not value:
        return None
    return Identifier(_KIND_VALUES[kind], value, masked=is_masked(value) if masked is None else masked)


def identifiers(*items: Identifier | None) -> tuple[Identifier, ...]:
    seen: set[tuple[str, str]] = set()
    out: list[Identifier] = []
    for item in items:
        if item is not None and (item.kind, item.value) not in seen:
            seen.add((item.kind, item.value))
            out.append(item)
    return tuple(out)


def steps_for(
    status: tuple[Milestone, ...], times: Mapping[Milestone, int | None], fallback_ns: int
) -> tuple[tuple[Milestone, int], ...]:
    """Each implied milestone with its own time when the payload has one, else ``fallback_ns``."""
    return tuple([(m, times.get(m) or fallback_ns) for m in status])  # a list: no generator per payload


#: Tags an adapter puts on the order for what the payload says about it (rules can match them).
RECEIVER_MASKED = "receiver_masked"  # name / phone / address masked or encrypted: kept, never linked
PARTIALLY_SHIPPED = "partially_shipped"  # some lines have left, others not yet
LINE_REFUNDED = "line_refunded"  # a line refunded before it shipped: left out of the order
REFUND_AFTER_SHIPPING = "refund_after_shipping"  # a line refunded after it left
PRESALE = "presale"  # a staged (deposit + balance) trade, e.g. Tmall 预售
PRESALE_DEPOSIT_ONLY = "presale_deposit_only"  # its deposit is paid, its balance not yet
STORE_PICKUP = "store_pickup"  # the buyer collects it in a shop (门店自提), nothing to ship by carrier


def receiver_tags(address: RawAddress) -> tuple[str, ...]:
    """``(RECEIVER_MASKED,)`` when any part of the receiver is masked or ciphertext."""
    if is_masked(address.name) or is_masked(address.phone):
        return (RECEIVER_MASKED,)
    for value in (address.detail, address.text):  # a long address is not ciphertext by length
        if value and ("*" in value or value[0] in "~#$"):
            return (RECEIVER_MASKED,)
    return ()
