"""Telling a broken probe from warm goods, before anyone is alerted.

An excursion (``ordo.domain.incidents.telemetry``: outside the range for longer than the dwell
time) is judged here at the moment it would raise an alert. It becomes a ``probe_fault``
maintenance signal instead of a customer-order alert only on evidence that the *probe*
is wrong, never on the mere size of the excursion:

* a reading outside the sensor's physical range (no cold chain is above 60 °C or below
  dry ice; 85.0 °C is the power-on value of the common one-wire probe);
* the episode began with a physically impossible jump (≥ ``jump_c`` at ≥ ``jump_rate``
  °C per minute) onto a flat plateau (within ``plateau_band_c``) that it has not left:
  goods have thermal mass, they warm along a curve, so readings that go on rising (or
  fall back gradually) after a big step were warm air or goods, not a loose contact.
  A jump that comes back as abruptly was one glitch sample, and what follows it is
  judged on its own. (The probe is assumed to sit with the goods, inside the parcel:
  a probe lying in open air reaches the ambient within a sample and looks like a jump.)
* a second probe (or the vehicle's ambient sensor) in the same shipment that reads
  inside the range, is alive (its readings vary), has not itself warmed during the
  episode, and is ``witness_gap_c`` colder: warm goods warm every probe around them.

Evidence that is ambiguous counts for the excursion: a real excursion classified as a
faulty probe would ship spoiled goods, a broken probe alerted is one false alarm. A
flat-lined (stuck) probe raises a maintenance signal on its own but never hides an
excursion. The fault clears when the probe reads plausibly again. Pure: readings
carry their own times; per-order folding so peers are judged at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from ordo.domain.incidents.telemetry import Excursion, Reading, SensorState, Tolerance, track

NS = 1_000_000_000
MIN_NS = 60 * NS


class FaultReason(StrEnum):
    OUT_OF_PHYSICAL_RANGE = "out_of_physical_range"
    IMPOSSIBLE_JUMP = "impossible_jump"
    DISAGREES_WITH_PEER = "disagrees_with_peer"
    STUCK = "stuck"


FAULT_LABELS: Mapping[FaultReason, tuple[str, str]] = {
    FaultReason.OUT_OF_PHYSICAL_RANGE: (
        "Reading outside the sensor's physical range",
        "读数超出传感器物理量程",
    ),
    FaultReason.IMPOSSIBLE_JUMP: (
        "Physically impossible jump between samples",
        "相邻读数发生物理上不可能的跳变",
    ),
    FaultReason.DISAGREES_WITH_PEER: (
        "Disagrees with another probe in the shipment",
        "与同批次其他探头读数矛盾",
    ),
    FaultReason.STUCK: ("Flat-lined (stuck) reading", "读数长时间恒定不变（探头卡死）"),
}


@dataclass(frozen=True, slots=True)
class ProbeLimits:
    physical_min_c: float = -80.0
    physical_max_c: float = 60.0
    jump_c: float = 15.0
    jump_rate_c_per_min: float = 1.5
    plateau_band_c: float = 1.5
    #: A peer counts as a witness this close in time, this much colder, this flat.
    witness_window_s: int = 20 * 60
    witness_gap_c: float = 5.0
    witness_max_rise_c: float = 1.0
    #: Identical readings in a row (and at least this long) make a stuck probe.
    stuck_readings: int = 12
    stuck_min_s: int = 2 * 3600
    history: int = 16


LIMITS = ProbeLimits()


@dataclass(frozen=True, slots=True)
class ProbeState:
    """What the judge remembers about one device on one order (stored as JSON)."""

    #: Set while the readings sit on a plateau reached by an impossible jump.
    jumped_from_c: float | None = None
    jumped_to_c: float | None = None
    impossible: bool = False
    same_run: int = 0
    same_since_ns: int = 0
    fault: str | None = None
    fault_since_ns: int | None = None
    faults: int = 0
    history: tuple[tuple[int, float], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "jumped_from_c": self.jumped_from_c, "jumped_to_c": self.jumped_to_c,
            "impossible": self.impossible,
            "same_run": self.same_run, "same_since_ns": self.same_since_ns, "fault": self.fault,
            "fault_since_ns": self.fault_since_ns, "faults": self.faults,
            "history": [list(h) for h in self.history],
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProbeState:
        return cls(
            data.get("jumped_from_c"), data.get("jumped_to_c"), bool(data.get("impossible")),
            int(data.get("same_run", 0)),
            int(data.get("same_since_ns", 0)), data.get("fault"), data.get("fault_since_ns"),
            int(data.get("faults", 0)), tuple((int(a), float(c)) for a, c in data.get("history", ())),
        )  # fmt: skip

    def value_at(self, at_ns: int) -> float | None:
        """The last reading at or before ``at_ns`` that the history still holds."""
        before = [c for a, c in self.history if a <= at_ns]
        return before[-1] if before else None


@dataclass(frozen=True, slots=True)
class ProbeFault:
    order_id: str
    device_id: str
    at_ns: int
    reason: FaultReason
    celsius: float
    evidence: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Recovered:
    order_id: str
    device_id: str
    at_ns: int
    reason: str


@dataclass
class OrderFold:
    """The result of folding one order's readings: new states and what they raised."""

    sensors: dict[str, SensorState]
    probes: dict[str, ProbeState]
    excursions: list[Excursion] = field(default_factory=list)
    faults: list[ProbeFault] = field(default_factory=list)
    recovered: list[Recovered] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)


