"""The simulator's probes: warm goods warm along a curve, broken probes break as real ones do,
and the judge (``ordo.domain.incidents.probes``) tells them apart on the simulator's own readings."""

from __future__ import annotations

import random

import pytest

from ordo.domain.incidents.probes import FaultReason, fold_order
from ordo.domain.incidents.telemetry import Reading, Tolerance
from ordo.sim.probes import RAIL_C, ProbeCurve

MIN = 60 * 1_000_000_000
HOUR = 60 * MIN
T = Tolerance(2.0, 6.0, 20 * 60)


def _read(curve: ProbeCurve, device: str, rng: random.Random) -> list[Reading]:
    out, last = [], 4.0
    for k in range(0, 6 * 6):  # six hours, every ten minutes
        at = k * 10 * MIN
        c = curve.at(at, last)
        if c is None:
            c = rng.gauss(4.0, 0.4) + curve.warmth(at)
        last = round(c, 2)
        out.append(Reading("O1", device, at, last))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_the_simulated_warm_goods_are_alerted_and_never_called_a_broken_probe(seed: int):
    rng = random.Random(seed)
    warm = (HOUR, HOUR + rng.randint(35, 80) * MIN)
    readings = _read(ProbeCurve(4.0, 6.0, rng, warm=warm), "A", rng)
    readings += _read(ProbeCurve(4.0, 6.0, rng, warm=warm), "B", rng)
    fold = fold_order("O1", {}, {}, readings, T)
    assert fold.faults == [] and fold.excursions


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("jump", FaultReason.IMPOSSIBLE_JUMP), ("rail", FaultReason.OUT_OF_PHYSICAL_RANGE)],
)
def test_a_simulated_broken_probe_is_found_without_a_second_probe(mode: str, reason: FaultReason):
    for seed in range(20):
        rng = random.Random(seed)
        curve = ProbeCurve(4.0, 6.0, rng, fault=("A", mode, (HOUR, HOUR + 60 * MIN)))
        fold = fold_order("O1", {}, {}, _read(curve, "A", rng), T)
        assert fold.excursions == [] and [f.reason for f in fold.faults] == [reason]


def test_a_drifting_probe_is_found_by_its_live_neighbour():
    rng = random.Random(1)
    broken = ProbeCurve(4.0, 6.0, rng, fault=("A", "drift", (HOUR, HOUR + 60 * MIN)))
    readings = _read(broken, "A", rng) + _read(ProbeCurve(4.0, 6.0, rng), "B", rng)
    fold = fold_order("O1", {}, {}, readings, T)
    assert fold.excursions == [] and [(f.device_id, f.reason) for f in fold.faults] == [
        ("A", FaultReason.DISAGREES_WITH_PEER)
    ]


def test_a_stuck_probe_repeats_its_last_value_and_a_rail_probe_reads_85():
    rng = random.Random(2)
    stuck = ProbeCurve(4.0, 6.0, rng, fault=("A", "stuck", (HOUR, HOUR + MIN)))
    values = [r.celsius for r in _read(stuck, "A", rng)]
    assert len(set(values[6:])) == 1
    rail = ProbeCurve(4.0, 6.0, rng, fault=("A", "rail", (HOUR, 2 * HOUR)))
    assert rail.at(HOUR + MIN, 4.0) == RAIL_C and rail.at(3 * HOUR, 4.0) is None
