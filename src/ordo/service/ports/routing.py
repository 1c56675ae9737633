"""What the routing use cases ask of the store: decisions, the networks they point into,
and the orders a re-route or an outage moves.

A repository interface (``typing.Protocol``); the store implements it. Nothing here runs
SQL or decides anything (``ordo.domain.routing`` routes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["RoutingRepository"]


class RoutingRepository(Protocol):
    """Routing decisions (one row per order and attempt) and the networks they refer to."""

    def add(self, rows: Sequence[dict[str, Any]]) -> None: ...

    def attempts(self, order_id: str) -> list[dict[str, Any]]: ...

    def network(self, digest: str) -> str | None: ...

    def save_network(self, digest: str, warehouses: str, now_ns: int) -> None: ...

    def order_exists(self, order_id: str) -> bool: ...

    def open_orders_at(self, warehouse_id: str, limit: int = ...) -> list[str]: ...

    def set_plan(
        self, order_id: str, warehouse_id: str | None, hold_reason: str | None, now_ns: int
    ) -> None: ...
