"""What a cold-chain probe reads in the simulated world: warm goods, or a broken probe.

Warm goods warm along a curve (thermal mass: exponential approach to the ambient
temperature, each probe with its own lag) and cool back the same way once the
refrigeration is back. A broken probe fails in one of the ways real ones do: a loose
contact jumps onto a warm plateau, a one-wire probe resets to its 85.0 °C power-on
value, a probe drifts warm slowly (indistinguishable from warming without a second
probe), or the value freezes where it was. Pure: the random stream is passed in.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

S = 1_000_000_000
MIN = 60 * S
RAIL_C = 85.0

Span = tuple[int, int]


@dataclass
class ProbeCurve:
    middle: float
    max_c: float
    rng: random.Random
    #: The goods really warm over this span (the whole shipment).
    warm: Span | None = None
    #: This probe is broken over this span (for ``stuck``: from its start to the end).
    fault: tuple[str, str, Span] | None = None
    _frozen: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        rng = self.rng
        self.ambient = rng.uniform(22.0, 32.0)
        self.tau_warm = rng.uniform(20, 60) * MIN
        self.tau_cool = rng.uniform(15, 40) * MIN
        self.plateau = self.max_c + rng.uniform(15.0, 25.0)
        self.drift_to = rng.uniform(20.0, 28.0)
        self.tau_drift = rng.uniform(30, 60) * MIN

    def warmth(self, at: int) -> float:
        """How much warmer than usual the goods are (0 without an excursion)."""
        if self.warm is None:
            return 0.0
        return _bump(at, self.warm, self.ambient - self.middle, self.tau_warm, self.tau_cool)

    def at(self, at: int, last: float) -> float | None:
        """The broken probe's reading, or None when it reads like a working one."""
        if self.fault is None:
            return None
        _, mode, (since, until) = self.fault
        if mode == "stuck":
            if at < since:
                return None
            if self._frozen is None:
                self._frozen = last
            return self._frozen
        if mode == "drift":
            extra = _bump(at, (since, until), self.drift_to - self.middle, self.tau_drift, self.tau_cool)
            return None if extra < 0.05 else self.middle + extra + self.rng.gauss(0, 0.3)
        if not since <= at < until:
            return None
        return RAIL_C if mode == "rail" else self.plateau + self.rng.gauss(0, 0.15)


def _bump(at: int, span: Span, height: float, tau_up: float, tau_down: float) -> float:
    since, until = span
    if at < since:
        return 0.0
    peak = height * (1 - math.exp(-(min(at, until) - since) / tau_up))
    if at < until:
        return peak
    return peak * math.exp(-(at - until) / tau_down)
