"""What the risk radar asks of the store: events, their history, disposal plans, and the
impact scan's two reads over ``orders`` (rows are plain dicts of ``schema.risk``'s columns)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Exposure:
    """The orders of the divisions (by adcode) or warehouses an event covers, of some statuses."""

    adcodes: Collection[str]
    warehouses: Collection[str]
    statuses: Collection[str]
    #: A promise at or before this is at risk (the event's end, or a horizon when open-ended).
    horizon_ns: int


class RiskRepository(Protocol):
    # events -----------------------------------------------------------------------------
    def add_event(self, row: dict[str, Any]) -> None: ...

    def update_event(self, event_id: str, values: dict[str, Any]) -> None: ...

    def event(self, event_id: str, *, lock: bool = False) -> dict[str, Any] | None: ...

    def event_by_ref(self, source: str, source_ref: str) -> dict[str, Any] | None: ...

    def events_by_refs(self, source_refs: Sequence[str]) -> list[dict[str, Any]]:
        """Events recorded from these reports (their ``source_ref``), any source."""
        ...

    def events(self, *, live_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first; ``live_only``: potential or confirmed."""
        ...

    def live_events(self, now_ns: int) -> list[dict[str, Any]]:
        """Potential or confirmed events whose window holds ``now_ns``."""
        ...

    # history ----------------------------------------------------------------------------
    def add_history(self, subject: str, at_ns: int, actor: str, action: str, detail: str) -> None: ...

    def history(self, subject: str, limit: int = 500) -> list[dict[str, Any]]: ...

    # plans ------------------------------------------------------------------------------
    def add_plan(self, row: dict[str, Any]) -> None: ...

    def plan(self, plan_id: str, *, lock: bool = False) -> dict[str, Any] | None: ...

    def update_plan(self, plan_id: str, values: dict[str, Any]) -> None: ...

    def add_plan_decisions(self, plan_id: str, rows: Sequence[tuple[str, str, str]]) -> None:
        """Per order of a plan: (order id, its decision's data JSON, its effect JSON)."""
        ...

    def plan_decisions(self, plan_id: str) -> dict[str, tuple[str, dict[str, Any]]]:
        """Per order of a plan, the (decision data JSON, effect) its proposal stored."""
        ...

    def plans(self, event_id: str) -> list[dict[str, Any]]: ...

    # impact scan ------------------------------------------------------------------------
    def exposure_by_place(self, exposure: Exposure) -> list[tuple[str, str, str, int, int, int]]:
        """The orders going into the area: (adcode, status, channel, orders, money fen,
        promises at risk), grouped in one query."""
        ...

    def exposure_by_origin(self, exposure: Exposure) -> list[tuple[str, str, str, int, int, int]]:
        """The orders at a covered warehouse going elsewhere: (warehouse, status, channel,
        orders, money fen, promises at risk)."""
        ...

    def exposed_orders(self, exposure: Exposure, limit: int) -> list[dict[str, Any]]:
        """The exposed orders, earliest promise first: id, channel, status, warehouse_id,
        province, city, adcode, total_fen, promised_at_ns."""
        ...

    # disposal plans' what-if ------------------------------------------------------------
    def read_snapshot(self) -> None:
        """Make this (fresh) transaction one read-only snapshot that locks nothing."""
        ...

    def plan_inputs(self, order_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Per order, read without locks: its columns, its ``lines`` (sku, quantity,
        unit_price_fen, discount_fen, flags), its milestones (``steps``, their values) and its
        first and latest routing ``attempts``, oldest first."""
        ...

    def versions(
        self, order_ids: Sequence[str], *, lock: bool = True
    ) -> dict[str, tuple[int, str, str | None, str | None, int]]:
        """Per order (updated_at_ns, status, warehouse, hold reason, latest attempt); with
        ``lock`` its row locked where the store locks rows."""
        ...

    def move_orders(self, moves: Sequence[tuple[str, str | None, str | None]], now_ns: int) -> None:
        """``(order id, new warehouse or None, hold reason)`` each, in two statements."""
        ...
