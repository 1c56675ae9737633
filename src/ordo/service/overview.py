"""The dashboard's overview figures, kept up to date incrementally from the outbox.

The first call reads the totals once (grouped scans); every later call reads only the
events committed since (``order.created``, ``order.milestone_recorded``,
``order.update_rejected``) and a few primary-key lookups, so a page view costs the
same with a thousand orders or a million. Because it follows the outbox, orders
written by other processes (workers, a second API process) are counted too.

Figures that belong to other parts (exceptions, health) are not guessed here: the
page asks their own endpoints and shows "—" while they are absent.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from typing import Any

from ordo.adapters.store import overview as q
from ordo.domain import events as ev
from ordo.service.app import Ordo

MINUTE_NS = 60 * 1_000_000_000
#: Minutes of order flow kept for the chart.
FLOW_MINUTES = 30
#: Orders per minute is averaged over this many whole minutes.
RATE_MINUTES = 5
#: Events applied per read; a long backlog drains over several reads.
BATCH = 5000
MAX_BATCHES = 40
TOP = 5
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as in ordo.ids: ids sort by creation time


def first_id_at(ns: int) -> str:
    """The smallest order id that can have been issued at or after ``ns``."""
    ms, chars = ns // 1_000_000, []
    for _ in range(10):
        chars.append(_ALPHABET[ms & 31])
        ms >>= 5
    return "OR" + "".join(reversed(chars))


class Overview:
    """Counters for one store. Thread-safe; build lazily with :meth:`refresh`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.cursor: int | None = None
        self.by_status: Counter[str] = Counter()
        self.by_channel: Counter[str] = Counter()
        self.by_province: Counter[str] = Counter()
        self.by_warehouse: Counter[str] = Counter()
        self.flow: dict[int, Counter[str]] = defaultdict(Counter)  # minute -> channel -> orders
        self.delivered = 0
        self.on_time = 0
        self.problem_warehouses: Counter[str] = Counter()
        self.problem_regions: Counter[str] = Counter()
        self.problem_sources: Counter[str] = Counter()

    # building -------------------------------------------------------------------
    def refresh(self, app: Ordo) -> None:
        with self._lock:
            if self.cursor is None:
                self._build(app)
            for _ in range(MAX_BATCHES):
                if self._follow(app) < BATCH:
                    break

    def _build(self, app: Ordo) -> None:
        now = app.clock.now_ns()
        # One read transaction: the totals and the cursor describe the same instant.
        with app.store.uow(read_only=True) as uow:
            conn = uow.connection
            cursor = uow.outbox.last_id()
            for status, channel, province, warehouse, n in q.status_channel_place_counts(conn):
                self.by_status[status] += n
                self.by_channel[channel] += n
                self.by_province[province] += n
                if warehouse:
                    self.by_warehouse[warehouse] += n
            for created_ns, channel in q.created_since(conn, first_id_at(now - FLOW_MINUTES * MINUTE_NS)):
                self.flow[created_ns // MINUTE_NS][channel] += 1
            self.delivered, self.on_time = q.deliveries(conn)
            for wh, place, source, n in q.anomaly_places(conn):
                self._problem(wh, place, source, n)
        self.cursor = cursor

    def _problem(self, warehouse: str | None, province: str | None, source: str, n: int = 1) -> None:
        if warehouse:
            self.problem_warehouses[warehouse] += n
        if province:
            self.problem_regions[province] += n
        self.problem_sources[source] += n

    def _follow(self, app: Ordo) -> int:
        assert self.cursor is not None
        with app.store.uow(read_only=True) as uow:
            rows = uow.outbox.after(
                self.cursor,
                limit=BATCH,
                types=[ev.ORDER_CREATED, ev.MILESTONE_RECORDED, ev.UPDATE_REJECTED],
            )
            wanted = [
                r["order_id"]
                for r in rows
                if r["order_id"]
                and (
                    r["type"] == ev.UPDATE_REJECTED
                    or (r["type"] == ev.MILESTONE_RECORDED and r["payload"].get("milestone") == "delivered")
                )
            ]
            facts = q.order_facts(uow.connection, wanted) if wanted else {}
        for r in rows:
            self._apply(r, facts)
            self.cursor = r["id"]
        return len(rows)

    def _apply(self, row: dict[str, Any], facts: dict[str, dict[str, Any]]) -> None:
        p: dict[str, Any] = row["payload"] if isinstance(row["payload"], dict) else {}
        kind = row["type"]
        if kind == ev.ORDER_CREATED:
            self.by_status[str(p.get("status"))] += 1
            self.by_channel[str(row["channel"])] += 1
            if p.get("province"):
                self.by_province[p["province"]] += 1
            if p.get("warehouse_id"):
                self.by_warehouse[p["warehouse_id"]] += 1
            self.flow[row["at_ns"] // MINUTE_NS][str(row["channel"])] += 1
        elif kind == ev.MILESTONE_RECORDED:
            before, after = p.get("previous_status"), p.get("status")
            if before and after and before != after:
                self.by_status[str(before)] -= 1
                self.by_status[str(after)] += 1
            f = facts.get(row["order_id"] or "")
            if p.get("milestone") == "delivered" and f and f["promised_at_ns"] is not None:
                self.delivered += 1
                self.on_time += int(p.get("at_ns") or 0) <= f["promised_at_ns"]
        elif kind == ev.UPDATE_REJECTED:
            f = facts.get(row["order_id"] or "") or {}
            self._problem(f.get("warehouse_id"), f.get("province"), str(p.get("source") or "?"))

    # reading --------------------------------------------------------------------
    def snapshot(self, now_ns: int, carriers: set[str]) -> dict[str, Any]:
        with self._lock:
            minute = now_ns // MINUTE_NS
            for m in [m for m in self.flow if m <= minute - FLOW_MINUTES]:
                del self.flow[m]
            minutes = list(range(minute - FLOW_MINUTES + 1, minute + 1))
            channels = sorted({c for counts in self.flow.values() for c in counts})
            # The last whole minutes, not the current one (it has only begun).
            whole = [m for m in minutes[-RATE_MINUTES - 1 : -1] if m in self.flow]
            recent = sum(sum(self.flow[m].values()) for m in whole)
            total = sum(self.by_channel.values())
            return {
                "cursor": self.cursor,
                "total_orders": total,
                "orders_per_minute": round(recent / RATE_MINUTES, 2),
                "on_time": {
                    "delivered": self.delivered,
                    "on_time": self.on_time,
                    "rate": round(self.on_time / self.delivered, 4) if self.delivered else None,
                },
                "by_status": {k: v for k, v in sorted(self.by_status.items()) if v},
                "by_channel": dict(self.by_channel.most_common()),
                "by_province": dict(self.by_province.most_common()),
                "by_warehouse": dict(self.by_warehouse.most_common()),
                "flow": {
                    "minutes_ns": [m * MINUTE_NS for m in minutes],
                    "series": {c: [self._at(m, c) for m in minutes] for c in channels},
                },
                "problems": {
                    "warehouses": _top(self.problem_warehouses),
                    "regions": _top(self.problem_regions),
                    "carriers": _top(Counter({k: self.problem_sources[k] for k in carriers})),
                },
            }

    def _at(self, minute: int, channel: str) -> int:
        return self.flow[minute][channel] if minute in self.flow else 0


def _top(counts: Counter[str]) -> list[dict[str, Any]]:
    return [{"key": k, "count": n} for k, n in counts.most_common(TOP) if n > 0]
