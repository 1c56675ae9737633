"""What event-stream triggers ask of the store: each customer's events and the tasks raised.

A repository interface (``typing.Protocol``); the store implements it. Nothing here runs SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ordo.domain.triggers import CustomerEvent
from ordo.service.ports.customer_stats import StatsRow

__all__ = ["EventRow", "TaskRow", "TriggerRepository"]


@dataclass(frozen=True, slots=True)
class EventRow:
    """One customer event to keep: read off the outbox event ``source_event_id``."""

    customer_ref: str
    kind: str
    channel: str | None
    order_id: str | None
    at_ns: int
    source_event_id: int | None


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task a trigger raised (``status`` open / closed)."""

    id: int
    dedupe_key: str
    rule_version: int | None
    rule_id: str
    rule_source: str
    customer_ref: str
    order_id: str | None
    role: str | None
    assignee: str | None
    title: str
    status: str
    due_at_ns: int
    created_at_ns: int
    closed_at_ns: int | None
    closed_by: str | None
    note: str | None


class TriggerRepository(Protocol):
    def customers_of(self, order_ids: Iterable[str]) -> dict[str, str]:
        """Each known order's customer ref."""
        ...

    def tiers(self, refs: Iterable[str]) -> dict[str, str]:
        """Each known customer's tier."""
        ...

    def stats_at(self, customer_ref: str, at_ns: int) -> StatsRow:
        """The customer's history as ``customer_stats`` would have held it just before ``at_ns``
        (orders placed and not cancelled by then, their spend, returns recorded by then)."""
        ...

    def add_events(self, rows: Sequence[EventRow]) -> list[tuple[EventRow, CustomerEvent]]:
        """Keep these events; returns the ones new here (an outbox event read twice is kept
        once), each with its stored form (its id orders events of the same time)."""
        ...

    def recent_events(
        self, customer_ref: str, kinds: Iterable[str], upto: CustomerEvent, limit: int
    ) -> list[CustomerEvent]:
        """The customer's latest ``limit`` events of ``kinds`` up to and including ``upto``,
        oldest first."""
        ...

    def events_between(self, since_ns: int, until_ns: int, limit: int) -> list[tuple[str, CustomerEvent]]:
        """Every customer's events with ``since_ns <= at_ns < until_ns``, by time then id, as
        (customer ref, event)."""
        ...

    def add_task(self, values: dict[str, Any]) -> int | None:
        """A new task; None when its ``dedupe_key`` is taken (the occurrence already raised one)."""
        ...

    def tasks(
        self,
        *,
        status: str | None,
        role: str | None,
        assignee: str | None,
        customer_ref: str | None,
        after_id: int | None,
        limit: int,
    ) -> list[TaskRow]:
        """Tasks, newest first (ids below ``after_id`` when paging)."""
        ...

    def task(self, task_id: int, *, lock: bool = False) -> TaskRow | None: ...

    def update_task(self, task_id: int, values: dict[str, Any]) -> None: ...