def observe(
    p: ProbeState, s: SensorState, r: Reading, tol: Tolerance, lim: ProbeLimits = LIMITS
) -> ProbeState:
    """Update the probe's evidence with one reading (``s`` is the state before it)."""
    c = r.celsius
    physical = lim.physical_min_c <= c <= lim.physical_max_c
    inside = not tol.outside(c)
    jumped_from, jumped_to, impossible = p.jumped_from_c, p.jumped_to_c, p.impossible
    if s.readings and s.last_celsius is not None:
        minutes = max((r.at_ns - s.last_at_ns) / MIN_NS, 1.0)
        delta = c - s.last_celsius
        abrupt = abs(delta) >= lim.jump_c and abs(delta) / minutes >= lim.jump_rate_c_per_min
        if abrupt and jumped_from is not None:
            jumped_from = jumped_to = None  # back as abruptly as it went: a glitch, not a plateau
        elif abrupt and not inside and not tol.outside(s.last_celsius):
            jumped_from, jumped_to = s.last_celsius, c
        elif jumped_to is not None and abs(c - jumped_to) > lim.plateau_band_c:
            jumped_from = jumped_to = None  # still moving: a curve, not a plateau
    if inside:
        jumped_from, jumped_to, impossible = None, None, False
    elif not physical:
        impossible = True
    same = s.readings > 0 and s.last_celsius == c
    run, since = (p.same_run + 1, p.same_since_ns) if same else (1, r.at_ns)
    history = (*p.history, (r.at_ns, c))[-lim.history :]
    return replace(
        p,
        jumped_from_c=jumped_from,
        jumped_to_c=jumped_to,
        impossible=impossible,
        same_run=run,
        same_since_ns=since,
        history=history,
    )


def fault_evidence(
    p: ProbeState,
    r: Reading,
    since_ns: int,
    peers: Mapping[str, ProbeState],
    tol: Tolerance,
    lim: ProbeLimits = LIMITS,
) -> tuple[FaultReason, dict[str, Any]] | None:
    """Why this excursion is the probe's fault, or None (then it is warm goods)."""
    if p.impossible:
        return FaultReason.OUT_OF_PHYSICAL_RANGE, {"range_c": [lim.physical_min_c, lim.physical_max_c]}
    if p.jumped_from_c is not None:
        return FaultReason.IMPOSSIBLE_JUMP, {"from_c": p.jumped_from_c, "to_c": r.celsius}
    window = lim.witness_window_s * NS
    for device, peer in sorted(peers.items()):
        if peer.fault is not None or not peer.history:
            continue
        at, now_c = peer.history[-1]
        recent = [c for a, c in peer.history if a >= r.at_ns - window]
        alive = len(set(recent)) >= 2
        start_c = peer.value_at(since_ns)
        if start_c is None:
            start_c = min(recent) if recent else now_c
        flat = max(recent, default=now_c) - start_c <= lim.witness_max_rise_c
        if (
            abs(at - r.at_ns) <= window
            and not tol.outside(now_c)
            and alive
            and flat
            and r.celsius - now_c >= lim.witness_gap_c
        ):
            return FaultReason.DISAGREES_WITH_PEER, {"peer": device, "peer_c": now_c}
    return None


def fold_order(
    order_id: str,
    sensors: Mapping[str, SensorState],
    probes: Mapping[str, ProbeState],
    readings: Iterable[Reading],
    tol: Tolerance,
    lim: ProbeLimits = LIMITS,
) -> OrderFold:
    """Fold one order's readings (all its devices, in time order) into excursions and faults."""
    out = OrderFold(dict(sensors), dict(probes))
    for r in sorted(readings, key=lambda r: (r.at_ns, r.device_id)):
        dev = r.device_id
        s = out.sensors.get(dev) or SensorState(order_id, dev)
        if s.readings and r.at_ns <= s.last_at_ns:
            continue  # a resent or delayed sample never rewrites what came after it
        p = observe(out.probes.get(dev) or ProbeState(), s, r, tol, lim)
        s, found = track(s, [r], tol)
        for e in found:
            peers = {d: q for d, q in out.probes.items() if d != dev}
            why = fault_evidence(p, r, e.since_ns, peers, tol, lim)
            if why is None:
                out.excursions.append(e)
                continue
            reason, evidence = why
            p = replace(p, fault=reason.value, fault_since_ns=r.at_ns, faults=p.faults + 1)
            evidence = {**evidence, "since_ns": e.since_ns, "peak_c": e.peak_c}
            out.faults.append(ProbeFault(order_id, dev, r.at_ns, reason, r.celsius, evidence))
        stuck = p.same_run >= lim.stuck_readings and r.at_ns - p.same_since_ns >= lim.stuck_min_s * NS
        if stuck and p.fault is None:
            p = replace(p, fault=FaultReason.STUCK.value, fault_since_ns=r.at_ns, faults=p.faults + 1)
            evidence = {"readings": p.same_run, "since_ns": p.same_since_ns}
            out.faults.append(ProbeFault(order_id, dev, r.at_ns, FaultReason.STUCK, r.celsius, evidence))
        elif p.fault is not None and not stuck and not tol.outside(r.celsius) and p.same_run == 1:
            out.recovered.append(Recovered(order_id, dev, r.at_ns, p.fault))
            p = replace(p, fault=None, fault_since_ns=None)
        out.sensors[dev], out.probes[dev] = s, p
        out.changed.add(dev)
    return out
