"""Time, injected. Everything that needs "now" is handed a Clock.

``SystemClock`` is wall time; ``ManualClock`` moves only when told (tests);
``ScaledClock`` runs a simulated day at N times real speed (demo, simulator).
All clocks speak UTC nanoseconds since the epoch. Waiting goes through the clock too
(:meth:`Clock.sleep`), so a retry's backoff under a ``ManualClock`` costs no real time.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

NS_PER_S = 1_000_000_000


class Clock(Protocol):
    def now_ns(self) -> int: ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of this clock's time pass (a retry's backoff)."""
        ...


class SystemClock:
    def now_ns(self) -> int:
        return time.time_ns()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class ManualClock:
    """A clock that stands still until advanced; safe to share between threads."""

    def __init__(self, start_ns: int) -> None:
        self._now = start_ns
        self._lock = threading.Lock()
        #: Seconds callers asked to sleep (retry backoffs), for tests to look at.
        self.slept_s = 0.0

    def now_ns(self) -> int:
        return self._now

    def advance(self, seconds: float) -> int:
        with self._lock:
            self._now += int(seconds * NS_PER_S)
            return self._now

    def set(self, now_ns: int) -> None:
        with self._lock:
            self._now = max(self._now, now_ns)

    def sleep(self, seconds: float) -> None:
        """Count the wait but do not pass it: this clock moves only when a test says so.

        Other threads still get their turn (a retry waits for a competing transaction).
        """
        with self._lock:
            self.slept_s += seconds
        time.sleep(0)


class ScaledClock:
    """Simulated time that starts at ``start_ns`` and runs ``speed`` times faster than real."""

    def __init__(self, start_ns: int, speed: float) -> None:
        self._start = start_ns
        self._speed = speed
        self._real0 = time.monotonic_ns()

    def now_ns(self) -> int:
        return self._start + int((time.monotonic_ns() - self._real0) * self._speed)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds / self._speed)
