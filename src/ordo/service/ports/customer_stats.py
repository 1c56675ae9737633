"""What the live customer fields ask of the store: each customer's running statistics.

A repository interface (``typing.Protocol``); the store implements it. Nothing here runs SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["CustomerStatsRepository", "LastOrder", "StatsRow"]


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One customer's history as kept: orders (less cancelled), spend in fen, returns, when
    the first and the last order were placed (cancelled ones too)."""

    customer_ref: str
    orders: int
    spend_fen: int
    returns: int
    first_order_at_ns: int | None
    last_order_at_ns: int | None = None


@dataclass(frozen=True, slots=True)
class LastOrder:
    """A customer's latest order, for showing who the customer is (masked by the caller)."""

    customer_ref: str
    order_id: str
    channel: str
    recipient_name: str
    recipient_phone: str
    province: str


class CustomerStatsRepository(Protocol):
    def get(self, refs: Iterable[str]) -> dict[str, StatsRow]:
        """The rows of these customers (a customer never seen has none)."""
        ...

    def every(self) -> list[StatsRow]:
        """Every customer's row (the segments page judges them all)."""
        ...

    def last_orders(self, refs: Iterable[str]) -> dict[str, LastOrder]:
        """Each of these customers' latest order."""
        ...

    def add_orders(self, orders: Sequence[tuple[str, int, int]], now_ns: int) -> None:
        """New orders as (customer ref, amount in fen, placed at): one more order each."""
        ...

    def on_milestones(self, returned: Sequence[str], cancelled: Sequence[str], now_ns: int) -> None:
        """Orders just returned (one more return for their customer) and just cancelled (one
        order and its amount less), by order id."""
        ...

    def rebuild(self, now_ns: int) -> int:
        """Recount every customer from the stored orders and milestones; the customers kept."""
        ...
