"""A broken probe is told from warm goods; warm goods are never called a broken probe."""

from __future__ import annotations

import math
import random

import pytest

from ordo.domain.incidents.playbooks import ColdChainPolicy, cold_chain_playbook
from ordo.domain.incidents.probes import FaultReason, ProbeState, fold_order
from ordo.domain.incidents.telemetry import Reading, Tolerance

MIN = 60 * 1_000_000_000
CHILLED = Tolerance(2.0, 6.0, 20 * 60)
FROZEN = Tolerance(-25.0, -15.0, 10 * 60)


def _readings(values: list[float], device: str = "D", every_min: int = 5, start: int = 0) -> list[Reading]:
    return [Reading("O1", device, (start + i * every_min) * MIN, round(v, 2)) for i, v in enumerate(values)]


def _warming(
    rng: random.Random, tol: Tolerance, n: int, every_min: int, tau_min: float, ambient: float, start: int
) -> list[float]:
    """Goods warming towards the ambient air with their thermal lag, as a noisy probe reads them."""
    middle = (tol.min_c + tol.max_c) / 2
    out = []
    for i in range(n):
        t = i * every_min
        warm = 0.0 if t < start else (ambient - middle) * (1 - math.exp(-(t - start) / tau_min))
        out.append(middle + warm + rng.gauss(0, 0.4))
    return out


def test_one_noisy_sample_raises_neither_an_excursion_nor_a_probe_fault():
    fold = fold_order("O1", {}, {}, _readings([4, 4.2, 3.9, 30, 4.1, 4, -9, 4.2]), CHILLED)
    assert fold.excursions == [] and fold.faults == []


@pytest.mark.parametrize("seed", range(60))
def test_realistic_excursions_are_always_excursions_never_probe_faults(seed: int):
    rng = random.Random(seed)
    tol = rng.choice([CHILLED, FROZEN, Tolerance(0.0, 8.0, 20 * 60)])
    every = rng.choice([1, 5, 10])
    n = 240 // every
    tau, ambient = rng.uniform(10, 120), rng.uniform(15, 38)
    values = _warming(rng, tol, n, every, tau, ambient, start=30)
    if seed % 3 == 0:  # the door opened once, just as the refrigeration failed
        values[30 // every] = tol.max_c + 18
    readings = _readings(values, "A", every)
    if seed % 2 == 0:  # a second probe in the same shipment, with its own, slower lag
        lagging = _warming(rng, tol, n, every, tau * rng.uniform(1.0, 3.0), ambient, start=30)
        readings += _readings(lagging, "B", every)
    fold = fold_order("O1", {}, {}, readings, tol)
    assert fold.faults == [], fold.faults
    assert fold.excursions and {e.device_id for e in fold.excursions} >= {"A"}


def test_a_jump_onto_a_warm_plateau_is_a_probe_fault_not_an_excursion():
    cold, plateau, back = [4.1, 3.9, 4.0], [25.3, 25.1, 25.4, 25.2, 25.3, 25.2, 25.4, 25.1], [4.0, 4.2]
    values = [*cold, *plateau, *back]
    fold = fold_order("O1", {}, {}, _readings(values, every_min=10), CHILLED)
    assert fold.excursions == []
    [fault] = fold.faults
    assert fault.reason is FaultReason.IMPOSSIBLE_JUMP and fault.evidence["from_c"] == 4.0
    [back] = fold.recovered  # readings plausible again: the fault clears
    assert back.reason == "impossible_jump" and fold.probes["D"].fault is None


def test_a_reading_no_probe_can_give_in_a_cold_chain_is_a_probe_fault():
    values = [4.0, 4.2] + [85.0] * 6
    fold = fold_order("O1", {}, {}, _readings(values), CHILLED)
    assert fold.excursions == [] and [f.reason for f in fold.faults] == [FaultReason.OUT_OF_PHYSICAL_RANGE]


def test_a_probe_that_warms_while_a_live_second_probe_stays_cold_is_the_faulty_one():
    rng = random.Random(3)
    drifting = _warming(rng, CHILLED, 30, 5, 40, 24, start=20)
    calm = [4.0 + rng.gauss(0, 0.3) for _ in range(30)]
    fold = fold_order("O1", {}, {}, _readings(drifting, "A") + _readings(calm, "B"), CHILLED)
    assert fold.excursions == []
    [fault] = fold.faults
    assert fault.device_id == "A" and fault.reason is FaultReason.DISAGREES_WITH_PEER
    assert fault.evidence["peer"] == "B"


def test_without_a_second_probe_a_slow_drift_counts_as_an_excursion():
    """Ambiguous evidence goes to the excursion: better one false alarm than spoiled goods shipped."""
    drifting = _warming(random.Random(4), CHILLED, 30, 5, 40, 24, start=20)
    fold = fold_order("O1", {}, {}, _readings(drifting, "A"), CHILLED)
    assert len(fold.excursions) == 1 and fold.faults == []


def test_a_flat_lined_second_probe_is_no_witness():
    rng = random.Random(5)
    warming = _warming(rng, CHILLED, 30, 5, 30, 26, start=20)
    fold = fold_order("O1", {}, {}, _readings(warming, "A") + _readings([4.0] * 30, "B"), CHILLED)
    assert [e.device_id for e in fold.excursions] == ["A"]


def test_a_stuck_probe_raises_a_maintenance_fault_but_never_hides_an_excursion():
    stuck = [4.1, 3.9] + [4.0] * 20
    fold = fold_order("O1", {}, {}, _readings(stuck, every_min=10), CHILLED)
    assert [f.reason for f in fold.faults] == [FaultReason.STUCK] and fold.excursions == []
    warm_and_flat = [4.1, 3.9] + [9.0] * 20
    fold = fold_order("O1", {}, {}, _readings(warm_and_flat, every_min=10), CHILLED)
    assert len(fold.excursions) == 1
    assert [f.reason for f in fold.faults] == [FaultReason.STUCK]  # signalled after the alert


def test_the_judgement_carries_across_batches_through_the_stored_state():
    values = [4.1, 3.9, 4.0, 25.3, 25.1, 25.4, 25.2, 25.3]  # cold, then a jump onto a plateau
    first = fold_order("O1", {}, {}, _readings(values[:4], every_min=10), CHILLED)
    stored = {d: ProbeState.from_json(p.as_json()) for d, p in first.probes.items()}
    second = fold_order("O1", first.sensors, stored, _readings(values, every_min=10)[4:], CHILLED)
    assert second.excursions == [] and [f.reason for f in second.faults] == [FaultReason.IMPOSSIBLE_JUMP]


def test_the_replacement_playbook_is_chosen_per_category_and_value():
    assert cold_chain_playbook(["乳品"], 9_900) == "cold_chain_reship"
    assert cold_chain_playbook(["乳品", "医药"], 9_900) == "cold_chain"  # a pharmacist decides
    assert cold_chain_playbook(["生鲜"], 600_000) == "cold_chain"  # too expensive for automation
    mine = {"乳品": ColdChainPolicy("cold_chain")}
    assert cold_chain_playbook(["乳品"], 100, mine) == "cold_chain"
