"""Cold-chain telemetry: when a temperature reading is an excursion worth an alert.

A sensor is noisy: one sample outside the product's range is usually the door of
the truck, a hand on the probe, a glitch. An excursion is raised only when the
readings stay outside the tolerance for longer than the product's dwell time (the
seeds' 68% alert precision came from alerting on every sample). The tracker keeps,
per order and device, when the readings left the range; a reading back inside
forgets it. One alert per excursion; a new one may follow after the readings have
been back inside. Whether an excursion is warm goods or a broken probe is judged in
``ordo.domain.incidents.probes``. Pure: readings carry their own times.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Tolerance:
    min_c: float
    max_c: float
    #: How long readings may stay outside before it is an excursion.
    dwell_s: int

    def outside(self, celsius: float) -> bool:
        return celsius < self.min_c or celsius > self.max_c


#: Per SKU category (as the catalogue names it); anything else cold travels at 0–8 °C.
TOLERANCES: Mapping[str, Tolerance] = {
    "乳品": Tolerance(2.0, 6.0, 20 * 60),
    "dairy": Tolerance(2.0, 6.0, 20 * 60),
    "生鲜": Tolerance(0.0, 4.0, 15 * 60),
    "frozen": Tolerance(-25.0, -15.0, 10 * 60),
    "速冻": Tolerance(-25.0, -15.0, 10 * 60),
}
DEFAULT_COLD = Tolerance(0.0, 8.0, 20 * 60)


def tolerance_for(categories: Iterable[str]) -> Tolerance:
    """The strictest range among an order's cold categories (the narrowest dwell wins too)."""
    found = [TOLERANCES.get(c, DEFAULT_COLD) for c in categories] or [DEFAULT_COLD]
    return Tolerance(max(t.min_c for t in found), min(t.max_c for t in found), min(t.dwell_s for t in found))


@dataclass(frozen=True, slots=True)
class Reading:
    order_id: str
    device_id: str
    at_ns: int
    celsius: float


@dataclass(frozen=True, slots=True)
class SensorState:
    """What the tracker remembers about one device on one order."""

    order_id: str
    device_id: str
    outside_since_ns: int | None = None
    last_at_ns: int = 0
    last_celsius: float | None = None
    readings: int = 0
    alerted: bool = False
    peak_c: float | None = None


@dataclass(frozen=True, slots=True)
class Excursion:
    order_id: str
    device_id: str
    since_ns: int
    at_ns: int
    peak_c: float
    tolerance: Tolerance

    @property
    def duration_s(self) -> float:
        return (self.at_ns - self.since_ns) / 1e9


def track(
    state: SensorState, readings: Iterable[Reading], tolerance: Tolerance
) -> tuple[SensorState, list[Excursion]]:
    """Fold one device's readings (any order; older than the last one are ignored) into its state."""
    out: list[Excursion] = []
    dwell_ns = tolerance.dwell_s * 1_000_000_000
    for r in sorted(readings, key=lambda r: r.at_ns):
        if r.at_ns <= state.last_at_ns and state.readings:
            continue  # a resent or delayed sample never rewrites what came after it
        state = replace(state, last_at_ns=r.at_ns, last_celsius=r.celsius, readings=state.readings + 1)
        if not tolerance.outside(r.celsius):
            state = replace(state, outside_since_ns=None, alerted=False, peak_c=None)
            continue
        since = state.outside_since_ns if state.outside_since_ns is not None else r.at_ns
        peak = r.celsius if state.peak_c is None else _worse(state.peak_c, r.celsius, tolerance)
        state = replace(state, outside_since_ns=since, peak_c=peak)
        if not state.alerted and r.at_ns - since > dwell_ns:
            state = replace(state, alerted=True)
            out.append(Excursion(r.order_id, r.device_id, since, r.at_ns, peak, tolerance))
    return state, out


def _worse(a: float, b: float, t: Tolerance) -> float:
    """The reading further outside the range."""

    def gap(c: float) -> float:
        return max(t.min_c - c, c - t.max_c)

    return a if gap(a) >= gap(b) else b
