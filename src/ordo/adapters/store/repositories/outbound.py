"""Events out: consumer offsets, subscriptions and their dead letters, and the outbox
read the way outbound consumers want it (with the order's province, for regions).

An offset only moves forward (``advance`` never lowers it), so two workers that
race on one consumer at worst deliver an event twice, never skip one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.repositories.outbox import after_cursor
from ordo.adapters.store.rows import from_csv, to_csv
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import outbound as ot
from ordo.service.ports.events import Offset, Subscription

__all__ = ["Offset", "OutboundRepository", "Subscription"]

C, S, D = ot.consumer_offsets.c, ot.webhook_subscriptions.c, ot.webhook_dead_letters.c
E, O = t.events.c, t.orders.c


def _offset(r: Any) -> Offset:
    return Offset(r.consumer, r.last_id, r.until_id, r.from_ns, r.to_ns)


class OutboundRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    # offsets ----------------------------------------------------------------
    def offset(self, consumer: str) -> Offset | None:
        r = self._c.execute(sa.select(ot.consumer_offsets).where(C.consumer == consumer)).first()
        return _offset(r) if r else None

    def offsets(self, prefix: str) -> list[Offset]:
        q = sa.select(ot.consumer_offsets).where(C.consumer.startswith(prefix)).order_by(C.consumer)
        return [_offset(r) for r in self._c.execute(q)]

    def start(
        self,
        consumer: str,
        last_id: int,
        now_ns: int,
        *,
        until_id: int | None = None,
        from_ns: int | None = None,
        to_ns: int | None = None,
    ) -> Offset:
        """The consumer's offset, created at ``last_id`` if it has none yet."""
        found = self.offset(consumer)
        if found is not None:
            return found
        self._c.execute(
            sa.insert(ot.consumer_offsets).values(
                consumer=consumer,
                last_id=last_id,
                until_id=until_id,
                from_ns=from_ns,
                to_ns=to_ns,
                updated_at_ns=now_ns,
            )
        )
        return Offset(consumer, last_id, until_id, from_ns, to_ns)

    def advance(self, consumer: str, last_id: int, now_ns: int) -> None:
        self._c.execute(
            sa.update(ot.consumer_offsets)
            .where(C.consumer == consumer, C.last_id < last_id)
            .values(last_id=last_id, updated_at_ns=now_ns)
        )

    def drop(self, consumer: str) -> None:
        self._c.execute(sa.delete(ot.consumer_offsets).where(C.consumer == consumer))

    # the outbox, for consumers ----------------------------------------------
    def events_after(
        self, last_id: int, *, limit: int = 500, until_id: int | None = None, types: Iterable[str] = ()
    ) -> list[dict[str, Any]]:
        """Events after ``last_id`` in id order, each with its order's ``province`` (or None)."""
        q = (
            sa.select(E.id, E.type, E.order_id, E.channel, E.at_ns, E.payload, O.province)
            .select_from(t.events.outerjoin(t.orders, O.id == E.order_id))
            .where(after_cursor(last_id, until_id))
            .order_by(E.id)
            .limit(limit)
        )
        wanted = list(types)
        if wanted:
            q = q.where(E.type.in_(wanted))
        return [dict(r) for r in self._c.execute(q).mappings()]

    def id_range(self, from_ns: int, to_ns: int) -> tuple[int, int]:
        """(last id before the range, last id inside it) for events with at_ns in [from, to]."""
        lo, hi = self._c.execute(
            sa.select(sa.func.min(E.id), sa.func.max(E.id)).where(E.at_ns >= from_ns, E.at_ns <= to_ns)
        ).one()
        if lo is None:
            return 0, 0
        return int(lo) - 1, int(hi)

    # subscriptions (stored as webhook_subscriptions) --------------------------
    def add_subscription(self, sub: Subscription) -> None:
        self._c.execute(
            sa.insert(ot.webhook_subscriptions).values(
                id=sub.id,
                url=sub.url,
                event_types=to_csv(sub.event_types),
                secret=sub.secret,
                created_at_ns=sub.created_at_ns,
            )
        )

    def subscriptions(self) -> list[Subscription]:
        q = sa.select(ot.webhook_subscriptions).where(S.deleted_at_ns.is_(None)).order_by(S.id)
        return [
            Subscription(r.id, r.url, from_csv(r.event_types), r.secret, r.created_at_ns)
            for r in self._c.execute(q)
        ]

    def delete_subscription(self, sub_id: str, now_ns: int) -> bool:
        done = self._c.execute(
            sa.update(ot.webhook_subscriptions)
            .where(S.id == sub_id, S.deleted_at_ns.is_(None))
            .values(deleted_at_ns=now_ns)
        )
        return bool(done.rowcount)

    # dead letters -------------------------------------------------------------
    def add_dead_letter(
        self, sub_id: str, event: dict[str, Any], attempts: int, error: str, now_ns: int
    ) -> None:
        self._c.execute(
            sa.insert(ot.webhook_dead_letters).values(
                subscription_id=sub_id,
                event_id=event["id"],
                event_type=event["type"],
                order_id=event.get("order_id"),
                attempts=attempts,
                last_error=error[:500],
                dead_at_ns=now_ns,
            )
        )

    def dead_letters(self, sub_id: str, limit: int = 100) -> list[dict[str, Any]]:
        q = (
            sa.select(ot.webhook_dead_letters)
            .where(D.subscription_id == sub_id)
            .order_by(D.id.desc())
            .limit(limit)
        )
        return [dict(r) for r in self._c.execute(q).mappings()]
