"""Trouble for the simulator, and the people who deal with what automation cannot.

With exceptions on, ``simulate`` hands each order's planned reports to a ``Crew``, which
makes some of them late the way real operations are (a slow warehouse, a carrier that
does not come), plans cold-chain sensor readings (noisy, a few real excursions, a few
broken probes), restocks the scarce SKUs now and then, calls ``scan`` as simulated time
passes, and plays the operators of the human queue: they acknowledge an item after a
while and resolve it, or dismiss it when the ground truth says it was a false alarm
(a broken probe, not warm goods). The run's closure figures come from the service's
own metrics. Everything goes through the service layer; nothing sleeps.
"""

from __future__ import annotations

import dataclasses
import heapq
import random
from dataclasses import dataclass, field
from typing import Any

from ordo.domain.lifecycle import Milestone
from ordo.domain.model import LineFlag, Order, Stock
from ordo.domain.telemetry import Reading, Tolerance, tolerance_for
from ordo.service import exceptions_queue as q
from ordo.service.app import Ordo
from ordo.service.catalog import save_catalog
from ordo.service.exceptions import scan
from ordo.service.telemetry import ingest
from ordo.sim.progression import EventQueue, Report
from ordo.sim.reactions import Reactions

S = 1_000_000_000
MIN, HOUR = 60 * S, 3600 * S


@dataclass(frozen=True, slots=True)
class Trouble:
    """How much goes wrong, per order (cold shares per cold-chain order)."""

    slow_warehouse: float = 0.03  # picking starts hours late
    pickup_failure: float = 0.02  # the carrier does not come for half a day
    excursion: float = 0.04  # the truck really warms up for most of an hour
    broken_probe: float = 0.015  # a probe reads warm for an hour; the goods are fine
    noise_c: float = 0.4  # sensor noise (σ, °C)
    spike: float = 0.03  # per reading: one wild sample
    restock_every_ns: int = 3 * HOUR
    scan_every_ns: int = 10 * MIN
    operator_reaction_ns: int = 40 * MIN
    #: Warehouses and carriers act on Ordo's re-routes and carrier switches (``ordo.sim.reactions``).
    follow_playbooks: bool = True


