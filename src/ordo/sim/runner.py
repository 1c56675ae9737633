"""Run a simulated day through Ordo, as fast as the store allows.

``simulate`` makes a day of orders, pushes them through ``intake`` in batches and
then feeds every planned milestone report through ``advance``, moving the injected
``ManualClock`` along so each call sees the simulated "now". It goes through the
service layer only (the one way in) and never sleeps: a day, and the week of
deliveries after it, runs in seconds.

Batching: an order waits at most ``ORDER_LAG_NS`` (simulated) to share an intake
batch of up to ``batch``; a report waits at most ``REPORT_LAG_NS`` to share an
``advance`` batch of up to ``update_batch``. The clock is set to the latest arrival
in each call, so no report is from the future and the clock never goes back.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ordo.clock import ManualClock
from ordo.domain.orders.milestones import Outcome
from ordo.domain.orders.model import Order
from ordo.service.events import overview
from ordo.service.orders.intake import IntakeOutcome, intake
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from ordo.sim.demand import HOUR_NS, NS_PER_S, DemandCurve, OrderFactory, schedule
from ordo.sim.holding import HoldGate
from ordo.sim.progression import EventQueue, Kind, Noise, plan
from ordo.sim.reactions import Reactions
from ordo.sim.trouble import Crew, Trouble
from ordo.sim.world import ensure_world

#: How long (simulated) an order may wait for others to share an intake batch: short,
#: because intake is where Ordo decides and the decision time is worth keeping true.
ORDER_LAG_NS = 10 * 60 * NS_PER_S
#: How long a milestone report may wait to share an ``advance`` batch. Reports only
#: concern orders already taken in, so they may lag orders; their own times are exact.
REPORT_LAG_NS = 60 * 60 * NS_PER_S
#: The same with incidents on. The scan judges SLA timers by what has reached Ordo, so a
#: report held back an hour for batching (when the world sent it within seconds) raised
#: phantom SLA breaches that then "closed themselves" when it came: most of the run's
#: incidents, inflating both the auto-closure rate and the alert precision.
TROUBLE_REPORT_LAG_NS = 60 * NS_PER_S
#: Reports per ``advance`` call. Big on purpose: an order's reports then share calls,
#: and the store reads each order's recorded steps once per call, not once per report.
UPDATE_BATCH = 20_000
#: Share of orders a channel pushes twice (a retried webhook), and with a SKU Ordo
#: does not know (a listing the merchant never mapped): both must be told apart.
REPUSH_SHARE = 0.01
UNMAPPED_SHARE = 0.002


#: Reports a taken-in order brings on average (for progress estimates only).
_REPORTS_PER_ORDER = 13


@dataclass(frozen=True, slots=True)
class SimProgress:
    """Where a run is: orders taken in so far, reports sent and still queued, simulated now."""

    orders_in: int
    orders_total: int
    updates_done: int
    updates_pending: int
    now_ns: int

    @property
    def fraction(self) -> float:
        """Estimated share of the run's work done, 0..1 (for a progress bar)."""
        ahead = self.updates_pending + (self.orders_total - self.orders_in) * (_REPORTS_PER_ORDER + 1)
        done = self.orders_in + self.updates_done
        return done / (done + ahead) if done + ahead else 1.0


@dataclass(frozen=True)
class SimSummary:
    seed: int
    world_seed: int
    orders: int
    orders_created: int
    orders_duplicate: int
    orders_rejected: int
    orders_on_hold: int
    updates_sent: int
    updates_recorded: int
    updates_duplicate: int
    updates_rejected: int
    #: Reports planned to be impossible; each should come back rejected.
    impossible_sent: int
    status_counts: dict[str, int]
    by_channel: dict[str, int]
    start_ns: int
    end_ns: int
    wall_s: float
    anomaly_codes: dict[str, int] = field(default_factory=dict)
    #: With incidents on: auto-closure rate, alert precision and what was injected.
    incidents: dict[str, Any] | None = None
    #: Delivered orders with a promise, of which on time, and the rate: as the overview counts them.
    on_time: dict[str, Any] = field(default_factory=dict)
    #: Orders the simulated warehouse stopped because they were held (``ordo.sim.holding``),
    #: resumed once the hold was lifted, and still held at the end.
    holds: dict[str, int] = field(default_factory=dict)

    @property
    def simulated_s(self) -> float:
        return (self.end_ns - self.start_ns) / NS_PER_S

    @property
    def orders_per_s(self) -> float:
        return self.orders_created / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def updates_per_s(self) -> float:
        return self.updates_sent / self.wall_s if self.wall_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["exceptions"] = out.pop("incidents")  # the printed summary keeps its key
        out.update(
            simulated_s=round(self.simulated_s, 1),
            simulated_days=round(self.simulated_s / 86_400, 2),
            wall_s=round(self.wall_s, 3),
            orders_per_s=round(self.orders_per_s, 1),
            updates_per_s=round(self.updates_per_s, 1),
        )
        return out


