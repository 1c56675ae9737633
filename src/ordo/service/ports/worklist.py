"""What the order workbench asks of the store: searches beyond the list's filters (platform
order number, phone, recipient, SKU), bounded counts, product names, saved views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ordo.service.ports.orders import OrderFilter, OrderSummary


@dataclass(frozen=True, slots=True)
class WorkFilter:
    """The list's filters (``base``) and exact lookups, each served by an index."""

    base: OrderFilter = field(default_factory=OrderFilter)
    #: The platform's order number (``external_id``), any channel.
    external_id: str | None = None
    order_id: str | None = None
    #: The recipient's phone as typed; the service turns it into ``phone_key`` before the
    #: store is asked (the store never matches a plaintext phone).
    phone: str | None = None
    #: The phone's keyed hash (``orders.recipient_phone_key``); ``""`` matches nothing.
    phone_key: str | None = None
    recipient: str | None = None
    sku: str | None = None
    #: True: held orders only; False: not held; None: either.
    held: bool | None = None


class WorklistRepository(Protocol):
    def search(self, f: WorkFilter, *, after_id: str | None, limit: int) -> list[OrderSummary]:
        """Newest first, after ``after_id``."""
        ...

    def rows(
        self, f: WorkFilter, columns: Sequence[str], *, after_id: str | None, limit: int
    ) -> list[tuple[Any, ...]]:
        """Tuples of ``orders`` columns (``id`` first), newest first, after ``after_id``."""
        ...

    def count(self, f: WorkFilter, cap: int) -> int:
        """How many orders match, counting no further than ``cap + 1``."""
        ...

    def sku_names(self, skus: list[str]) -> dict[str, str]: ...

    def views(self, owner: str) -> list[dict[str, Any]]: ...

    def save_view(self, owner: str, name: str, query: dict[str, str], now_ns: int) -> None: ...

    def delete_view(self, owner: str, name: str) -> bool: ...
