"""Delivering the outbox to outbound subscriptions: in order, at least once, never in the request path.

Per consumer (a subscription, or a replay of one) events go out strictly in outbox
order, one at a time, so every order's events arrive in order. A failure holds the
consumer at that event and retries it with exponential backoff and jitter on the
injected clock; after ``max_attempts`` the event is dead-lettered and delivery
moves on. The offset is saved after every batch and at every failure, so a crash
or an outage loses nothing (an event may then be delivered twice: receivers
de-duplicate on ``X-Ordo-Event-Id``).
"""

from __future__ import annotations

import logging
import random
from typing import Any, Protocol

from ordo.adapters.outbound.envelope import PublishFailed
from ordo.service.events.subscriptions import PREFIX
from ordo.service.ports import Offset, Subscription
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import SUBSCRIPTIONS, Backoff, RetryPolicy

log = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, url: str, secret: str, row: dict[str, Any], now_ns: int) -> None: ...


class SubscriptionDispatcher:
    def __init__(
        self,
        app: Ordo,
        sender: Sender,
        policy: RetryPolicy | None = None,
        *,
        batch: int = 200,
        rng: random.Random | None = None,
    ) -> None:
        self._app = app
        self._sender = sender
        self._policy = policy or SUBSCRIPTIONS
        self._batch = batch
        self._rng = rng or app.rng
        self._backoff: dict[str, Backoff] = {}

    def backoff(self, name: str) -> Backoff:
        return self._backoff.setdefault(name, Backoff(rng=self._rng))

    def run_once(self) -> int:
        """One pass over every consumer; returns events delivered (or dead-lettered)."""
        with self._app.store.uow(read_only=True) as uow:
            subs = {s.id: s for s in uow.outbound.subscriptions()}
            offsets = uow.outbound.offsets(PREFIX)
        done = 0
        for offset in offsets:
            sub_id = offset.consumer[len(PREFIX) :].split(":", 1)[0]
            sub = subs.get(sub_id)
            if sub is not None and self.backoff(offset.consumer).ready(self._app.clock.now_ns()):
                done += self._drain(sub, offset)
        return done

    def _drain(self, sub: Subscription, offset: Offset) -> int:
        name = offset.consumer
        with self._app.store.uow(read_only=True) as uow:
            rows = uow.outbound.events_after(offset.last_id, limit=self._batch, until_id=offset.until_id)
        if not rows and offset.until_id is not None:
            self._save(name, offset.last_id, finished=True)
            return 0
        cursor, done = offset.last_id, 0
        try:
            for row in rows:
                if sub.wants(row["type"]) and _in_range(offset, row):
                    if not self._deliver(sub, name, row):
                        break
                    done += 1
                cursor = row["id"]
        finally:
            self._save(name, cursor, finished=offset.until_id is not None and cursor >= offset.until_id)
        return done

    def _deliver(self, sub: Subscription, name: str, row: dict[str, Any]) -> bool:
        """True when the event is handed on (delivered or dead-lettered); False to wait and retry."""
        state = self.backoff(name)
        now = self._app.clock.now_ns()
        try:
            # Signed on wall time: the subscriber checks the timestamp against its own clock.
            self._sender.send(sub.url, sub.secret, row, self._app.wall.now_ns())
        except PublishFailed as exc:
            state.failed(self._policy, now, str(exc))
            if state.attempts < self._policy.max_attempts:
                log.info(
                    "subscription %s: event %s failed (%s), attempt %d",
                    sub.id,
                    row["id"],
                    exc,
                    state.attempts,
                )
                return False
            with self._app.store.uow() as uow:
                uow.outbound.add_dead_letter(sub.id, row, state.attempts, str(exc), now)
                uow.commit()
            log.warning(
                "subscription %s: event %s dead-lettered after %d attempts", sub.id, row["id"], state.attempts
            )
        state.reset()
        return True

    def _save(self, name: str, last_id: int, *, finished: bool) -> None:
        with self._app.store.uow() as uow:
            if finished:  # a replay that has reached its end
                uow.outbound.drop(name)
            else:
                uow.outbound.advance(name, last_id, self._app.clock.now_ns())
            uow.commit()


def _in_range(offset: Offset, row: dict[str, Any]) -> bool:
    if offset.from_ns is None or offset.to_ns is None:
        return True
    at: int = row["at_ns"]
    return offset.from_ns <= at <= offset.to_ns