def next_full_hour(ns: int) -> int:
    return -(-ns // HOUR_NS) * HOUR_NS


def day_of_orders(
    factory: OrderFactory, start_ns: int, orders: int, rng: random.Random
) -> list[tuple[int, Order]]:
    """(push time, order) for a day, sorted: channels push once paid (or at once if not)."""
    out: list[tuple[int, Order]] = []
    for placed in schedule(factory.curve, start_ns, orders, rng):
        order = factory.make(placed)
        if rng.random() < UNMAPPED_SHARE:
            first = order.lines[0]
            order = dataclasses.replace(
                order,
                lines=(dataclasses.replace(first, sku="SKU-UNMAPPED-" + first.sku[4:]), *order.lines[1:]),
            )
        push = (order.paid_at_ns or order.placed_at_ns) + rng.randint(1, 20) * NS_PER_S
        out.append((push, order))
        if rng.random() < REPUSH_SHARE:
            out.append((push + rng.randint(1, 300) * NS_PER_S, order))
    out.sort(key=lambda po: po[0])
    return out


def simulate(
    app: Ordo,
    clock: ManualClock,
    *,
    orders: int,
    seed: int,
    start_ns: int | None = None,
    batch: int = 200,
    update_batch: int | None = None,
    noise: Noise | None = None,
    curve: DemandCurve | None = None,
    on_progress: Callable[[SimProgress], None] | None = None,
    trouble: Trouble | None = None,
) -> SimSummary:
    """Simulate one day of ``orders`` and every report about them until the last is in.

    The world comes from the catalog (or is generated from ``seed`` and loaded when the
    store has none). The day starts at ``start_ns`` (default: the clock's now), rounded
    up to a full hour, and the run ends when the last report of the last order is in,
    about two weeks of simulated time later (7-day auto-confirmation, returns).

    With ``trouble`` the run injects slow warehouses, missed pickups and cold-chain
    sensors, restocks scarce SKUs, calls the incident ``scan`` as simulated time passes
    and plays the human queue (``ordo.sim.trouble``); the summary then has ``incidents``.
    """
    if app.clock is not clock:
        raise ValueError("simulate needs the app's own ManualClock (bootstrap(clock=...))")
    wall0 = time.perf_counter()  # wall time only measures the run; simulated time is the clock's
    update_batch = update_batch or UPDATE_BATCH
    noise = noise or Noise()
    world = ensure_world(app, seed)
    factory = OrderFactory(world, app.divisions, seed, curve)
    rng = random.Random(f"{seed}:runner")
    # The day starts on a full hour, never before the clock: a ManualClock does not go back.
    start = next_full_hour(max(start_ns or 0, clock.now_ns()))
    clock.set(start)
    arrivals = day_of_orders(factory, start, orders, rng)
    warehouses = {w.id: w for w in world.warehouses}
    crew = None
    if trouble is not None:
        crew = Crew(app, random.Random(f"{seed}:trouble"), trouble, world.scarce_skus)
        crew.sensor_rng = random.Random(f"{seed}:sensors")
        crew.hold_rng = random.Random(f"{seed}:holds")
        if trouble.follow_playbooks:
            crew.reactions = Reactions(
                app, random.Random(f"{seed}:reactions"), warehouses, tuple(world.carriers), noise
            )
        crew.categories = {s.sku: s.category for s in world.skus}

    gate = HoldGate(app, ignoring=crew.ignoring if crew is not None else set())
    report_lag = REPORT_LAG_NS if crew is None else TROUBLE_REPORT_LAG_NS
    queue = EventQueue()
    intake_counts: Counter[str] = Counter()
    update_counts: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    status: dict[str, str] = {}
    on_hold = sent = impossible = 0
    i = 0

    def report() -> None:
        if on_progress is not None:
            done = sum(update_counts.values())
            on_progress(SimProgress(i, len(arrivals), done, len(queue), clock.now_ns()))

    while i < len(arrivals) or len(queue):
        next_order = arrivals[i][0] if i < len(arrivals) else None
        next_report = queue.next_time()
        overdue = next_report is not None and (next_order is None or next_report + report_lag <= next_order)
        if next_order is not None and not overdue:
            horizon = next_order + ORDER_LAG_NS
            j = i
            while j < len(arrivals) and j - i < batch and arrivals[j][0] <= horizon:
                j += 1
            chunk = arrivals[i:j]
            i = j
            clock.set(chunk[-1][0])
            results = intake(app, [o for _, o in chunk])
            now = clock.now_ns()
            for (_, order), res in zip(chunk, results, strict=True):
                intake_counts[res.outcome.value] += 1
                if res.outcome is not IntakeOutcome.CREATED or res.order_id is None:
                    continue
                by_channel[order.channel] += 1
                status[res.order_id] = res.status or ""
                on_hold += res.warehouse_id is None
                reports = plan(
                    order,
                    order_id=res.order_id,
                    intake_ns=now,
                    warehouse=warehouses.get(res.warehouse_id or ""),
                    carriers=world.carriers,
                    rng=rng,
                    noise=noise,
                    carrier_id=res.carrier_id,
                )
                if crew is not None:
                    reports = crew.shape(order, res.order_id, reports)
                    if crew.reactions is not None and res.warehouse_id is None:
                        crew.reactions.held[res.order_id] = order
                impossible += sum(r.kind is Kind.IMPOSSIBLE for r in reports)
                queue.push(reports)
        else:
            # The earliest report has waited long enough: it goes with the others of the
            # next REPORT_LAG. After the last order no new report can be planned, so a
            # chunk may then span any stretch of time.
            assert next_report is not None
            # With incidents on, time keeps its pace to the end: the scan must see reports late.
            paced = next_order is not None or crew is not None
            until = next_report + report_lag if paced else 2**63 - 1
            due = queue.pop_due(until, update_batch)
            clock.set(max(r.arrive_ns for r in due))
            due = gate.screen(due, queue, clock.now_ns())  # a held order waits
            sent += len(due)
            for done in advance(app, [r.update for r in due]):
                update_counts[done.outcome.value] += 1
                if done.status is not None:
                    status[done.update.order_id] = done.status.value
                if done.outcome is Outcome.REJECTED and done.error is not None:
                    codes[done.error.code] += 1
        if crew is not None:
            crew.tick(clock.now_ns(), queue=queue)
        gate.resume(queue, clock.now_ns())
        report()
    if crew is not None:
        crew.tick(clock.now_ns(), final=True)
    impossible -= gate.impossible_parked()  # never sent: their orders are still held

    wall = time.perf_counter() - wall0
    return SimSummary(
        seed=seed,
        world_seed=world.seed,
        orders=orders,
        orders_created=intake_counts[IntakeOutcome.CREATED.value],
        orders_duplicate=intake_counts[IntakeOutcome.DUPLICATE.value],
        orders_rejected=intake_counts[IntakeOutcome.REJECTED.value],
        orders_on_hold=on_hold,
        updates_sent=sent,
        updates_recorded=update_counts[Outcome.RECORDED.value],
        updates_duplicate=update_counts[Outcome.DUPLICATE.value],
        updates_rejected=update_counts[Outcome.REJECTED.value],
        impossible_sent=impossible,
        status_counts=dict(sorted(Counter(status.values()).items())),
        by_channel=dict(sorted(by_channel.items())),
        start_ns=start,
        end_ns=clock.now_ns(),
        wall_s=wall,
        anomaly_codes=dict(sorted(codes.items())),
        incidents=None if crew is None else crew.result(),
        on_time=dict(overview.snapshot(app)["on_time"]),
        holds={"stopped": gate.stopped, "resumed": gate.resumed, "still_held": len(gate.parked)},
    )
