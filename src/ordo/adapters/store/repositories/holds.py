"""Holds and ship-to corrections: the columns of ``orders`` an operator changes after intake.

Reads the current hold of orders (after the caller locked them through
``OrderRepository.progress``), sets or clears a hold, writes a corrected address,
keeps the incident scan's watch row in step, and lists held orders newest first
through the partial index ``ix_orders_held`` (migration ``0002_holds``). Plain SQL
that both backends run alike; it never decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import sqlalchemy as sa

from ordo.adapters.store.repositories.orders import SUMMARY_COLUMNS, in_region, summaries
from ordo.adapters.store.rows import chunks
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import incidents as xt
from ordo.domain import events as ev
from ordo.domain.orders.milestones import Milestone
from ordo.service.ports.orders import InterceptRecord, OrderSummary, RegionFilter, ShipTo

O, W, I, M, E = t.orders.c, xt.exception_watch.c, t.order_intercepts.c, t.milestones.c, t.events.c
#: Who stopped an order no person held (intake's review, address and stock holds).
INTAKE = "intake"
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

    def request_intercepts(
        self, requests: Sequence[tuple[str, str | None]], source: str, now_ns: int
    ) -> None:
        """A fresh ``requested`` intercept per (order, hold); it replaces an earlier one."""
        wanted = dict(requests)
        if not wanted:
            return
        rows = [
            {
                "order_id": oid,
                "state": "requested",
                "requested_at_ns": now_ns,
                "at_ns": now_ns,
                "source": source[:32],
                "hold_reason": hold,
            }
            for oid, hold in wanted.items()
        ]
        for part in chunks(sorted(wanted)):
            self._c.execute(sa.delete(t.order_intercepts).where(I.order_id.in_(part)))
        self._c.execute(sa.insert(t.order_intercepts), rows)

    def answer_intercepts(self, answers: Sequence[tuple[str, str, int, str]]) -> None:
        """The warehouse's answers, (order, state, at, source), on requested intercepts (an
        answer without a request is kept too, its request time its own)."""
        for oid, state, at_ns, source in answers:
            done = self._c.execute(
                sa.update(t.order_intercepts)
                .where(I.order_id == oid)
                .values(state=state, at_ns=at_ns, source=source[:32])
            )
            if not done.rowcount:
                self._c.execute(
                    sa.insert(t.order_intercepts).values(
                        order_id=oid,
                        state=state,
                        requested_at_ns=at_ns,
                        at_ns=at_ns,
                        source=source[:32],
                        hold_reason=None,
                    )
                )

    def intercepts(self, order_ids: Iterable[str]) -> dict[str, InterceptRecord]:
        out: dict[str, InterceptRecord] = {}
        for part in chunks(sorted(set(order_ids))):
            for r in self._c.execute(sa.select(t.order_intercepts).where(I.order_id.in_(part))).mappings():
                row = dict(r)
                out[row.pop("order_id")] = cast(InterceptRecord, row)
        return out

    def hold_marks(self, order_ids: Iterable[str]) -> dict[str, tuple[int, str]]:
        """When each order was last held and by whom: its latest ``order.held`` event (a
        person's hold; ``by`` in its payload), else its ``on_hold`` milestone, else its intake
        (a hold intake set) as ``INTAKE``; orders that do not exist are left out."""
        ids = sorted(set(order_ids))
        out: dict[str, tuple[int, str]] = {}
        for part in chunks(ids):
            q = sa.select(O.id, O.created_at_ns).where(O.id.in_(part))
            out.update({str(row[0]): (int(row[1]), INTAKE) for row in self._c.execute(q)})
            q = sa.select(M.order_id, M.at_ns, M.source).where(
                M.order_id.in_(part), M.milestone == Milestone.ON_HOLD.value
            )
            for row in self._c.execute(q):
                out[str(row[0])] = (int(row[1]), str(row[2]))
            last = (
                sa.select(sa.func.max(E.id))
                .where(E.order_id.in_(part), E.type == ev.ORDER_HELD)
                .group_by(E.order_id)
            )
            for row in self._c.execute(sa.select(E.order_id, E.at_ns, E.payload).where(E.id.in_(last))):
                payload = row[2] if isinstance(row[2], dict) else {}
                out[str(row[0])] = (int(row[1]), str(payload.get("by") or out[str(row[0])][1]))
        return out

    def set_address(
        self, order_id: str, values: ShipTo, now_ns: int, *, phone_key: str | None = None
    ) -> None:
        unknown = set(values) - ADDRESS_COLUMNS
        if unknown:
            raise ValueError(f"not ship-to columns: {sorted(unknown)}")
        stored: dict[str, object] = {**values, "updated_at_ns": now_ns}
        if "recipient_phone" in values:  # the phone and its keyed hash change together
            stored["recipient_phone_key"] = phone_key
        self._c.execute(sa.update(t.orders).where(O.id == order_id).values(stored))

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
        held_from_ns: int | None = None,
        held_to_ns: int | None = None,
        limit: int = 50,
    ) -> list[OrderSummary]:
        """Held orders, newest first; ``exact`` or ``prefix`` narrows the hold reason,
        ``channel`` and ``region`` narrow as in the order search, ``held_from_ns`` /
        ``held_to_ns`` the time it was held (see :meth:`hold_marks`; to is exclusive)."""
        q = sa.select(*SUMMARY_COLUMNS).where(O.hold_reason.is_not(None)).order_by(O.id.desc()).limit(limit)
        if held_from_ns is not None or held_to_ns is not None:
            event = (
                sa.select(sa.func.max(E.at_ns))
                .where(E.order_id == O.id, E.type == ev.ORDER_HELD)
                .scalar_subquery()
            )
            mark = (
                sa.select(M.at_ns)
                .where(M.order_id == O.id, M.milestone == Milestone.ON_HOLD.value)
                .scalar_subquery()
            )
            since = sa.func.coalesce(event, mark, O.created_at_ns)  # as hold_marks reads it
            if held_from_ns is not None:
                q = q.where(since >= held_from_ns)
            if held_to_ns is not None:
                q = q.where(since < held_to_ns)
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
