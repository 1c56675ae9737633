"""What the rule-governance use cases ask of the store: drafts, versions, the state row,
audit, live outcomes, and the stored orders a backtest replays.

Repository interfaces (``typing.Protocol``) and :class:`HistoryFilter`; the store
implements them. Nothing here runs SQL or evaluates a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ordo.domain.customers.value import ValueModel

if TYPE_CHECKING:  # the facts come back as a frame; importing Polars is the caller's cost
    import polars as pl

__all__ = ["HistoryFilter", "HistoryRepository", "RuleRepository"]


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Which stored orders to replay: a time window on placement, a channel, a province."""

    placed_from_ns: int | None = None
    placed_to_ns: int | None = None
    channel: str | None = None
    province: str | None = None
    limit: int | None = None


class RuleRepository(Protocol):
    """Rule governance rows; ``state(lock=True)`` serialises publishes and rollbacks."""

    def add_draft(self, **values: Any) -> int: ...

    def draft(self, draft_id: int, *, lock: bool = ...) -> dict[str, Any] | None: ...

    def drafts(self, *, status: str | None = ..., limit: int = ...) -> list[dict[str, Any]]: ...

    def update_draft(self, draft_id: int, **values: Any) -> None: ...

    def add_version(self, **values: Any) -> None: ...

    def version(self, version: int) -> dict[str, Any] | None: ...

    def versions(self, limit: int = ...) -> list[dict[str, Any]]: ...

    def last_version(self) -> int: ...

    def state(self, *, lock: bool = ...) -> dict[str, Any]: ...

    def revision(self) -> int: ...

    def set_state(self, now_ns: int, **values: Any) -> None: ...

    def audit(
        self,
        *,
        at_ns: int,
        actor: str,
        role: str,
        action: str,
        note: str,
        draft_id: int | None = ...,
        version: int | None = ...,
        details: dict[str, Any] | None = ...,
    ) -> None: ...

    def audit_log(
        self, *, draft_id: int | None = ..., version: int | None = ..., limit: int = ...
    ) -> list[dict[str, Any]]: ...

    def add_rollback(self, **values: Any) -> int: ...

    def rollback_request(self, request_id: int, *, lock: bool = ...) -> dict[str, Any] | None: ...

    def rollback_requests(self, *, status: str | None = ..., limit: int = ...) -> list[dict[str, Any]]: ...

    def update_rollback(self, request_id: int, **values: Any) -> None: ...

    def record_outcomes(self, rows: Sequence[dict[str, Any]]) -> None: ...

    def outcome_metrics(self, version: int, since_ns: int) -> dict[str, int]: ...


class HistoryRepository(Protocol):
    """Stored orders as a table of order facts (``ordo.rules.evaluation.compile_polars.SCHEMA``)."""

    def count_orders(self, f: HistoryFilter) -> int: ...

    def read_facts(
        self,
        need: Collection[str],
        f: HistoryFilter,
        *,
        now_ns: int,
        chunk: int = ...,
        progress: Callable[[int], None] | None = ...,
        value_model: ValueModel | None = ...,
    ) -> pl.DataFrame:
        """The facts of the orders ``f`` selects, only the columns in ``need`` filled in (the
        customer's recency, RFM scores and value group judged by ``value_model``)."""
        ...
