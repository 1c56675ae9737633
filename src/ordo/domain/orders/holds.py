"""Why an accepted order waits instead of going to its warehouse: the one :class:`HoldReason`.

``orders.hold_reason`` stores one of these codes (the stored strings never change):

* ``no_stock`` – routing found no warehouse with the goods; a re-route once stock is
  there lets it go;
* ``address_unresolved`` – the ship-to address could not be resolved, so routing it would
  be a guess; correcting the address lets it go (channel adapters also tag the order
  with this code);
* ``review`` or ``review:<the rule's reason>`` – a review rule held it; a person releases it;
* ``manual:<the operator's reason>`` – an operator held it; a person releases it;
* ``merge_window:<release at, UTC ns>`` – a merge-window rule (合单) holds it, unrouted, for
  the customer's other orders to the same address; the merge duty routes and merges them
  when the window ends (``service.orders.merge_window``).

People filter and read holds by *kind* (``address``, ``no_stock``, ``review``,
``manual``): :func:`hold_kind`. Pure: standard library only.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "RELEASABLE",
    "HoldReason",
    "hold_kind",
    "manual_hold",
    "merge_hold",
    "merge_until",
    "review_hold",
]

#: Longest stored code (``orders.hold_reason`` is 64 characters).
MAX_CODE = 64


class HoldReason(StrEnum):
    """A hold's code, or for ``REVIEW`` and ``MANUAL`` the prefix of it."""

    NO_STOCK = "no_stock"
    ADDRESS = "address_unresolved"
    REVIEW = "review"
    MANUAL = "manual"
    MERGE = "merge_window"

    @property
    def kind(self) -> str:
        """The name people filter by: ``address``, ``no_stock``, ``review`` or ``manual``."""
        return "address" if self is HoldReason.ADDRESS else self.value


#: Holds a person lets go (``release``); routing keeps them when it moves the order.
RELEASABLE = frozenset({HoldReason.REVIEW.kind, HoldReason.MANUAL.kind})


def review_hold(reason: str) -> str:
    """The code a review rule holds an order with: ``review:<reason>`` (or ``review``)."""
    return f"{HoldReason.REVIEW}:{reason}"[:MAX_CODE] if reason else HoldReason.REVIEW.value


def manual_hold(reason: str) -> str:
    """The code an operator holds an order with: ``manual:<reason>``."""
    return f"{HoldReason.MANUAL}:{reason}"[:MAX_CODE]


def merge_hold(until_ns: int) -> str:
    """The code a merge-window rule holds an order with: ``merge_window:<release at>``."""
    return f"{HoldReason.MERGE}:{until_ns}"


def merge_until(hold_reason: str | None) -> int | None:
    """When a merge-window hold ends (UTC ns); None when ``hold_reason`` is not one."""
    if not hold_reason or not hold_reason.startswith(f"{HoldReason.MERGE}:"):
        return None
    tail = hold_reason.split(":", 1)[1]
    return int(tail) if tail.isdigit() else None


def hold_kind(hold_reason: str | None) -> str | None:
    """``address``, ``no_stock``, ``review`` or ``manual`` for a stored code (None: not held)."""
    if not hold_reason:
        return None
    if hold_reason == HoldReason.ADDRESS:
        return HoldReason.ADDRESS.kind
    return hold_reason.split(":", 1)[0]
