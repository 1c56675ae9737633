"""The overview projector: follows the outbox from a persisted cursor into small tables
(orders by status / channel / province / warehouse, on-time deliveries, refused updates
by place and reporter, order flow by minute, and the tag index the order search uses).

Nothing on the write path changes: intake and the lifecycle already write their events
in the same transaction as the state. :func:`catch_up` applies what was committed since
the cursor, in batches, each batch and its cursor in one transaction (the cursor row is
locked first, so projectors in several processes take turns and never apply an event
twice). A process that starts reads the persisted figures; it never rescans the orders.

:func:`rebuild` is the one full scan: for orders loaded outside the service (bulk
imports, the benchmark's seed), or when a store has no cursor yet. It recomputes every
figure from the tables and sets the cursor to the newest event, in one transaction.

Never called here: anything that changes an order. A projector only reads the outbox.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from ordo.domain import events as ev
from ordo.domain.geo import canonical_province
from ordo.service.ports import EventRecord, OrderFacts
from ordo.service.runtime.app import Ordo

NAME = "overview"
MINUTE_NS = 60 * 1_000_000_000
#: Minutes of order flow kept (the chart shows the last 30).
FLOW_KEEP_MINUTES = 120
#: Events applied per transaction.
BATCH = 5000
#: ORDER_REROUTED moves an order between warehouses (re-route, playbooks): {"from", "to"};
#: ORDER_ADDRESS_CORRECTED between provinces: {"old": {"province"}, "new": {"province"}}.
WATCHED = (
    ev.ORDER_CREATED,
    ev.MILESTONE_RECORDED,
    ev.UPDATE_REJECTED,
    ev.ORDER_REROUTED,
    ev.ORDER_ADDRESS_CORRECTED,
)
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as in ordo.ids: ids sort by creation time


def first_id_at(ns: int) -> str:
    """The smallest order id that can have been issued at or after ``ns``."""
    ms, chars = ns // 1_000_000, []
    for _ in range(10):
        chars.append(_ALPHABET[ms & 31])
        ms >>= 5
    return "OR" + "".join(reversed(chars))


@dataclass
class Deltas:
    """What a batch of events adds: counters by (dimension, key), flow by (minute, channel), tags."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    flow: Counter[tuple[int, str]] = field(default_factory=Counter)
    tags: list[tuple[str, str, str, str, int]] = field(default_factory=list)
    #: Orders whose ship-to province changed: their tag-index rows follow.
    provinces: dict[str, str] = field(default_factory=dict)

    def problem(self, warehouse: str | None, province: str | None, source: str, n: int = 1) -> None:
        if warehouse:
            self.counts["problem_warehouse", warehouse] += n
        if province:
            self.counts["problem_region", canonical_province(province)] += n
        self.counts["problem_source", source] += n


def facts_needed(rows: Iterable[EventRecord]) -> set[str]:
    """Orders whose stored facts (tags, promise, place) the events below need."""
    out: set[str] = set()
    for r in rows:
        p = r["payload"] if isinstance(r["payload"], dict) else {}
        if r["order_id"] and (
            r["type"] in (ev.ORDER_CREATED, ev.UPDATE_REJECTED)
            or (r["type"] == ev.MILESTONE_RECORDED and p.get("milestone") in ("delivered", "routed"))
        ):
            out.add(r["order_id"])
    return out


