"""The one retry policy: exponential backoff with jitter, on the injected clock and random source.

A :class:`RetryPolicy` says how long to wait before the n-th retry. It is used two ways:

* blocking, by :meth:`RetryPolicy.call` — a transaction that lost a race (deadlock, busy,
  unique race) runs again after a short wait (``Ordo.retrying``, policy
  :data:`TRANSACTIONS`). The wait is :meth:`ordo.clock.Clock.sleep`, so under a
  ``ManualClock`` a test never sleeps;
* scheduled, by :class:`Backoff` — an outbound subscription or a broker relay that failed
  is skipped until its next attempt is due on the injected clock (:data:`SUBSCRIPTIONS`,
  :data:`BROKERS`); the worker thread keeps serving the others meanwhile.

Jitter is drawn from the ``random.Random`` handed in (the Ordo's, seeded in tests), never
from the global ``random`` module. This module decides nothing about what is retryable:
the caller names the exception.

Why not tenacity or stamina: every write transaction passes through :meth:`RetryPolicy.call`,
and ``tenacity.Retrying`` costs 75–140 µs per call where this loop costs under 1 µs
(measured on the development machine); the policy is ten lines and needs no hooks.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ordo.clock import NS_PER_S

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_s: float = 1.0
    factor: float = 2.0
    max_s: float = 300.0
    #: Attempts in all (the first one included) before giving up: the error is raised
    #: (:meth:`call`) or the event is dead-lettered (subscriptions); brokers retry for ever.
    max_attempts: int = 10
    #: Each delay is scaled by a random factor in [1 - jitter, 1 + jitter).
    jitter: float = 0.2

    def delay_s(self, failures: int, rng: random.Random) -> float:
        """Seconds to wait after the ``failures``-th failure in a row (1 for the first)."""
        delay = min(self.max_s, self.base_s * self.factor ** max(0, failures - 1))
        return delay * (1 + self.jitter * (2 * rng.random() - 1))

    def delay_ns(self, failures: int, rng: random.Random) -> int:
        return int(self.delay_s(failures, rng) * NS_PER_S)

    def call(
        self,
        work: Callable[[], T],
        retry_on: type[BaseException] | tuple[type[BaseException], ...],
        *,
        sleep: Callable[[float], None],
        rng: random.Random,
    ) -> T:
        """``work()``, run again after a backoff while it raises ``retry_on``, at most
        ``max_attempts`` times in all; the last failure is raised as it is."""
        failures = 0
        while True:
            try:
                return work()
            except retry_on:
                failures += 1
                if failures >= self.max_attempts:
                    raise
            sleep(self.delay_s(failures, rng))


#: A transaction that lost a race: 2 ms, 4 ms, … at most 0.2 s, ×[0.5, 1.5); 8 attempts.
TRANSACTIONS = RetryPolicy(base_s=0.002, factor=2.0, max_s=0.2, max_attempts=8, jitter=0.5)
#: A subscription endpoint that failed: 1 s, 2 s, … at most 5 min; dead-lettered after 10 attempts.
SUBSCRIPTIONS = RetryPolicy()
#: A broker (MQTT, NATS) that is down: 0.25 s, 0.5 s, at most 1 s (×[0.8, 1.2)); retried
#: for ever. The cap is what bounds the outage after the broker is back: the relay's next
#: attempt comes within 1.2 s of it and its worker wakes for it (``Relay.due_s``), so events
#: flow again within 2 s. One refused connect per second is cheap.
BROKERS = RetryPolicy(base_s=0.25, max_s=1.0)


@dataclass(slots=True)
class Backoff:
    """Failures in a row of one consumer, and when its next attempt may run (clock ns)."""

    rng: random.Random
    attempts: int = 0
    next_at_ns: int = 0
    last_error: str = ""

    def ready(self, now_ns: int) -> bool:
        return now_ns >= self.next_at_ns

    def failed(self, policy: RetryPolicy, now_ns: int, error: str) -> None:
        self.attempts += 1
        self.last_error = error
        self.next_at_ns = now_ns + policy.delay_ns(self.attempts, self.rng)

    def reset(self) -> None:
        self.attempts, self.next_at_ns, self.last_error = 0, 0, ""
