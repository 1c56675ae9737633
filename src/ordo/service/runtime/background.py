"""The threads beside a server, owned by its Ordo: ``ordo.background.start()`` / ``.stop()``.

Four jobs, each a thread (or two) that polls the store and sleeps when it found nothing:

* ``upkeep`` (thread ``ordo-upkeep``) — every :data:`SCAN_EVERY_S`: the incident scan,
  then the rule breakers (a published version past its bounds rolls back by itself),
  then stock upkeep (unpaid reservations expire, channel stock is published). One thread
  in that order, not three: each step takes the write lock, and side by side they would
  queue behind one another and behind intake;
* ``projector`` (``ordo-projector``) — the dashboard's aggregates follow the outbox;
* ``outbound`` (``ordo-subscriptions``, and ``ordo-mqtt`` / ``ordo-nats`` when configured) —
  events out (:mod:`ordo.service.events.outbound`), woken by every commit of this Ordo;
* ``platforms`` (``ordo-pull``, ``ordo-writeback``) — each platform shop's orders pulled on
  its schedule (:mod:`ordo.service.channels.pull`) and shipments confirmed back to the
  platforms (:mod:`ordo.service.channels.writeback`); idle while no shop is configured.

``ordo serve`` and ``ordo demo`` start all four, ``ordo relay`` only ``outbound``; API
worker processes, the other CLI commands and the tests start none unless they ask. The
jobs coordinate through the store, so they must run once per deployment, not per worker.
Nothing here decides anything: each step is a service function.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

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
        self._lock = threading.Lock()
        self._workers: list[Worker] = []
        self._outbound: Outbound | None = None

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
        with self._lock:
            if self._workers or self._outbound is not None:
                raise RuntimeError("background jobs already running; stop() them first")
            if Job.OUTBOUND in wanted:
                self._outbound = start_outbound(self._ordo, outbound)
            if Job.UPKEEP in wanted:
                self._workers.append(self._upkeep())
            if Job.PROJECTOR in wanted:
                self._workers.append(self._projector())
            if Job.PLATFORMS in wanted:
                self._workers += self._platforms()
            for w in self._workers:
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
        from ordo.service.channels.writeback import WriteBack

        ordo = self._ordo
        pull_http, wb_http = httpx.Client(timeout=30.0), httpx.Client(timeout=10.0)
        puller = Puller(ordo, PlatformClient(pull_http))
        writeback = WriteBack(ordo, PlatformClient(wb_http))
        return [
            Worker("ordo-pull", puller.step, idle_s=PLATFORMS_IDLE_S, close=pull_http.close),
            Worker(
                "ordo-writeback",
                writeback.step,
                idle_s=PLATFORMS_IDLE_S,
                close=lambda: _close_all(writeback.close, wb_http.close),
            ),
        ]


def _close_all(*closers: Callable[[], None]) -> None:
    for close in closers:
        close()
