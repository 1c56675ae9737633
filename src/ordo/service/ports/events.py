"""What the event use cases ask of the store: the outbox, outbound consumers' offsets and
subscriptions, and the overview projection (counters, flow, tag index, cursors).

Repository interfaces (``typing.Protocol``), the values they trade in (:class:`Offset`,
:class:`Subscription`) and the typed rows they return. The store implements them;
nothing here runs SQL or decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

from ordo.domain.events import Event

__all__ = [
    "EventRecord",
    "Offset",
    "OrderFacts",
    "OutboundRepository",
    "Outbox",
    "OverviewRepository",
    "Subscription",
]


@dataclass(frozen=True, slots=True)
class Offset:
    consumer: str
    last_id: int
    until_id: int | None = None
    from_ns: int | None = None
    to_ns: int | None = None

    @property
    def finished(self) -> bool:
        return self.until_id is not None and self.last_id >= self.until_id


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    url: str
    event_types: frozenset[str]  # empty: every type
    secret: str
    created_at_ns: int

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class EventRecord(TypedDict):
    """One outbox row (as the projector reads it)."""

    id: int
    type: str
    order_id: str | None
    channel: str | None
    at_ns: int
    payload: Any


class OrderFacts(TypedDict):
    """What the overview projector reads of an order its events name."""

    id: str
    promised_at_ns: int | None
    warehouse_id: str | None
    province: str
    channel: str
    created_at_ns: int
    tags: list[str]


class Outbox(Protocol):
    """The event log: appended with the state, read in id order."""

    def append(self, events: Iterable[Event]) -> int: ...

    def after(
        self,
        last_id: int,
        *,
        limit: int = ...,
        order_id: str | None = ...,
        channel: str | None = ...,
        types: Iterable[str] | None = ...,
        region: str | None = ...,
    ) -> list[dict[str, Any]]: ...

    def last_id(self) -> int: ...

    def for_order(self, order_id: str) -> list[dict[str, Any]]: ...


class OutboundRepository(Protocol):
    """Consumer offsets (only ever forward), subscriptions and their dead letters."""

    def offset(self, consumer: str) -> Offset | None: ...

    def offsets(self, prefix: str) -> list[Offset]: ...

    def start(
        self,
        consumer: str,
        last_id: int,
        now_ns: int,
        *,
        until_id: int | None = ...,
        from_ns: int | None = ...,
        to_ns: int | None = ...,
    ) -> Offset: ...

    def advance(self, consumer: str, last_id: int, now_ns: int) -> None: ...

    def drop(self, consumer: str) -> None: ...

    def events_after(
        self, last_id: int, *, limit: int = ..., until_id: int | None = ..., types: Iterable[str] = ...
    ) -> list[dict[str, Any]]: ...

    def id_range(self, from_ns: int, to_ns: int) -> tuple[int, int]: ...

    def add_subscription(self, sub: Subscription) -> None: ...

    def subscriptions(self) -> list[Subscription]: ...

    def delete_subscription(self, sub_id: str, now_ns: int) -> bool: ...

    def add_dead_letter(
        self, sub_id: str, event: dict[str, Any], attempts: int, error: str, now_ns: int
    ) -> None: ...

    def dead_letters(self, sub_id: str, limit: int = ...) -> list[dict[str, Any]]: ...


class OverviewRepository(Protocol):
    """The persisted overview: a projector's cursor, counters, flow by minute, the tag index."""

    # cursor
    def lock_cursor(self, name: str, now_ns: int) -> int | None:
        """Take the projector's turn (a write on its row first) and return its cursor."""
        ...

    def read_cursor(self, name: str) -> int | None: ...

    def set_cursor(self, name: str, event_id: int, now_ns: int) -> None: ...

    # the projector's reads and deltas
    def last_event_id(self) -> int: ...

    def events_between(
        self, after_id: int, upto_id: int, types: Iterable[str], limit: int
    ) -> list[EventRecord]: ...

    def order_facts(self, order_ids: Iterable[str]) -> dict[str, OrderFacts]: ...

    def add_counts(self, deltas: Mapping[tuple[str, str], int]) -> None: ...

    def add_flow(self, deltas: Mapping[tuple[int, str], int]) -> None: ...

    def prune_flow(self, before_ns: int) -> None: ...

    def add_tags(self, rows: Iterable[tuple[str, str, str, str, int]]) -> None: ...

    def move_tags(self, provinces: Mapping[str, str]) -> None: ...

    # reads for the page
    def counts(self) -> dict[str, dict[str, int]]: ...

    def flow(self, from_ns: int) -> list[tuple[int, str, int]]: ...

    # rebuild: the only full scans
    def one_snapshot(self) -> None:
        """Let every read of this transaction see one snapshot (call before anything else)."""
        ...

    def clear(self) -> None: ...

    def scan_counts(self) -> dict[tuple[str, str], int]: ...

    def scan_deliveries(self) -> tuple[int, int]: ...

    def scan_anomalies(self) -> list[tuple[str | None, str | None, str, int]]: ...

    def scan_flow(self, first_id: str, from_ns: int, minute_ns: int) -> dict[tuple[int, str], int]: ...

    def fill_tags(self) -> None: ...