def deltas_of(rows: Sequence[EventRecord], facts: Mapping[str, OrderFacts]) -> Deltas:
    """The counters' changes for these outbox rows (pure: no I/O)."""
    d = Deltas()
    # A re-route that records "routed" also writes order.rerouted, which says both sides.
    rerouted = {(r["order_id"], r["at_ns"]) for r in rows if r["type"] == ev.ORDER_REROUTED}
    for r in rows:
        p: Mapping[str, Any] = r["payload"] if isinstance(r["payload"], dict) else {}
        kind, oid = r["type"], r["order_id"] or ""
        f: Mapping[str, Any] = facts.get(oid) or {}
        if kind == ev.ORDER_CREATED:
            channel = str(r["channel"])
            d.counts["status", str(p.get("status"))] += 1
            d.counts["channel", channel] += 1
            if p.get("province"):
                # Full names (上海 → 上海市): events written before intake stored canonical
                # names count in the same bucket as the rest.
                d.counts["province", canonical_province(str(p["province"]))] += 1
            if p.get("warehouse_id"):
                d.counts["warehouse", str(p["warehouse_id"])] += 1
            d.flow[int(r["at_ns"]) // MINUTE_NS * MINUTE_NS, channel] += 1
            if f:
                province = canonical_province(str(f["province"]))
                fixed = (oid, str(f["channel"]), province, int(f["created_at_ns"]))
                d.tags.extend((str(tag), *fixed) for tag in f.get("tags") or ())
        elif kind == ev.MILESTONE_RECORDED:
            before, after = p.get("previous_status"), p.get("status")
            if before and after and before != after:
                d.counts["status", str(before)] -= 1
                d.counts["status", str(after)] += 1
            step = p.get("milestone")
            if step == "delivered" and f.get("promised_at_ns") is not None:
                d.counts["delivered", ""] += 1
                d.counts["on_time", ""] += int(p.get("at_ns") or 0) <= f["promised_at_ns"]
            elif step == "routed" and f.get("warehouse_id") and (oid, r["at_ns"]) not in rerouted:
                # Routed after intake (a held order got its stock): it now has a warehouse.
                d.counts["warehouse", str(f["warehouse_id"])] += 1
        elif kind == ev.UPDATE_REJECTED:
            d.problem(f.get("warehouse_id"), f.get("province"), str(p.get("source") or "?"))
        elif kind == ev.ORDER_REROUTED:
            if p.get("from"):
                d.counts["warehouse", str(p["from"])] -= 1
            if p.get("to"):
                d.counts["warehouse", str(p["to"])] += 1
        elif kind == ev.ORDER_ADDRESS_CORRECTED:
            was, now = (p.get("old") or {}).get("province"), (p.get("new") or {}).get("province")
            old = canonical_province(str(was)) if was else None
            new = canonical_province(str(now)) if now else None
            if old != new:
                if old:
                    d.counts["province", old] -= 1
                if new:
                    d.counts["province", new] += 1
                    d.provinces[oid] = new
    return d


def catch_up(app: Ordo, *, max_events: int = 200_000) -> int:
    """Apply the events committed since the cursor; returns how many were applied.

    Cheap when nothing is new (one read). A store with no cursor yet is rebuilt once.
    """
    with app.store.uow(read_only=True) as uow:
        cursor = uow.overview.read_cursor(NAME)
        newest = uow.overview.last_event_id()
    if cursor is None:
        rebuild(app)
        return 0
    applied = 0
    while cursor < newest and applied < max_events:
        step = app.retrying(lambda: _step(app))
        if step is None:
            break
        n, cursor = step
        applied += n
    return applied


def _step(app: Ordo) -> tuple[int, int] | None:
    now = app.clock.now_ns()
    with app.store.uow() as uow:
        q = uow.overview
        cursor = q.lock_cursor(NAME, now)
        if cursor is None:  # no cursor row (a rebuild is due): nothing to follow from
            return None
        newest = q.last_event_id()
        rows = q.events_between(cursor, newest, WATCHED, BATCH)
        # A short batch saw everything up to ``newest``; a full one continues after its last.
        upto = rows[-1]["id"] if len(rows) == BATCH else newest
        d = deltas_of(rows, q.order_facts(facts_needed(rows)))
        q.add_counts(d.counts)
        q.add_flow(d.flow)
        q.add_tags(d.tags)
        q.move_tags(d.provinces)
        q.prune_flow((now // MINUTE_NS - FLOW_KEEP_MINUTES) * MINUTE_NS)
        q.set_cursor(NAME, upto, now)
        uow.commit()
    return len(rows), upto


class Rebuilt(TypedDict):
    """What :func:`rebuild` did: where the cursor now is, and how long the recount took."""

    cursor: int
    rebuild_s: float


def rebuild(app: Ordo) -> Rebuilt:
    """Recompute every figure from the stored orders; the cursor moves to the newest event."""
    t0 = time.perf_counter()
    newest = app.retrying(lambda: _recount(app))
    return {"cursor": newest, "rebuild_s": round(time.perf_counter() - t0, 3)}


def _recount(app: Ordo) -> int:
    now = app.clock.now_ns()
    with app.store.uow() as uow:
        q = uow.overview
        q.one_snapshot()  # for every scan below and the cursor, or they could disagree
        q.set_cursor(NAME, 0, now)  # first a write: the lock, as in catch_up
        newest = q.last_event_id()
        q.clear()
        d = Deltas()
        for (dim, key), n in q.scan_counts().items():
            # Rows stored before names were canonical (上海) count with 上海市.
            d.counts[dim, canonical_province(key) if dim == "province" else key] += n
        delivered, on_time = q.scan_deliveries()
        d.counts["delivered", ""] += delivered
        d.counts["on_time", ""] += on_time
        for warehouse, province, source, n in q.scan_anomalies():
            d.problem(warehouse, province, source, n)
        start = (now // MINUTE_NS - FLOW_KEEP_MINUTES) * MINUTE_NS
        q.add_counts(d.counts)
        q.add_flow(q.scan_flow(first_id_at(start), start, MINUTE_NS))
        q.fill_tags()
        q.set_cursor(NAME, newest, now)
        uow.commit()
    return newest
