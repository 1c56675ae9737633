"""What the live customer fields ask of the store: each customer's running statistics.

A repository interface (``typing.Protocol``); the store implements it. Nothing here runs SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["CustomerStatsRepository", "StatsRow"]


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One customer's history as kept: orders (less cancelled), spend in fen, returns."""

    customer_ref: str
    orders: int
    spend_fen: int
    returns: int
    first_order_at_ns: int | None


class CustomerStatsRepository(Protocol):
    def get(self, refs: Iterable[str]) -> dict[str, StatsRow]:
        """The rows of these customers (a customer never seen has none)."""
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
