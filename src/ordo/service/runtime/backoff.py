"""Exponential backoff with jitter, counted on the injected clock (so tests need not sleep)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_s: float = 1.0
    factor: float = 2.0
    max_s: float = 300.0
    #: Attempts before an event is dead-lettered (webhooks); brokers retry forever.
    max_attempts: int = 10
    #: Each delay is scaled by a random factor in [1 - jitter, 1 + jitter].
    jitter: float = 0.2

    def delay_ns(self, attempts: int, rng: random.Random) -> int:
        delay = min(self.max_s, self.base_s * self.factor ** max(0, attempts - 1))
        return int(delay * (1 + self.jitter * (2 * rng.random() - 1)) * NS)


@dataclass(slots=True)
class Backoff:
    """Failures so far and when the next attempt may run."""

    attempts: int = 0
    next_at_ns: int = 0
    last_error: str = ""
    rng: random.Random = field(default_factory=random.Random)

    def ready(self, now_ns: int) -> bool:
        return now_ns >= self.next_at_ns

    def failed(self, policy: RetryPolicy, now_ns: int, error: str) -> None:
        self.attempts += 1
        self.last_error = error
        self.next_at_ns = now_ns + policy.delay_ns(self.attempts, self.rng)

    def reset(self) -> None:
        self.attempts, self.next_at_ns, self.last_error = 0, 0, ""
