"""What the incident use cases ask of the store: the scan's watch list and cursor, incidents,
sensor and probe state, cold-chain replacements, coupons, and the order facts playbooks change.

Repository interfaces (``typing.Protocol``) and :class:`Watch`, the scan's view of one
order. The store implements them; nothing here runs SQL or decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ordo.domain.incidents.probes import ProbeState
from ordo.domain.incidents.telemetry import SensorState

__all__ = [
    "FAILED",
    "PLACED",
    "REQUESTED",
    "SHIPPED",
    "ColdChainRepository",
    "IncidentRepository",
    "Watch",
]

#: States of a cold-chain replacement: asked for by the scan, placed through intake,
#: shipped when its outbound is recorded, or failed.
REQUESTED, PLACED, SHIPPED, FAILED = "requested", "placed", "shipped", "failed"


@dataclass(slots=True)
class Watch:
    """The scan's view of one order (one watch row)."""

    order_id: str
    channel: str
    tier: str
    warehouse_id: str | None
    hold_reason: str | None
    steps: dict[str, int] = field(default_factory=dict)
    fired: set[str] = field(default_factory=set)
    last_milestone: str = "created"
    last_at_ns: int = 0
    carrier: str | None = None
    due_ns: int | None = None
    done: bool = False
    #: Read from the store (an update), not made now (an insert).
    stored: bool = False


class IncidentRepository(Protocol):
    """Incidents, the scan's watch list, sensor state and coupons (indexed questions only)."""

    # the scan's cursor
    def lock_scan(self) -> tuple[int, int]: ...

    def set_scan(self, cursor: int, now_ns: int) -> None: ...

    # the watch list
    def watches(self, order_ids: Iterable[str]) -> dict[str, Watch]: ...

    def new_watches(self, order_ids: Iterable[str]) -> dict[str, Watch]: ...

    def tiers(self, order_ids: Iterable[str]) -> dict[str, str]: ...

    def save_watches(self, watches: Iterable[Watch]) -> None: ...

    def recorded(self, order_ids: Iterable[str]) -> dict[str, dict[str, tuple[int, str]]]: ...

    def due_watches(self, now_ns: int, limit: int) -> list[str]: ...

    # incidents
    def open_keys(self, keys: Sequence[str]) -> set[str]: ...

    def add(self, row: Mapping[str, Any]) -> int: ...

    def update(self, incident_id: int, values: Mapping[str, Any]) -> None: ...

    def get(self, incident_id: int, *, lock: bool = ...) -> dict[str, Any] | None: ...

    def open_of_orders(self, order_ids: Iterable[str]) -> list[dict[str, Any]]: ...

    def attempts_due(self, now_ns: int, limit: int) -> list[dict[str, Any]]: ...

    def search(
        self, filters: Mapping[str, Any], *, after_id: int | None = ..., limit: int = ...
    ) -> list[dict[str, Any]]: ...

    def closed_since(self, since_ns: int) -> list[tuple[str, str, int, int]]: ...

    def open_counts(self) -> dict[str, int]: ...

    def open_by_order(self) -> list[tuple[str, str]]: ...

    # telemetry
    def sensor_states(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], SensorState]: ...

    def save_sensor_states(self, states: Iterable[SensorState], known: set[tuple[str, str]]) -> None: ...

    def cold_categories(self, order_ids: Iterable[str]) -> dict[str, set[str]]: ...

    # order facts the playbooks change
    def set_allocation(self, order_id: str, warehouse_id: str, now_ns: int) -> None: ...

    def set_promise(self, order_id: str, promised_at_ns: int, now_ns: int) -> None: ...

    def channels(self, order_ids: Iterable[str]) -> dict[str, str]: ...

    def order_brief(self, order_id: str) -> dict[str, Any] | None: ...

    def demand(self, order_id: str) -> tuple[dict[str, int], frozenset[str]]: ...

    def add_coupon(
        self, order_id: str, incident_id: int, amount_fen: int, reason: str, now_ns: int
    ) -> None: ...

    def coupons(self, order_id: str) -> list[dict[str, Any]]: ...

    # health
    def health_rows(self, limit: int | None = ...) -> list[tuple[Any, ...]]: ...


class ColdChainRepository(Protocol):
    """Probe judgement and replacement shipments."""

    def probes(self, order_ids: Iterable[str]) -> dict[tuple[str, str], ProbeState]: ...

    def save_probes(
        self, states: Mapping[tuple[str, str], ProbeState], known: set[tuple[str, str]], now_ns: int
    ) -> None: ...

    def faulty_probes(self, limit: int = ...) -> list[dict[str, Any]]: ...

    def request_replacement(self, incident_id: int, order_id: str, now_ns: int) -> bool: ...

    def replacement(self, incident_id: int) -> dict[str, Any] | None: ...

    def requested(self, limit: int = ...) -> list[dict[str, Any]]: ...

    def set_replacement(self, incident_id: int, **values: Any) -> None: ...

    def placed_for(self, replacement_order_ids: Iterable[str]) -> list[dict[str, Any]]: ...
