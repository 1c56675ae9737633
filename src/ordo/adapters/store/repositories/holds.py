"""Holds and ship-to corrections: the columns of ``orders`` an operator changes after intake.

Reads the current hold of orders (after the caller locked them through
``OrderRepository.progress``), sets or clears a hold, writes a corrected address,
keeps the incident scan's watch row in step, and lists held orders newest first
through the partial index ``ix_orders_held`` (migration ``0002_holds``). Plain SQL
that both backends run alike; it never decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ordo.adapters.store.repositories.orders import SUMMARY_COLUMNS, in_region, summaries
from ordo.adapters.store.rows import chunks
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import incidents as xt
from ordo.service.ports.orders import OrderSummary, RegionFilter, ShipTo

O, W = t.orders.c, xt.exception_watch.c
#: The ship-to columns a correction may write.
ADDRESS_COLUMNS = frozenset(
    {"province", "city", "district", "detail", "adcode", "lat", "lng", "recipient_name", "recipient_phone"}
)


class HoldRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    def current(self, order_ids: Iterable[str]) -> dict[str, str | None]:
        """The hold reason of each order that exists (None: not held)."""
        out: dict[str, str | None] = {}
        for part in chunks(sorted(set(order_ids))):
            q = sa.select(O.id, O.hold_reason).where(O.id.in_(part))
            out.update({oid: reason for oid, reason in self._c.execute(q)})
        return out

    def set_hold(self, order_ids: Iterable[str], hold_reason: str | None, now_ns: int) -> None:
        ids = sorted(set(order_ids))
        for part in chunks(ids):
            self._c.execute(
                sa.update(t.orders)
                .where(O.id.in_(part))
                .values(hold_reason=hold_reason, updated_at_ns=now_ns)
            )

    def set_address(self, order_id: str, values: ShipTo, now_ns: int) -> None:
        unknown = set(values) - ADDRESS_COLUMNS
        if unknown:
            raise ValueError(f"not ship-to columns: {sorted(unknown)}")
        self._c.execute(
            sa.update(t.orders).where(O.id == order_id).values({**values, "updated_at_ns": now_ns})
        )

    def set_watch_hold(self, order_ids: Iterable[str], hold_reason: str | None) -> None:
        """The scan pauses SLA timers of held orders: tell its watch rows (if any) the new hold."""
        for part in chunks(sorted(set(order_ids))):
            self._c.execute(
                sa.update(xt.exception_watch).where(W.order_id.in_(part)).values(hold_reason=hold_reason)
            )

    def held(
        self,
        *,
        exact: str | None = None,
        prefix: str | None = None,
        channel: str | None = None,
        region: RegionFilter | None = None,
        after_id: str | None = None,
        limit: int = 50,
    ) -> list[OrderSummary]:
        """Held orders, newest first; ``exact`` or ``prefix`` narrows the hold reason,
        ``channel`` and ``region`` narrow as in the order search."""
        q = sa.select(*SUMMARY_COLUMNS).where(O.hold_reason.is_not(None)).order_by(O.id.desc()).limit(limit)
        if exact is not None:
            q = q.where(O.hold_reason == exact)
        if prefix is not None:
            q = q.where(O.hold_reason.startswith(prefix, autoescape=True))
        if channel is not None:
            q = q.where(O.channel == channel)
        if region is not None:
            q = q.where(in_region(region, O.province))
        if after_id is not None:
            q = q.where(O.id < after_id)
        return summaries(self._c.execute(q))
