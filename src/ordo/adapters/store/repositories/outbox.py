"""The event log (transactional outbox): appended with the state, read in id order.

Consumers (the SSE stream, later webhooks and brokers) remember the last id they
processed and ask for what comes after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.rows import bulk_insert
from ordo.adapters.store.schema import core as t
from ordo.domain.events import Event

E = t.events.c


class Outbox:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    def append(self, events: Iterable[Event]) -> int:
        rows = [
            {
                "type": e.type,
                "order_id": e.order_id,
                "channel": e.channel,
                "at_ns": e.at_ns,
                "payload": e.payload,
            }
            for e in events
        ]
        bulk_insert(self._c, t.events, rows)
        return len(rows)

    def after(
        self,
        last_id: int,
        *,
        limit: int = 500,
        order_id: str | None = None,
        channel: str | None = None,
        types: Iterable[str] | None = None,
        region: str | None = None,
    ) -> list[dict[str, Any]]:
        q = sa.select(t.events).where(E.id > last_id).order_by(E.id).limit(limit)
        if region:  # a province, "浙江" or "浙江省": events of orders shipping there
            q = q.join(t.orders, t.orders.c.id == E.order_id).where(t.orders.c.province.startswith(region))
        if order_id:
            q = q.where(E.order_id == order_id)
        if channel:
            q = q.where(E.channel == channel)
        wanted = list(types or ())
        if wanted:
            q = q.where(E.type.in_(wanted))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def last_id(self) -> int:
        return int(self._c.execute(sa.select(sa.func.coalesce(sa.func.max(E.id), 0))).scalar_one())

    def for_order(self, order_id: str) -> list[dict[str, Any]]:
        return self.after(0, order_id=order_id, limit=10_000)
