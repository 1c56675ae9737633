"""Trouble for the simulator, and the people who deal with what automation cannot.

With incidents on, ``simulate`` hands each order's planned reports to a ``Crew``, which
makes some of them late the way real operations are (a slow warehouse, a carrier that
does not come), plans cold-chain sensor readings (noisy, a few real excursions warming
along a curve, a few probes broken the ways real ones break: ``ordo.sim.probes``; half
the shipments carry a second probe), has an operator hold a few orders the warehouse
already has while the warehouse picks them anyway (a hold violation, then the hold is
let go), restocks the scarce SKUs now and then, calls
``scan`` as simulated time passes, and plays the operators of the human queue: they
acknowledge an item after a while and resolve it, or dismiss it when the ground truth
says it was a false alarm (a broken probe, not warm goods). The run's closure figures
come from the service's own metrics; cold-chain alerts and probe-fault signals are also
judged against the simulator's ground truth (``ordo.sim.truth``). Everything goes
through the service layer; nothing sleeps.
"""

from __future__ import annotations

import dataclasses
import heapq
import random
from dataclasses import dataclass, field
from typing import Any

from ordo.domain.errors import LifecycleViolation
from ordo.domain.incidents.telemetry import Reading, Tolerance, tolerance_for
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import LineFlag, Order, Stock
from ordo.service.incidents import queue as q
from ordo.service.incidents.scan import scan
from ordo.service.incidents.telemetry import ingest
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.holds import hold, read_order, release
from ordo.service.runtime.app import Ordo
from ordo.sim.probes import ProbeCurve
from ordo.sim.progression import EventQueue, Report
from ordo.sim.reactions import Reactions
from ordo.sim.truth import cold_chain_truth, overall_true_precision

S = 1_000_000_000
MIN, HOUR = 60 * S, 3600 * S


@dataclass(frozen=True, slots=True)
class Trouble:
    """How much goes wrong, per order (cold shares per cold-chain order)."""

    slow_warehouse: float = 0.03  # picking starts hours late
    pickup_failure: float = 0.02  # the carrier does not come for half a day
    excursion: float = 0.04  # the truck really warms up for most of an hour
    broken_probe: float = 0.015  # a probe fails (how: ``probe_faults``); the goods are fine
    #: Share of cold shipments with a second probe (or the vehicle's ambient sensor).
    second_probe: float = 0.5
    #: How probes break, with weights: a jump onto a warm plateau (loose contact), the
    #: 85.0 °C power-on value of a one-wire probe, a slow drift that looks like warming
    #: (only a second probe can tell), a value frozen where it was.
    probe_faults: tuple[tuple[str, float], ...] = (
        ("jump", 0.4),
        ("rail", 0.2),
        ("drift", 0.2),
        ("stuck", 0.2),
    )
    noise_c: float = 0.4  # sensor noise (σ, °C)
    spike: float = 0.03  # per reading: one wild sample
    restock_every_ns: int = 3 * HOUR
    scan_every_ns: int = 10 * MIN
    operator_reaction_ns: int = 40 * MIN
    #: Warehouses and carriers act on Ordo's re-routes and carrier switches (``ordo.sim.reactions``).
    follow_playbooks: bool = True
    #: An operator holds the order between its release and its picking, and the warehouse
    #: picks it anyway (a ``hold_violated`` incident); the hold is let go soon after.
    hold_violation: float = 0.004


