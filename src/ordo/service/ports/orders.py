"""What the order use cases ask of the store: orders, holds, who-reported-what, parcels.

The repository interfaces (``typing.Protocol``) the service types against, the values they
trade in (:class:`Progress`, :class:`OrderFilter`), and the read models they return,
typed rows that are plain dicts at run time (``TypedDict``) so the API and the CLI
serialise them as before. The store (``ordo.adapters.store.repositories``) implements
these; nothing here runs SQL, imports SQLAlchemy or decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, Protocol, TypedDict

from ordo.domain.orders.consolidation import OpenOrder
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import AcceptedOrder
from ordo.domain.orders.status_graph import Known

__all__ = [
    "AnomalyRecord",
    "ClaimRepository",
    "HoldRepository",
    "MilestoneRecord",
    "OrderFilter",
    "OrderLineRecord",
    "OrderRecord",
    "OrderRepository",
    "OrderSummary",
    "ParcelRecord",
    "ParcelRepository",
    "Progress",
    "RegionFilter",
    "ShipTo",
    "VocabularyAnomaly",
]


# values ---------------------------------------------------------------------------------
@dataclass(slots=True)
class Progress:
    """What the lifecycle needs to know about one order, read under lock."""

    order_id: str
    channel: str
    status: str
    warehouse_id: str | None
    steps: set[Milestone]
    #: The order's hold (``orders.hold_reason``); None: not held.
    hold_reason: str | None = None


@dataclass(frozen=True, slots=True)
class RegionFilter:
    """A place an order list is narrowed to: orders whose ship-to adcode starts with
    ``prefix`` (2 digits: a province, 4: a city, 6: a district). A province is matched by
    its stored ``names`` instead (the full name), an indexed column, which also finds orders
    whose address could not be located (no adcode) but name the province."""

    prefix: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: str | None = None
    channel: str | None = None
    warehouse_id: str | None = None
    customer_ref: str | None = None
    #: The stored province name exactly; what a user types goes through the service, which
    #: turns it into ``region``.
    province: str | None = None
    created_from_ns: int | None = None
    created_to_ns: int | None = None
    #: One tag, matched through the ``order_tags`` index.
    tag: str | None = None
    #: The place ``province`` names, resolved by the service (``广东`` = 广东省 = 44).
    region: RegionFilter | None = None
    #: Only these channels (a caller bound to several); None: any.
    channels: frozenset[str] | None = None


# read models ----------------------------------------------------------------------------
class OrderLineRecord(TypedDict):
    line_no: int
    sku: str
    quantity: int
    unit_price_fen: int
    discount_fen: int
    flags: list[str]
    #: The line's own warehouse when the order was split at intake (else the order's, or None).
    warehouse_id: str | None


class ParcelRecord(TypedDict):
    """One warehouse's share of an order: the numbers of the lines it ships."""

    warehouse_id: str
    lines: list[int]


class MilestoneRecord(TypedDict):
    milestone: str
    at_ns: int
    source: str
    recorded_at_ns: int


class AnomalyRecord(TypedDict):
    """A refused status update kept beside the order."""

    milestone: str
    source: str
    at_ns: int
    code: str
    message: str
    recorded_at_ns: int


class OrderSummary(TypedDict):
    """An order as a list shows it (search, held orders, a customer's orders)."""

    id: str
    channel: str
    external_id: str
    customer_ref: str
    status: str
    warehouse_id: str | None
    hold_reason: str | None
    province: str
    city: str
    district: str
    recipient_name: str
    recipient_phone: str
    total_fen: int
    tags: list[str]
    priority: int
    placed_at_ns: int
    created_at_ns: int
    updated_at_ns: int


class OrderRecord(TypedDict):
    """One order as stored: every column of ``orders``, its lines, parcels and milestones."""

    id: str
    channel: str
    external_id: str
    customer_ref: str
    status: str
    warehouse_id: str | None
    hold_reason: str | None
    province: str
    city: str
    district: str
    detail: str
    adcode: str | None
    lat: float | None
    lng: float | None
    recipient_name: str
    recipient_phone: str
    goods_fen: int
    discount_fen: int
    freight_fen: int
    total_fen: int
    tags: list[str]
    priority: int
    remark: str
    placed_at_ns: int
    paid_at_ns: int | None
    promised_at_ns: int | None
    created_at_ns: int
    updated_at_ns: int
    lines: list[OrderLineRecord]
    parcels: list[ParcelRecord]
    milestones: list[MilestoneRecord]
    #: The intercept (拦截) asked of the warehouse when the order was held after release.
    intercept: InterceptRecord | None


class InterceptRecord(TypedDict):
    """An intercept: ``requested`` (sent to the warehouse), ``intercepted`` or ``failed``
    (its answer), when (``at_ns``) and by which system (``source``)."""

    state: str
    requested_at_ns: int
    at_ns: int
    source: str
    hold_reason: str | None


