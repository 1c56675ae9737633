"""What shops, pulling and write-back ask of the store.

A shop is one seller account on one platform with its own credentials; a pull cursor
says how far its incremental download got; a pulled order remembers its shop; a
shipment is one confirmation owed to a platform. The store implements
:class:`PlatformRepository`; nothing here runs SQL or decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol, TypedDict

__all__ = ["PlatformLine", "PlatformRepository", "ShipmentRecord", "ShopRecord"]


class ShopRecord(TypedDict):
    id: str
    channel: str
    name: str
    app_key: str
    app_secret: str
    session: str
    endpoint: str
    version: int
    enabled: bool
    created_at_ns: int
    updated_at_ns: int


class ShipmentRecord(TypedDict):
    id: int
    shop_id: str
    order_id: str
    channel: str
    external_id: str
    waybill: str
    carrier: str
    state: str
    attempts: int
    next_at_ns: int
    outbound_at_ns: int
    due_at_ns: int
    acked_at_ns: int | None
    sla_raised: bool
    last_error: str
    created_at_ns: int
    updated_at_ns: int
    #: ``ship`` (a parcel left), ``cancel`` (the order was cancelled), ``intercept`` (a parcel
    #: is being called back): what the platform is told.
    kind: str
    #: The platform line ids the parcel holds with their quantities (``oid=2,oid=1``); empty:
    #: the whole order.
    lines: str


class PlatformLine(NamedTuple):
    """One order line as the platform knows it: what a split parcel is confirmed by."""

    line_no: int
    platform_line_id: str
    quantity: int
    #: The warehouse the line ships from (its parcel), None before routing.
    warehouse_id: str | None


class ListingRecord(TypedDict):
    """A platform listing (item and platform SKU id) selling an Ordo SKU in a shop."""

    shop_id: str
    item_id: str
    platform_sku_id: str
    sku: str
    updated_at_ns: int


class StockPushRecord(TypedDict):
    """The sellable quantity a listing should show, until the platform took it."""

    shop_id: str
    item_id: str
    platform_sku_id: str
    channel: str
    sku: str
    quantity: int
    state: str
    attempts: int
    next_at_ns: int
    acked_at_ns: int | None
    last_error: str
    updated_at_ns: int


class PlatformRepository(Protocol):
    # shops ---------------------------------------------------------------
    def add_shop(self, shop: ShopRecord) -> bool: ...

    def shops(self, channel: str | None = ...) -> list[ShopRecord]: ...

    def shop(self, shop_id: str) -> ShopRecord | None: ...

    def rotate(
        self, shop_id: str, *, app_key: str | None, app_secret: str | None, session: str | None, now_ns: int
    ) -> int | None: ...

    def versions(self) -> dict[str, int]: ...

    # pulling --------------------------------------------------------------
    def cursor(self, shop_id: str) -> tuple[int, int] | None: ...

    def commit_page(
        self, shop_id: str, cursor_ns: int, keys: Sequence[tuple[str, str]], now_ns: int
    ) -> int: ...

    def shops_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]: ...

    # write-back -----------------------------------------------------------
    def add_shipments(self, rows: Sequence[ShipmentRecord]) -> int: ...

    def due_shipments(self, now_ns: int, limit: int = ...) -> list[ShipmentRecord]: ...

    def shipments(
        self, *, state: str | None = ..., order_id: str | None = ..., limit: int = ...
    ) -> list[ShipmentRecord]: ...

    def shipment_acked(self, ids: Sequence[int], now_ns: int) -> None: ...

    def shipment_failed(
        self, shipment_id: int, *, attempts: int, next_at_ns: int, error: str, dead: bool, now_ns: int
    ) -> None: ...

    def replay_shipments(self, ids: Sequence[int] | None, now_ns: int) -> int: ...

    def overdue(self, before_ns: int, limit: int = ...) -> list[ShipmentRecord]: ...

    def mark_sla_raised(self, ids: Sequence[int]) -> None: ...

    def shipment_counts(self) -> dict[str, int]: ...

    def platform_lines(self, order_ids: Iterable[str]) -> dict[str, list[PlatformLine]]: ...

    # stock sync
    def set_listings(self, rows: Sequence[ListingRecord]) -> None: ...

    def listings(
        self, shop_id: str | None = ..., skus: Sequence[str] | None = ...
    ) -> list[ListingRecord]: ...

    def want_stock(self, rows: Sequence[StockPushRecord]) -> None: ...

    def due_stock(self, now_ns: int, limit: int = ...) -> list[StockPushRecord]: ...

    def stock_pushes(self, *, state: str | None = ..., limit: int = ...) -> list[StockPushRecord]: ...

    def stock_done(
        self, row: StockPushRecord, *, state: str, attempts: int, next_at_ns: int, error: str, now_ns: int
    ) -> bool: ...

    def replay_stock(self, now_ns: int) -> int: ...
