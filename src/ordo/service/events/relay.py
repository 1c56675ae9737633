"""Relaying the outbox to a broker (MQTT, NATS JetStream) from a remembered offset.

A batch is published whole before the offset moves; if the broker is down the
offset stays, the relay backs off (exponentially, with jitter, on the injected
clock) and tries the same events again, for ever. Nothing is lost in an outage;
events may be published twice around one, with their outbox id to de-duplicate.
"""

from __future__ import annotations

import logging
import random
from typing import Any, Literal, Protocol

from ordo.adapters.outbound.envelope import PublishFailed
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import BROKERS, Backoff, RetryPolicy

log = logging.getLogger(__name__)


class Publisher(Protocol):
    name: str

    def publish(self, rows: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


class Relay:
    def __init__(
        self,
        app: Ordo,
        publisher: Publisher,
        *,
        start: Literal["latest", "earliest"] = "latest",
        batch: int = 500,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.app = app
        self.publisher = publisher
        self.consumer = f"relay:{publisher.name}"
        self._start = start
        self._batch = batch
        self._policy = policy or BROKERS
        self.backoff = Backoff(rng=rng or app.rng)

    def run_once(self) -> int:
        """Publish the next batch; returns events published (0 when idle or waiting to retry)."""
        now = self.app.clock.now_ns()
        if not self.backoff.ready(now):
            return 0
        with self.app.store.uow() as uow:
            first = uow.outbox.last_id() if self._start == "latest" else 0
            offset = uow.outbound.start(self.consumer, first, now)
            uow.commit()
        with self.app.store.uow(read_only=True) as uow:
            rows = uow.outbound.events_after(offset.last_id, limit=self._batch)
        if not rows:
            return 0
        try:
            self.publisher.publish(rows)
        except PublishFailed as exc:
            self.backoff.failed(self._policy, now, str(exc))
            log.warning("relay %s: %s (attempt %d)", self.consumer, exc, self.backoff.attempts)
            return 0
        self.backoff.reset()
        with self.app.store.uow() as uow:
            uow.outbound.advance(self.consumer, rows[-1]["id"], self.app.clock.now_ns())
            uow.commit()
        return len(rows)

    def due_s(self) -> float:
        """Seconds until the next attempt after a failure (0 when it may run now): the worker
        sleeps no longer than this, so a broker that is back is used at once."""
        return max(0.0, (self.backoff.next_at_ns - self.app.clock.now_ns()) / 1e9)

    def offset(self) -> int | None:
        with self.app.store.uow(read_only=True) as uow:
            found = uow.outbound.offset(self.consumer)
        return found.last_id if found else None
