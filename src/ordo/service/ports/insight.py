"""Analytics: a typed metric query in, a table out, run read-only behind a parser gate
(:mod:`ordo.adapters.store.analytics`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

#: The columns of the ``analytics_orders`` view a query may group by or filter on.
DIMENSION_COLUMNS = frozenset({"channel", "warehouse", "carrier", "province", "city", "day"})
#: The view's time columns a period may filter on.
TIME_COLUMNS = frozenset({"placed_at_ns", "delivered_at_ns", "outbound_at_ns"})


@dataclass(frozen=True, slots=True)
class MetricQuery:
    """One metric over one period: ``numerator / denominator`` (or the numerator alone), grouped
    by ``dimensions``, each ``filters`` column restricted to its values, the answer's rows
    ordered by the value and cut at ``limit``. ``channels`` is the asker's scope (empty: all)."""

    numerator: str
    denominator: str | None
    time_column: str
    since_ns: int
    until_ns: int
    dimensions: tuple[str, ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    descending: bool = True
    limit: int = 50
    channels: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Table:
    """What a query returned: ``columns`` (the dimensions, then ``value`` and ``base``), its rows,
    and the statement that ran with its parameters, for the asker to see."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


class Analytics(Protocol):
    def run(self, query: MetricQuery) -> Table:
        """Compile ``query``, pass it through the gate, run it on a read-only connection."""
        ...

    def catch_up(self, now_ns: int) -> int:
        """Bring what questions read up to the outbox's newest event (an empty store of facts
        is rebuilt from the orders first); returns the events applied. One read when current."""
        ...

    def rebuild(self, now_ns: int) -> dict[str, Any]:
        """Recompute what questions read from the stored orders (after a bulk load beside Ordo)."""
        ...

    def check(self, sql: str) -> None:
        """Raise :class:`~ordo.domain.errors.UnsafeQuery` unless ``sql`` is one
        read-only SELECT over the allowed tables with a row limit (the gate, for tests and audits)."""
        ...
