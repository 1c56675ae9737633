"""Cold-chain excursions: outside the range for longer than the dwell time, once per excursion."""

from __future__ import annotations

from ordo.domain.incidents.telemetry import (
    DEFAULT_COLD,
    Reading,
    SensorState,
    Tolerance,
    tolerance_for,
    track,
)

MIN = 60 * 1_000_000_000
T = Tolerance(2.0, 6.0, 20 * 60)


def _readings(values: list[float], device: str = "D") -> list[Reading]:
    return [Reading("O1", device, i * 5 * MIN, v) for i, v in enumerate(values)]


def test_one_noisy_sample_raises_nothing():
    state, found = track(SensorState("O1", "D"), _readings([4, 4, 30, 4, 4, -9, 4]), T)
    assert found == [] and state.outside_since_ns is None and state.readings == 7


def test_readings_outside_for_longer_than_the_dwell_raise_one_excursion():
    state, found = track(SensorState("O1", "D"), _readings([4] + [9] * 8), T)
    [e] = found
    assert e.since_ns == 5 * MIN and e.duration_s > 20 * 60 and e.peak_c == 9
    _, again = track(state, [Reading("O1", "D", 60 * MIN, 10)], T)
    assert again == []


def test_back_in_range_then_out_again_is_a_new_excursion():
    values = [9] * 6 + [4] + [9] * 6
    _, found = track(SensorState("O1", "D"), _readings(values), T)
    assert len(found) == 2


def test_exactly_the_dwell_time_outside_is_not_yet_an_excursion():
    _, found = track(SensorState("O1", "D"), _readings([9] * 5), T)  # 0..20 minutes
    assert found == []


def test_an_order_of_several_cold_goods_gets_the_strictest_range():
    t = tolerance_for(["乳品", "生鲜"])
    assert (t.min_c, t.max_c, t.dwell_s) == (2.0, 4.0, 15 * 60)
    assert tolerance_for([]) == DEFAULT_COLD
