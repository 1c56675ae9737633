"""The threads beside a server, owned by its Ordo: ``ordo.background.start()`` / ``.stop()``.

Four jobs, each a thread (or two) that polls the store and sleeps when it found nothing:

* ``upkeep`` (thread ``ordo-upkeep``) — every :data:`SCAN_EVERY_S`: the incident scan,
  then the rule breakers (a published version past its bounds rolls back by itself),
  then stock upkeep (unpaid reservations expire, channel stock is published). One thread
  in that order, not three: each step takes the write lock, and side by side they would
  queue behind one another and behind intake;
* ``projector`` (``ordo-projector``) — the dashboard's aggregates follow the outbox;
* ``outbound`` (``ordo-subscriptions``, ``ordo-alerts``, and ``ordo-mqtt`` / ``ordo-nats`` when
  configured) — events out (:mod:`ordo.service.events.outbound`), woken by every commit of this
  Ordo, and the rules' 通知 to group bots and e-mail (:mod:`ordo.service.events.alerts`);
* ``platforms`` (``ordo-pull``, ``ordo-writeback``, ``ordo-stock``) — each platform shop's
  orders pulled on its schedule (:mod:`ordo.service.channels.pull`), shipments confirmed
  back to the platforms (:mod:`ordo.service.channels.writeback`) and sellable quantities
  pushed to their listings (:mod:`ordo.service.channels.stock_sync`); idle while no shop is
  configured.

``ordo serve`` and ``ordo demo`` start all four, ``ordo relay`` only ``outbound``; API
worker processes, the other CLI commands and the tests start none unless they ask. The
jobs coordinate through the store, so they must run once per deployment, not per worker.
Nothing here decides anything: each step is a service function.

Once per deployment, across nodes: every duty thread runs a round only while its node
holds the duty's lease (:mod:`ordo.adapters.store.leases`; named after the thread without
``ordo-``: ``upkeep``, ``projector``, ``subscriptions``, ``nats``, ``mqtt``, ``pull``,
``writeback``, ``stock``). N ``ordo serve`` nodes on one PostgreSQL each start every duty; one node
runs each, and a survivor takes a dead holder's duty at its next idle poll (≤ 2 s). On
SQLite the one server holds every lease, as before. A new duty gets the same by
:meth:`Background.gate` (``Worker(..., gate=ordo.background.gate("name"))``), or, for
one-off work, ``with ordo.background.hold("name") as held:``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING

from ordo.adapters.store.leases import Leases, open_leases
from ordo.adapters.store.leases import hold as hold_lease
from ordo.service.events.outbound import Outbound, OutboundConfig, Worker, start_outbound

if TYPE_CHECKING:
    from ordo.service.runtime.app import Ordo

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


class Job(StrEnum):
    UPKEEP = "upkeep"
    PROJECTOR = "projector"
    OUTBOUND = "outbound"
    PLATFORMS = "platforms"


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

    @property
    def leases(self) -> Leases:
        """This node's leases (opened on first use, closed by :meth:`stop`)."""
        with self._lock:
            if self._leases is None:
                self._leases = open_leases(self._ordo.store.engine)
            return self._leases

    def gate(self, duty: str) -> Callable[[], bool]:
        """Before each round of ``duty``: whether this node holds its lease (taking it when
        free). A held lease is re-checked at most every :data:`LEASE_CHECK_S`."""
        leases = self.leases
        checked = [0.0]

        def may_run() -> bool:
            now = time.monotonic()
            if duty in leases.held() and now - checked[0] < LEASE_CHECK_S:
                return True
            ok = leases.try_acquire(duty)
            checked[0] = now if ok else 0.0
            return ok

        return may_run

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
        if leases is not None:
            leases.close()  # after the joins: no round runs once its lease is given back

    def _upkeep(self) -> Worker:
        from ordo.service.incidents.scan import scan
        from ordo.service.inventory import stock as inventory
        from ordo.service.rules.breaker import check_breakers

        ordo = self._ordo
        stock = inventory.Background(ordo, ordo.settings.reservation_ttl_minutes)

        def round_once() -> int:
            scan(ordo)
            check_breakers(ordo)
            stock.step()
            return 0  # paced by the idle wait, whatever the round found

        return Worker("ordo-upkeep", round_once, idle_s=self._scan_every_s, close=lambda: None)

    def _projector(self) -> Worker:
        from ordo.service.events.projector import catch_up

        ordo = self._ordo
        return Worker(
            "ordo-projector", lambda: catch_up(ordo), idle_s=self._projector_idle_s, close=lambda: None
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


def _duty(thread_name: str) -> str:
    return thread_name.removeprefix("ordo-")


def _close_all(*closers: Callable[[], None]) -> None:
    for close in closers:
        close()