class ShipTo(TypedDict):
    """The ship-to columns an address correction writes (the recipient only when given)."""

    province: str
    city: str
    district: str
    detail: str
    adcode: str | None
    lat: float | None
    lng: float | None
    recipient_name: NotRequired[str]
    recipient_phone: NotRequired[str]


class VocabularyAnomaly(TypedDict):
    """A status report in words the status graph does not know, kept like a refused update."""

    order_id: str | None
    milestone: str
    source: str
    at_ns: int
    code: str
    message: str
    recorded_at_ns: int


# repositories ---------------------------------------------------------------------------
class OrderRepository(Protocol):
    """Orders, their lines, milestones and anomalies (writes in batches)."""

    def existing(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]: ...

    def add(
        self,
        accepted: Sequence[AcceptedOrder],
        steps: Sequence[tuple[str, Milestone, int, str]],
        line_warehouses: Sequence[Sequence[str | None] | None] | None = ...,
        phone_keys: Sequence[str | None] | None = ...,
    ) -> None:
        """``phone_keys``: per order, its recipient phone's keyed hash (what a search by
        phone looks up)."""
        ...

    def add_milestones(
        self, steps: Iterable[tuple[str, Milestone, int, str]], recorded_at_ns: int
    ) -> None: ...

    def set_status(self, changes: Sequence[tuple[str, str]], now_ns: int) -> None: ...

    def add_anomalies(self, rejected: Iterable[tuple[MilestoneUpdate, str, str]], now_ns: int) -> None: ...

    def progress(self, order_ids: Iterable[str]) -> dict[str, Progress]:
        """Current steps of these orders; on PostgreSQL their rows stay locked (id order)."""
        ...

    def quantities(self, order_ids: Iterable[str]) -> dict[str, dict[str, int]]: ...

    def stock_lines(self, order_ids: Iterable[str]) -> dict[str, list[tuple[str, str, int]]]: ...

    def get(self, order_id: str) -> OrderRecord | None: ...

    def milestones(self, order_id: str) -> list[MilestoneRecord]: ...

    def anomalies(self, order_id: str) -> list[AnomalyRecord]: ...

    def search(
        self, f: OrderFilter, *, after_id: str | None = ..., limit: int = ...
    ) -> list[OrderSummary]: ...

    def count_by_status(self) -> dict[str, int]: ...

    def open_ids(self, limit: int) -> list[str]: ...


class HoldRepository(Protocol):
    """The columns of ``orders`` an operator changes after intake: the hold and the ship-to."""

    def current(self, order_ids: Iterable[str]) -> dict[str, str | None]: ...

    def set_hold(self, order_ids: Iterable[str], hold_reason: str | None, now_ns: int) -> None: ...

    def set_address(self, order_id: str, values: ShipTo, now_ns: int, *, phone_key: str | None = ...) -> None:
        """Write the ship-to columns; with a ``recipient_phone``, ``phone_key`` (its keyed
        hash, ``domain.customers.identity.phone_lookup``) is written beside it."""
        ...

    def set_watch_hold(self, order_ids: Iterable[str], hold_reason: str | None) -> None: ...

    def request_intercepts(
        self, requests: Sequence[tuple[str, str | None]], source: str, now_ns: int
    ) -> None: ...

    def answer_intercepts(self, answers: Sequence[tuple[str, str, int, str]]) -> None: ...

    def intercepts(self, order_ids: Iterable[str]) -> dict[str, InterceptRecord]: ...

    def hold_marks(self, order_ids: Iterable[str]) -> dict[str, tuple[int, str]]: ...

    def held(
        self,
        *,
        exact: str | None = ...,
        prefix: str | None = ...,
        channel: str | None = ...,
        region: RegionFilter | None = ...,
        after_id: str | None = ...,
        held_from_ns: int | None = ...,
        held_to_ns: int | None = ...,
        limit: int = ...,
    ) -> list[OrderSummary]: ...


class ClaimRepository(Protocol):
    """Who reported each milestone when, for the status graph's conflict check."""

    def known(
        self, order_ids: Iterable[str], milestones: Iterable[Milestone]
    ) -> dict[str, dict[Milestone, Known]]: ...

    def add_vocabulary_anomalies(self, rows: Sequence[VocabularyAnomaly]) -> None: ...


class ParcelRepository(Protocol):
    """Parcel merges (合单): the orders a merge judges, and the parcels made."""

    def open_orders(self, customer_id: str, limit: int = ...) -> list[OpenOrder]: ...

    def orders(self, order_ids: Sequence[str]) -> list[OpenOrder]: ...

    def add(
        self,
        parcel_id: str,
        customer_id: str,
        warehouse_id: str,
        order_ids: Sequence[str],
        now_ns: int,
        by: str,
    ) -> None: ...

    def get(self, parcel_id: str) -> dict[str, Any] | None: ...
