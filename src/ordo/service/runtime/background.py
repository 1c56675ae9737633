"""The threads beside a server, owned by its Ordo: ``ordo.background.start()`` / ``.stop()``.

Four jobs, each a thread (or two) that polls the store and sleeps when it found nothing:

* ``upkeep`` (thread ``ordo-upkeep``) — every :data:`SCAN_EVERY_S`: the incident scan,
  then the rule breakers (a published version past its bounds rolls back by itself), then
  the merge windows that ended (合单: held orders routed and merged),
  then stock upkeep (unpaid reservations expire, channel stock is published), then the
  demand forecast kept for the rules, once a business day. One thread
  in that order, not three: each step takes the write lock, and side by side they would
  queue behind one another and behind intake;
* ``projector`` (``ordo-projector``) — the dashboard's aggregates follow the outbox, and the
  event-stream triggers after them (``service.triggers``), then the facts questions read
  (``service.insight.facts``);
* ``outbound`` (``ordo-subscriptions``, ``ordo-alerts``, ``ordo-bot-replies``, and
  ``ordo-mqtt`` / ``ordo-nats`` when configured) — events out
  (:mod:`ordo.service.events.outbound`), woken by every commit of this Ordo, the rules' 通知
  to group bots and e-mail (:mod:`ordo.service.events.alerts`) and the chat bots' replies that
  waited for room in a platform's rate limit (:mod:`ordo.service.insight.chat`);
* ``platforms`` (``ordo-pull``, ``ordo-writeback``, ``ordo-stock``) — each platform shop's
  orders pulled on its schedule (:mod:`ordo.service.channels.pull`), shipments confirmed
  back to the platforms (:mod:`ordo.service.channels.writeback`) and sellable quantities
  pushed to their listings (:mod:`ordo.service.channels.stock_sync`); idle while no shop is
  configured;
* ``risk_feeds`` (``ordo-risk-feeds``) — the risk feeds at ``ORDO_RISK_FEED_URLS`` polled
  every ``ORDO_RISK_FEED_EVERY_S`` on the injected clock, as ``ordo risk poll`` does
  (:class:`ordo.service.risk.feeds.FeedSchedule`); no thread while the variable is unset.

``ordo serve`` and ``ordo demo`` start all five, ``ordo relay`` only ``outbound``; API
worker processes, the other CLI commands and the tests start none unless they ask. The
jobs coordinate through the store, so they must run once per deployment, not per worker.
Nothing here decides anything: each step is a service function.

Once per deployment, across nodes: every duty thread runs a round only while its node
holds the duty's lease (:mod:`ordo.adapters.store.leases`; named after the thread without
``ordo-``: ``upkeep``, ``projector``, ``subscriptions``, ``nats``, ``mqtt``, ``pull``,
``writeback``, ``stock``, ``risk-feeds``). N ``ordo serve`` nodes on one PostgreSQL each start
every duty; one node
runs each, the duties spread over the nodes (:class:`Balancer`), and a survivor takes a
dead holder's duty at its next idle poll (≤ 2 s). On
SQLite the one server holds every lease, as before. A new duty gets the same by
:meth:`Background.gate` (``Worker(..., gate=ordo.background.gate("name"))``), or, for
one-off work, ``with ordo.background.hold("name") as held:``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING

from ordo.service.events.outbound import Outbound, OutboundConfig, Worker, start_outbound
from ordo.service.ports.leases import Leases
from ordo.service.ports.leases import hold as hold_lease

if TYPE_CHECKING:
    from ordo.service.runtime.app import Ordo

log = logging.getLogger(__name__)
#: Real seconds between upkeep rounds. Short, because a scan takes the write lock for every
#: event since the last one: every 2 s at 500 webhooks/s that held intake up long enough to
#: put a spike in every second of latency.
SCAN_EVERY_S = 0.5
#: Real seconds the projector waits when it found nothing new.
PROJECTOR_IDLE_S = 2.0
#: Real seconds the pull and write-back duties wait when a round found nothing to do.
PLATFORMS_IDLE_S = 1.0
#: Real seconds a held lease is trusted between checks of its connection (a round after
#: every commit would otherwise cost a query each).
LEASE_CHECK_S = 0.25
#: Seconds a node above its fair share of duties holds one before giving it back, and
#: between two give-backs.
MIN_HOLD_S = 2.0
#: Seconds a given-back duty is left to the other nodes.
COOLDOWN_S = 5.0
#: Seconds between a node's attempts at a free duty beyond its fair share.
OVER_SHARE_RETRY_S = 1.0
#: Real seconds between the risk-feed duty's looks at whether a poll is due.
RISK_FEEDS_IDLE_S = 1.0


class Job(StrEnum):
    UPKEEP = "upkeep"
    PROJECTOR = "projector"
    OUTBOUND = "outbound"
    PLATFORMS = "platforms"
    RISK_FEEDS = "risk_feeds"


class Background:
    def __init__(
        self, ordo: Ordo, *, scan_every_s: float = SCAN_EVERY_S, projector_idle_s: float = PROJECTOR_IDLE_S
    ) -> None:
        self._ordo = ordo
        self._scan_every_s = scan_every_s
        self._projector_idle_s = projector_idle_s
        self._lock = threading.RLock()  # start() opens the leases under it
        self._workers: list[Worker] = []
        self._outbound: Outbound | None = None
        self._leases: Leases | None = None
        self._balancer: Balancer | None = None

    @property
    def leases(self) -> Leases:
        """This node's leases (opened on first use, closed by :meth:`stop`)."""
        with self._lock:
            if self._leases is None:
                self._leases = self._ordo.store.leases()
            return self._leases

    def gate(self, duty: str) -> Callable[[], bool]:
        """Before each round of ``duty``: whether this node holds its lease (taking it when
        free, within its fair share: :class:`Balancer`)."""
        with self._lock:
            if self._balancer is None:
                self._balancer = Balancer(self.leases)
            balancer = self._balancer
        balancer.register(duty)
        return lambda: balancer.may_run(duty, time.monotonic())

    @contextlib.contextmanager
    def hold(self, duty: str, wait_s: float = 0.0) -> Iterator[bool]:
        """Hold ``duty``'s lease for a block of one-off work; yields whether it is held."""
        with hold_lease(self.leases, duty, wait_s=wait_s) as held:
            yield held

    def duties(self) -> dict[str, str]:
        """Each running duty thread's lease: ``held`` on this node or ``standby``."""
        held = self.leases.held() if self.running else frozenset()
        return {
            w.name: "held" if _duty(w.name) in held else "standby"
            for w in self.threads
            if isinstance(w, Worker) and w.gate is not None
        }

    @property
    def threads(self) -> tuple[threading.Thread, ...]:
        """The running threads, in start order."""
        with self._lock:
            out = list(self._workers)
            if self._outbound is not None:
                out += self._outbound.workers
            return tuple(out)

    @property
    def running(self) -> bool:
        return bool(self.threads)

    def start(
        self, jobs: Iterable[Job] = tuple(Job), *, outbound: OutboundConfig | None = None
    ) -> tuple[threading.Thread, ...]:
        """Start ``jobs`` (default: all); ``outbound`` defaults to ``OutboundConfig.from_env()``.

        Returns the threads now running. Starting while running is a programming error.
        """
        wanted = frozenset(jobs)
        gate = self.gate
        with self._lock:
            if self._workers or self._outbound is not None:
                raise RuntimeError("background jobs already running; stop() them first")
            if Job.OUTBOUND in wanted:
                self._outbound = start_outbound(self._ordo, outbound, lambda name: gate(_duty(name)))
            if Job.UPKEEP in wanted:
                self._workers.append(self._upkeep())
            if Job.PROJECTOR in wanted:
                self._workers.append(self._projector())
            if Job.PLATFORMS in wanted:
                self._workers += self._platforms()
            if Job.RISK_FEEDS in wanted and self._ordo.settings.risk_feed_urls:
                self._workers.append(self._risk_feeds())
            for w in self._workers:
                if w.gate is None:
                    w.gate = gate(_duty(w.name))
                w.start()
        return self.threads

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask every job to stop, then wait up to ``timeout_s`` for each; safe to call twice."""
        with self._lock:
            workers, self._workers = self._workers, []
            outbound, self._outbound = self._outbound, None
        for w in workers:
            w.stop()
        if outbound is not None:
            outbound.stop(timeout_s)
        for w in workers:
            w.join(timeout_s)
        with self._lock:
            leases, self._leases = self._leases, None
            self._balancer = None
        if leases is not None:
            leases.close()  # after the joins: no round runs once its lease is given back

    def _upkeep(self) -> Worker:
        from ordo.service.forecast.refresh import Daily
        from ordo.service.incidents.scan import scan
        from ordo.service.inventory import stock as inventory
        from ordo.service.orders.merge_window import release_due
        from ordo.service.rules.breaker import check_breakers

        ordo = self._ordo
        stock = inventory.Background(ordo, ordo.settings.reservation_ttl_minutes)
        forecasts = Daily(ordo)  # the kept demand forecast (预测库存风险), once a business day

        def round_once() -> int:
            scan(ordo)
            check_breakers(ordo)
            release_due(ordo)
            stock.step()
            forecasts.step()
            return 0  # paced by the idle wait, whatever the round found

        return Worker("ordo-upkeep", round_once, idle_s=self._scan_every_s, close=lambda: None)

    def _projector(self) -> Worker:
        from ordo.service.events.projector import catch_up
        from ordo.service.insight.facts import catch_up as analytics_catch_up
        from ordo.service.triggers.runner import catch_up as run_triggers

        ordo = self._ordo
        # The event-stream triggers and the facts questions read follow the same outbox, right
        # after the overview (a question catches up what is left before it reads).
        return Worker(
            "ordo-projector",
            lambda: catch_up(ordo) + run_triggers(ordo) + analytics_catch_up(ordo),
            idle_s=self._projector_idle_s,
            close=lambda: None,
        )

    def _platforms(self) -> list[Worker]:
        import httpx

        from ordo.adapters.platforms import PlatformClient
        from ordo.service.channels.pull import Puller
        from ordo.service.channels.stock_sync import StockSync
        from ordo.service.channels.writeback import WriteBack

        ordo = self._ordo
        pull_http, wb_http = httpx.Client(timeout=30.0), httpx.Client(timeout=10.0)
        stock_http = httpx.Client(timeout=10.0)
        puller = Puller(ordo, PlatformClient(pull_http))
        writeback = WriteBack(ordo, PlatformClient(wb_http))
        stock = StockSync(ordo, PlatformClient(stock_http))
        return [
            Worker("ordo-pull", puller.step, idle_s=PLATFORMS_IDLE_S, close=pull_http.close),
            Worker(
                "ordo-writeback",
                writeback.step,
                idle_s=PLATFORMS_IDLE_S,
                close=lambda: _close_all(writeback.close, wb_http.close),
            ),
            Worker("ordo-stock", stock.step, idle_s=PLATFORMS_IDLE_S, close=stock_http.close),
        ]

    def _risk_feeds(self) -> Worker:
        from ordo.service.risk.feeds import FeedPoller, FeedSchedule

        settings = self._ordo.settings
        schedule = FeedSchedule(FeedPoller(self._ordo, settings.risk_feed_urls), settings.risk_feed_every_s)
        return Worker("ordo-risk-feeds", schedule.step, idle_s=RISK_FEEDS_IDLE_S, close=lambda: None)


class Balancer:
    """Spreads one node's duties fairly over the nodes leasing on the same database.

    A node takes a free duty at once while it holds fewer than its fair share
    (``ceil(duties / nodes)``, nodes counted by :meth:`Leases.nodes`), and only every
    :data:`OVER_SHARE_RETRY_S` beyond it (so a duty nobody else takes is still run). A node
    above its share gives back the duty it took last, one every :data:`MIN_HOLD_S`, after
    holding it that long, and leaves it for :data:`COOLDOWN_S` so a node below its share
    takes it: the first node of a cluster to start takes everything, and the duties
    spread as the others join. When a node dies the survivors' share grows and they take
    its duties at their next poll. A held lease's connection is re-checked at most every
    :data:`LEASE_CHECK_S`.
    """

    def __init__(self, leases: Leases) -> None:
        self._leases = leases
        self._lock = threading.Lock()
        self._duties: set[str] = set()
        self._taken: dict[str, float] = {}
        self._checked: dict[str, float] = {}
        self._tried: dict[str, float] = {}
        self._cooldown: dict[str, float] = {}
        self._released = -1e9

    def register(self, duty: str) -> None:
        with self._lock:
            self._duties.add(duty)

    def may_run(self, duty: str, now: float) -> bool:
        leases = self._leases
        with self._lock:
            held = leases.held()
            fair = -(-len(self._duties) // max(1, leases.nodes()))
            if duty in held:
                mine = [d for d in held if d in self._taken]
                if (
                    len(held) > fair
                    and mine
                    and duty == max(mine, key=lambda d: self._taken[d])
                    and now - self._taken[duty] >= MIN_HOLD_S
                    and now - self._released >= MIN_HOLD_S
                ):
                    leases.release(duty)
                    log.info(
                        "node %s gives the lease %s back (holds %d, share %d)",
                        leases.node,
                        duty,
                        len(held),
                        fair,
                    )
                    self._taken.pop(duty, None)
                    self._cooldown[duty] = now + COOLDOWN_S
                    self._released = now
                    return False
                if now - self._checked.get(duty, -1e9) < LEASE_CHECK_S:
                    return True
                ok = leases.try_acquire(duty)
                self._checked[duty] = now if ok else -1e9
                if not ok:
                    self._taken.pop(duty, None)
                return ok
            if now < self._cooldown.get(duty, 0.0):
                return False
            if len(held) >= fair and now - self._tried.get(duty, -1e9) < OVER_SHARE_RETRY_S:
                return False
            self._tried[duty] = now
            ok = leases.try_acquire(duty)
            if ok:
                self._taken[duty] = self._checked[duty] = now
            return ok


def _duty(thread_name: str) -> str:
    return thread_name.removeprefix("ordo-")


def _close_all(*closers: Callable[[], None]) -> None:
    for close in closers:
        close()
