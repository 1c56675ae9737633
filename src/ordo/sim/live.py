"""Live traffic for the demo: orders and milestone reports at an accelerated real pace.

``LiveTraffic`` runs one background thread. Each tick it asks the app's clock (a
``ScaledClock`` in the demo: simulated time running ``speed`` times faster than
real) how much simulated time has passed, draws that stretch's orders from the
demand curve, takes them in through ``intake`` and plans their reports; then it
sends every report whose time has come through ``advance``. Reports are never
from the future, because they are only sent once the clock has passed them.

Real time is used for one thing only: the pause between ticks. A store error is
logged and the work is tried again next tick (a channel would retry too).

The simulated time the traffic has reached is saved in the catalog's metadata every
few ticks and when it stops, so a restarted demo resumes its clock there
(:func:`resume_ns`) instead of at wall time, hours before the orders it already stamped.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
import threading
from collections import Counter
from types import TracebackType

from ordo.adapters.store import Store
from ordo.domain.errors import StoreError
from ordo.domain.orders.milestones import Outcome
from ordo.domain.orders.model import Order
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import IntakeOutcome, intake
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from ordo.sim.demand import HOUR_NS, NS_PER_S, DemandCurve, OrderFactory
from ordo.sim.extids import local_time
from ordo.sim.holding import HoldGate
from ordo.sim.progression import EventQueue, Noise, plan
from ordo.sim.world import World, ensure_world

log = logging.getLogger(__name__)

#: At most this many reports per ``advance`` call, so one tick never holds the
#: write lock for long while the API serves the dashboard.
MAX_UPDATES_PER_CALL = 1_000
#: Catalog metadata: the simulated time (UTC ns) live traffic had reached when last saved.
SIM_NOW_KEY = "sim.now"
#: Save that time every this many ticks (and on stop): a killed demo loses at most these.
SAVE_EVERY_TICKS = 4


def resume_ns(store: Store, wall_ns: int) -> int:
    """Where a demo's simulated clock starts: where the last run's traffic got to, or wall time
    if that is later. Never earlier: the orders already stamped would lie in the future."""
    with store.uow(read_only=True) as uow:
        saved = uow.catalog.get_meta(SIM_NOW_KEY)
    return max(wall_ns, int(saved)) if saved and saved.isdigit() else wall_ns


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw: Knuth's product method when small, a rounded normal when large."""
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class LiveTraffic:
    """Keeps a stream of orders and their milestones flowing into ``app`` until stopped.

    ``speed`` is how much faster than real time the app's clock runs; with
    ``orders_per_s`` (real seconds, on average over a day) it sets the day's volume,
    so the demo shows a few orders a second and bursts at the peaks. ``world`` is the
    world already in the store, if the caller has it (else rebuilt from its stored seed).
    """

    def __init__(
        self,
        app: Ordo,
        seed: int,
        *,
        speed: float = 60.0,
        orders_per_s: float = 3.0,
        tick_s: float = 0.25,
        curve: DemandCurve | None = None,
        noise: Noise | None = None,
        world: World | None = None,
    ) -> None:
        if speed <= 0 or orders_per_s < 0 or tick_s <= 0:
            raise ValueError("speed and tick_s must be positive, orders_per_s not negative")
        self.app = app
        self.seed = seed
        self.speed = speed
        self.tick_s = tick_s
        self.orders_per_day = orders_per_s * 86_400 / speed
        self.curve = curve or DemandCurve.retail_day()
        self.noise = noise or Noise()
        self.stats: Counter[str] = Counter()
        self._rng = random.Random(f"{seed}:live")
        self._queue = EventQueue()
        self._gate = HoldGate(app)  # the warehouse does not work on held orders
        self._waiting: list[Order] = []  # drawn but not yet taken in (a store error)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._world = world  # else rebuilt from the store's seed on start
        self._factory: OrderFactory | None = None
        self._last_ns = 0

    # start and stop -----------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("live traffic already started")
        self._world = self._world or ensure_world(self.app, self.seed)
        self._factory = OrderFactory(self._world, self.app.divisions, self.seed, self.curve)
        self._last_ns = self.app.clock.now_ns()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ordo-live-traffic", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Ask the thread to finish its tick and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
            try:
                self.save_now()
            except StoreError as exc:
                log.warning("live traffic: could not save the simulated time: %s", exc)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> LiveTraffic:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        ticks = 0
        while not self._stop.wait(self.tick_s):  # the only real-time pause
            try:
                self.tick()
                ticks += 1
                if ticks % SAVE_EVERY_TICKS == 0:
                    self.save_now()
            except StoreError as exc:
                self.stats["store_errors"] += 1
                log.warning("live traffic: store error, retrying next tick: %s", exc)
            except Exception:  # keep the demo alive, but say loudly what broke
                self.stats["errors"] += 1
                log.exception("live traffic: tick failed")

    # one tick -----------------------------------------------------------------
    def tick(self) -> None:
        """Draw the orders of the simulated time since the last tick, then send due reports."""
        now = self.app.clock.now_ns()
        if now > self._last_ns:
            self._waiting.extend(self._draw(self._last_ns, now))
            self._last_ns = now
        if self._waiting:
            self._take_in(self._waiting, now)
            self._waiting = []
        self._send_due(now)

    def _draw(self, start_ns: int, end_ns: int) -> list[Order]:
        """Orders placed in (start, end], at the curve's rate for each hour it crosses."""
        assert self._factory is not None
        rng = self._rng
        times: list[int] = []
        t = start_ns
        while t < end_ns:
            hour_end = min(end_ns, (t // HOUR_NS + 1) * HOUR_NS)
            rate = self.curve.rate_per_s(local_time(t).hour, self.orders_per_day)
            n = poisson(rng, rate * (hour_end - t) / NS_PER_S)
            times.extend(rng.randint(t + 1, hour_end) for _ in range(n))
            t = hour_end
        out = []
        for placed in sorted(times):
            order = self._factory.make(placed)
            if order.paid_at_ns is not None and order.paid_at_ns > end_ns:
                order = dataclasses.replace(order, paid_at_ns=end_ns)  # nobody pays in the future
            out.append(order)
        return out

    def _take_in(self, orders: list[Order], now: int) -> None:
        assert self._world is not None
        results = intake(self.app, orders)
        warehouses = {w.id: w for w in self._world.warehouses}
        for order, res in zip(orders, results, strict=True):
            self.stats[f"orders_{res.outcome.value}"] += 1
            if res.outcome is not IntakeOutcome.CREATED or res.order_id is None:
                continue
            self._queue.push(
                plan(
                    order,
                    order_id=res.order_id,
                    intake_ns=now,
                    warehouse=warehouses.get(res.warehouse_id or ""),
                    carriers=self._world.carriers,
                    rng=self._rng,
                    noise=self.noise,
                    carrier_id=res.carrier_id,
                )
            )

    def _send_due(self, now: int) -> None:
        self._gate.resume(self._queue, now)  # held orders whose hold was lifted go on
        while True:
            due = self._queue.pop_due(now, MAX_UPDATES_PER_CALL)
            if not due:
                return
            due = self._gate.screen(due, self._queue, now)  # a held order waits
            if not due:
                continue
            try:
                results = advance(self.app, [r.update for r in due])
            except StoreError:
                self._queue.push(due)  # they come round again next tick
                raise
            for res in results:
                self.stats[f"updates_{res.outcome.value}"] += 1
                if res.outcome is Outcome.REJECTED:
                    self.stats["anomalies"] += 1

    def save_now(self) -> None:
        """Record the simulated now, for :func:`resume_ns` after a restart: every order and
        report so far is stamped at or before it."""
        save_catalog(self.app, meta={SIM_NOW_KEY: str(self.app.clock.now_ns())})

    def snapshot(self) -> dict[str, int]:
        """A copy of the counters (orders_created, updates_recorded, anomalies, store_errors …)."""
        return dict(self.stats)