@dataclass
class Crew:
    app: Ordo
    rng: random.Random
    trouble: Trouble = field(default_factory=Trouble)
    scarce: tuple[str, ...] = ()
    #: SKU → category, for each cold order's temperature range.
    categories: dict[str, str] = field(default_factory=dict)
    #: Ground truth: probes the simulator broke, and orders whose goods really warmed.
    false_alarms: set[tuple[str, str]] = field(default_factory=set)
    warm_orders: set[str] = field(default_factory=set)
    #: Working probes that glitched several samples in a row (misread, goods fine).
    glitched: set[tuple[str, str]] = field(default_factory=set)
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
    #: Sensors draw from their own stream, so the other trouble does not move when they change.
    sensor_rng: random.Random | None = None
    #: Hold violations draw from their own stream too (None: none are injected).
    hold_rng: random.Random | None = None
    #: Orders whose warehouse ignores a hold (``ordo.sim.holding`` lets their reports through).
    ignoring: set[str] = field(default_factory=set)
    #: Operator actions due: (when, sequence, "hold" | "release", order id).
    _actions: list[tuple[int, int, str, str]] = field(default_factory=list)

    # shaping the plan ------------------------------------------------------------
    def shape(self, order: Order, order_id: str, reports: list[Report]) -> list[Report]:
        t = self.trouble
        if self.rng.random() < t.slow_warehouse:
            reports = self._delay(
                reports, Milestone.PICKED, int(self.rng.uniform(3.5, 8) * HOUR), "slow_warehouse"
            )
        if self.rng.random() < t.pickup_failure:
            reports = self._delay(reports, Milestone.COLLECTED, int(self.rng.uniform(9, 20) * HOUR), "pickup")
        if self.hold_rng is not None and self.hold_rng.random() < t.hold_violation:
            self._violate_hold(order_id, reports)
        cold = [
            self.categories.get(ln.sku, "") for ln in order.lines if LineFlag.COLD_CHAIN.value in ln.flags
        ]
        if cold:
            self._sensor(order_id, reports, tolerance_for(cold))
            if self.reactions is not None:
                self.reactions.originals[order_id] = order
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

    def _violate_hold(self, order_id: str, reports: list[Report]) -> None:
        """Plan an operator's hold after the release has reached Ordo and before the picking
        does, which the warehouse ignores; the hold is let go a little after the picking."""
        rng = self.hold_rng
        assert rng is not None
        arrive: dict[Milestone, int] = {}
        for r in reports:  # the first report of each step (a duplicate comes later)
            arrive[r.update.milestone] = min(r.arrive_ns, arrive.get(r.update.milestone, r.arrive_ns))
        released, picked = arrive.get(Milestone.RELEASED_TO_WAREHOUSE), arrive.get(Milestone.PICKED)
        if released is None or picked is None or picked - released < 10 * MIN:
            return
        at = rng.randint(released + MIN, picked - 5 * MIN)
        self.ignoring.add(order_id)
        self._count("hold_violation")
        heapq.heappush(self._actions, (at, self._seq, "hold", order_id))
        self._seq += 1
        heapq.heappush(self._actions, (picked + rng.randint(5, 20) * MIN, self._seq, "release", order_id))
        self._seq += 1

    def _act(self, now: int, final: bool) -> None:
        while self._actions and (final or self._actions[0][0] <= now):
            _, _, what, oid = heapq.heappop(self._actions)
            if what == "hold":
                [out] = hold(
                    self.app, [oid], reason="客户要求暂停发货 / customer asked to pause", actor="sim:operator"
                )
                self._count(f"hold_{out.outcome}")
                continue
            steps = {m["milestone"] for m in read_order(self.app, oid)["milestones"]}
            if Milestone.PICKED.value not in steps and not final:  # the operator waits to see it picked
                heapq.heappush(self._actions, (now + 10 * MIN, self._seq, "release", oid))
                self._seq += 1
                continue
            try:
                release(self.app, oid, actor="sim:operator", note="已核实，放行 / checked, let go")
            except LifecycleViolation:  # gone already (or never held): the hold stays as it is
                self._count("hold_not_released")

    def _sensor(self, order_id: str, reports: list[Report], tolerance: Tolerance) -> None:
        times = {r.update.milestone: r.update.at_ns for r in reports}
        start, end = times.get(Milestone.OUTBOUND), times.get(Milestone.DELIVERED)
        if start is None or end is None:
            return
        t, rng = self.trouble, self.sensor_rng or self.rng
        devices = [f"TMP-{order_id[-6:]}"]
        if rng.random() < t.second_probe:
            devices.append(f"AMB-{order_id[-6:]}")
        warm = fault = None
        kind = rng.random()
        since = start + rng.randint(1, 6) * HOUR
        span = (since, since + rng.randint(35, 80) * MIN)
        # Trouble only while the parcel is on the road (the sensor stops at delivery).
        span = span if span[1] + 20 * MIN < min(end, start + 48 * HOUR) else (end, end)
        if kind < t.excursion + t.broken_probe and span[0] < span[1]:
            if kind < t.excursion:
                warm = (since, since + rng.randint(50, 100) * MIN)  # long enough to count
                self.warm_orders.add(order_id)
                self._count("excursion")
            else:
                modes, weights = zip(*t.probe_faults, strict=True)
                mode = rng.choices(modes, weights)[0]
                fault = (rng.choice(devices), mode, span)
                self.false_alarms.add((order_id, fault[0]))
                self._count("broken_probe")
                self._count(f"broken_probe:{mode}")
        middle = (tolerance.min_c + tolerance.max_c) / 2
        for device in devices:
            curve = ProbeCurve(
                middle, tolerance.max_c, rng, warm, fault if fault and fault[0] == device else None
            )
            at, last, spikes = start, middle, 0
            while at < min(end, start + 48 * HOUR):
                celsius = curve.at(at, last)
                spiked = False
                if celsius is None:
                    celsius = rng.gauss(middle, t.noise_c) + curve.warmth(at)
                    if rng.random() < t.spike:
                        celsius = tolerance.max_c + rng.uniform(5.0, 20.0)  # a door, a hand, a glitch
                        spiked = True
                spikes = spikes + 1 if spiked else 0
                if spikes >= 2:
                    self.glitched.add((order_id, device))
                last = round(celsius, 2)
                reading = Reading(order_id, device, at, last)
                heapq.heappush(self._readings, (at + rng.randint(5, 90) * S, self._seq, reading))
                self._seq += 1
                at += 10 * MIN

    def _count(self, what: str) -> None:
        self.injected[what] = self.injected.get(what, 0) + 1

    # as time passes ---------------------------------------------------------------
    def tick(self, now: int, *, final: bool = False, queue: EventQueue | None = None) -> None:
        self._act(now, final)
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
        rows, _ = q.list_incidents(self.app, q.IncidentFilter(queued=True, state="open"), limit=200)
        rows += q.list_incidents(self.app, q.IncidentFilter(queued=True, state="acknowledged"), limit=200)[0]
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
        truth = cold_chain_truth(self.app, self.warm_orders, self.false_alarms, self.glitched)
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
            "true_alert_precision": overall_true_precision(m, truth),
            "truth": truth,
            "injected": dict(sorted(self.injected.items())),
            "followed": dict(sorted(self.reactions.followed.items())) if self.reactions else {},
            "scans": self.scans,
            "readings": self.readings_sent,
        }