@dataclass
class Crew:
    app: Ordo
    rng: random.Random
    trouble: Trouble = field(default_factory=Trouble)
    scarce: tuple[str, ...] = ()
    #: SKU → category, for each cold order's temperature range.
    categories: dict[str, str] = field(default_factory=dict)
    false_alarms: set[tuple[str, str]] = field(default_factory=set)
    _readings: list[tuple[int, int, Reading]] = field(default_factory=list)
    _seq: int = 0
    _last_scan: int = 0
    _last_restock: int = 0
    scans: int = 0
    readings_sent: int = 0
    injected: dict[str, int] = field(default_factory=dict)
    #: The world acting on playbook steps; its own random stream, so the trouble injected
    #: is the same with or without it.
    reactions: Reactions | None = None

    # shaping the plan ------------------------------------------------------------
    def shape(self, order: Order, order_id: str, reports: list[Report]) -> list[Report]:
        t = self.trouble
        if self.rng.random() < t.slow_warehouse:
            reports = self._delay(
                reports, Milestone.PICKED, int(self.rng.uniform(3.5, 8) * HOUR), "slow_warehouse"
            )
        if self.rng.random() < t.pickup_failure:
            reports = self._delay(reports, Milestone.COLLECTED, int(self.rng.uniform(9, 20) * HOUR), "pickup")
        cold = [
            self.categories.get(ln.sku, "") for ln in order.lines if LineFlag.COLD_CHAIN.value in ln.flags
        ]
        if cold:
            self._sensor(order_id, reports, tolerance_for(cold))
        return reports

    def _delay(self, reports: list[Report], step: Milestone, by: int, why: str) -> list[Report]:
        start = next((r.update.at_ns for r in reports if r.update.milestone is step), None)
        if start is None:
            return reports
        self.injected[why] = self.injected.get(why, 0) + 1
        out = []
        for r in reports:
            if r.update.at_ns >= start and not r.update.milestone.is_side_state:
                u = dataclasses.replace(r.update, at_ns=r.update.at_ns + by)
                r = dataclasses.replace(r, arrive_ns=r.arrive_ns + by, update=u)
            out.append(r)
        return out

    def _sensor(self, order_id: str, reports: list[Report], tolerance: Tolerance) -> None:
        times = {r.update.milestone: r.update.at_ns for r in reports}
        start, end = times.get(Milestone.OUTBOUND), times.get(Milestone.DELIVERED)
        if start is None or end is None:
            return
        t, rng = self.trouble, self.rng
        device = f"TMP-{order_id[-6:]}"
        warm_from = warm_to = -1
        kind = rng.random()
        if kind < t.excursion + t.broken_probe:
            warm_from = start + rng.randint(1, 6) * HOUR
            warm_to = warm_from + rng.randint(35, 80) * MIN
            self.injected["excursion" if kind < t.excursion else "broken_probe"] = (
                self.injected.get("excursion" if kind < t.excursion else "broken_probe", 0) + 1
            )
            if kind >= t.excursion:
                self.false_alarms.add((order_id, device))
        middle = (tolerance.min_c + tolerance.max_c) / 2
        at = start
        while at < min(end, start + 48 * HOUR):
            celsius = rng.gauss(middle, t.noise_c)
            if warm_from <= at < warm_to:
                celsius = tolerance.max_c + rng.uniform(3.0, 8.0)
            elif rng.random() < t.spike:
                celsius = tolerance.max_c + rng.uniform(5.0, 20.0)  # a door, a hand, a glitch: one sample
            reading = Reading(order_id, device, at, round(celsius, 2))
            heapq.heappush(self._readings, (at + rng.randint(5, 90) * S, self._seq, reading))
            self._seq += 1
            at += 10 * MIN

    # as time passes ---------------------------------------------------------------
    def tick(self, now: int, *, final: bool = False, queue: EventQueue | None = None) -> None:
        batch: list[Reading] = []
        while self._readings and (final or self._readings[0][0] <= now):
            batch.append(heapq.heappop(self._readings)[2])
        if batch:
            ingest(self.app, batch)
            self.readings_sent += len(batch)
        if self.scarce and now - self._last_restock >= self.trouble.restock_every_ns:
            self._restock()
            self._last_restock = now
        if final or now - self._last_scan >= self.trouble.scan_every_ns:
            scan(self.app)
            self.scans += 1
            self._last_scan = now
            if queue is not None and self.reactions is not None:
                self.reactions.follow(queue)  # before the operators: they react more slowly
            self._operators(now, final=final)

    def _restock(self) -> None:
        """A delivery from the supplier: every scarce SKU gets a few more units where it is kept."""
        with self.app.store.uow(read_only=True) as uow:
            rows = [r for sku in self.scarce for r in uow.stock.query(sku=sku, limit=1_000)]
        levels = [
            Stock(r.warehouse_id, r.sku, r.on_hand + self.rng.randint(2, 12), r.reserved, r.safety)
            for r in rows
        ]
        if levels:
            save_catalog(self.app, stock=levels)

    def _operators(self, now: int, *, final: bool) -> None:
        rows, _ = q.list_exceptions(self.app, q.ExceptionFilter(queued=True, state="open"), limit=200)
        rows += q.list_exceptions(self.app, q.ExceptionFilter(queued=True, state="acknowledged"), limit=200)[
            0
        ]
        for row in rows:
            waited = now - int(row["updated_at_ns"])
            if not final and waited < self.trouble.operator_reaction_ns:
                continue
            eid = int(row["id"])
            if row["state"] == "open":
                q.acknowledge(self.app, eid, by="sim:operator")
            device = (row["details"] or {}).get("device_id")
            if row["detector"] == "cold_chain" and (row["order_id"], device) in self.false_alarms:
                q.dismiss(
                    self.app, eid, by="sim:operator", note="探头故障，货物温度正常 / probe fault, goods fine"
                )
            else:
                q.resolve(self.app, eid, by="sim:operator", note="已人工处理 / handled by hand")

    def result(self) -> dict[str, Any]:
        m = q.metrics(self.app)
        return {
            "auto_closure_rate": m["auto_closure_rate"],
            "alert_precision": m["alert_precision"],
            "opened": m["open"] + m["closed"],
            "closed": m["closed"],
            "still_open": m["open"],
            "time_to_close_p50_s": m["time_to_close_p50_s"],
            "by_detector": {
                d: {
                    k: v[k]
                    for k in ("closed", "auto_resolved", "dismissed", "auto_closure_rate", "alert_precision")
                }
                for d, v in m["by_detector"].items()
            },
            "injected": dict(sorted(self.injected.items())),
            "followed": dict(sorted(self.reactions.followed.items())) if self.reactions else {},
            "scans": self.scans,
            "readings": self.readings_sent,
        }
