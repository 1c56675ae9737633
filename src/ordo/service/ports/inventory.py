"""What the inventory and routing use cases ask of the store: stock rows, the catalog,
channel stock rules and the quantities published to channels.

Repository interfaces (``typing.Protocol``) and :class:`Delta`, the unit of every stock
change. The store implements them; nothing here runs SQL or decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ordo.domain.inventory.stock import ChannelRule, SyncChange
from ordo.domain.inventory.substitutes import Substitute
from ordo.domain.orders.model import Carrier, Customer, Sku, Stock, Warehouse

__all__ = ["CatalogRepository", "ChannelStockRepository", "Delta", "StockRepository"]


@dataclass(frozen=True, slots=True)
class Delta:
    """Units of one SKU at one warehouse to reserve, release or consume."""

    warehouse_id: str
    sku: str
    quantity: int


class StockRepository(Protocol):
    """Stock rows: guarded reservation, release and consumption (rows locked in key order)."""

    def lock(self, skus: Iterable[str]) -> list[Stock]: ...

    def lock_available(self, skus: Iterable[str]) -> list[tuple[str, str, int]]: ...

    def available(self, skus: Iterable[str]) -> list[tuple[str, str, int]]:
        """``lock_available``'s rows, no row locked (a read snapshot's view)."""
        ...

    def reserve(self, deltas: Iterable[Delta]) -> None: ...

    def release(self, deltas: Iterable[Delta]) -> None: ...

    def consume(self, deltas: Iterable[Delta]) -> None: ...

    def set_levels(self, levels: Iterable[Stock]) -> None: ...

    def get(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Stock]: ...

    def query(
        self,
        *,
        warehouse_id: str | None = ...,
        sku: str | None = ...,
        low_only: bool = ...,
        after: tuple[str, str] | None = ...,
        limit: int = ...,
        low_threshold: int = ...,
        sku_in: Sequence[str] | None = ...,
    ) -> list[Stock]: ...

    def totals(self) -> dict[str, int]: ...

    def pools(self, skus: Iterable[str] | None = ...) -> dict[str, int]: ...

    def set_safety(self, items: Sequence[tuple[str, str, int]]) -> None: ...

    def unpaid_holders(self, created_before_ns: int, limit: int) -> list[str]: ...

    def skus_moved(self, after_event_id: int, upto_event_id: int) -> list[str]: ...

    def skus_after(self, after: str | None, limit: int) -> list[str]: ...


class CatalogRepository(Protocol):
    """Warehouses, carriers, SKUs, customers and key/value metadata."""

    def save_warehouses(self, items: Iterable[Warehouse]) -> None: ...

    def warehouses(self) -> list[Warehouse]: ...

    def set_warehouse_active(self, warehouse_id: str, active: bool) -> bool: ...

    def save_carriers(self, items: Iterable[Carrier]) -> None: ...

    def carriers(self) -> list[Carrier]: ...

    def save_skus(self, items: Iterable[Sku]) -> None: ...

    def known_skus(self, candidates: Iterable[str]) -> set[str]: ...

    def skus(self, limit: int | None = ..., category: str | None = ...) -> list[Sku]: ...

    def save_customers(self, items: Iterable[Customer]) -> None: ...

    def customers(self, refs: Sequence[str]) -> dict[str, Customer]: ...

    def count(self, table: str) -> int: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def revision(self) -> str | None:
        """A token that changes with every write to warehouses, carriers or SKUs (None: none yet)."""
        ...


class ChannelStockRepository(Protocol):
    """Channel stock rules and the quantities last published to each channel (库存同步)."""

    def rules(self, channel: str | None = ...) -> list[ChannelRule]: ...

    def save_rules(self, rules: Sequence[ChannelRule], now_ns: int) -> None: ...

    def delete_rule(self, channel: str, sku: str) -> bool: ...

    def published(self, skus: Iterable[str] | None = ...) -> dict[tuple[str, str], int]: ...

    def publish(self, found: Sequence[SyncChange], now_ns: int) -> None: ...

    def forget(self, keys: Sequence[tuple[str, str]]) -> None: ...


@dataclass(frozen=True, slots=True)
class SubstituteRow:
    """A substitute as stored, with when and by whom it was last changed."""

    item: Substitute
    updated_at_ns: int
    updated_by: str


class SubstituteRepository(Protocol):
    """Substitute SKUs (``sku → substitute``, ratio, channel scope, priority)."""

    def rows(self, skus: Iterable[str] | None = ...) -> list[SubstituteRow]: ...

    def save(self, items: Sequence[Substitute], now_ns: int, by: str) -> None: ...

    def delete(self, sku: str, substitute: str, channel: str) -> bool: ...
