"""Order health: crafted orders get the colour an operator would give them."""

from __future__ import annotations

import numpy as np

from ordo.domain.orders import health as H

NS = 1_000_000_000
NOW = 1_000_000 * NS


def _inputs(**over: list[float] | list[int] | list[bool]) -> H.HealthInputs:
    n = len(next(iter(over.values()))) if over else 1
    base: dict[str, object] = {
        "last_milestone": [11] * n, "last_at_ns": [NOW - 600 * NS] * n, "promised_at_ns": [np.nan] * n,
        "next_due_ns": [np.nan] * n, "held_no_stock": [False] * n, "held_address": [False] * n,
        "transport_open": [0] * n, "incidents_open": [0] * n, "conflicts_open": [0] * n,
        "tier_risk": [0.0] * n, "total_fen": [10_000.0] * n, "channel_penalty": [0.3] * n,
        "weather_risk": [0.1] * n, "carrier_reliability": [np.nan] * n,
    }  # fmt: skip
    base.update(over)
    kinds = {f: (np.bool_ if f.startswith("held") else np.int64 if f in _INTS else np.float64) for f in base}
    return H.HealthInputs(**{k: np.array(v, dtype=kinds[k]) for k, v in base.items()})  # type: ignore[arg-type]


_INTS = {"last_milestone", "last_at_ns", "transport_open", "incidents_open", "conflicts_open"}


def test_an_order_moving_on_time_is_green():
    s, band = H.score(_inputs(), NOW)
    assert band[0] == H.Band.GREEN and s[0] > 90


def test_an_order_held_for_stock_with_an_open_incident_is_red():
    _, band = H.score(_inputs(held_no_stock=[True], incidents_open=[1]), NOW)
    assert band[0] == H.Band.RED


def test_an_order_close_to_its_sla_and_sitting_too_long_is_yellow():
    x = _inputs(next_due_ns=[NOW + 1800 * NS], last_at_ns=[NOW - 5 * 3600 * NS])
    _, band = H.score(x, NOW)
    assert band[0] == H.Band.YELLOW


def test_exposure_makes_a_sick_order_sicker_but_never_a_healthy_one_sick():
    healthy = _inputs(tier_risk=[0.0, 1.0], total_fen=[1_000.0, 900_000.0], channel_penalty=[0.0, 1.0])
    _, band = H.score(healthy, NOW)
    assert list(band) == [H.Band.GREEN, H.Band.GREEN]
    sick = _inputs(tier_risk=[0.0, 1.0], incidents_open=[1, 1], next_due_ns=[NOW + 600 * NS] * 2)
    s, _ = H.score(sick, NOW)
    assert s[1] < s[0]


def test_there_are_at_least_twelve_weighted_indicators_and_weights_are_data():
    assert len(H.INDICATORS) >= 12
    w = H.HealthWeights(points={**H.HealthWeights().points, "stock": 0.0})
    _, band = H.score(_inputs(held_no_stock=[True]), NOW, w)
    assert band[0] == H.Band.GREEN


def test_summaries_group_orders_worst_group_first():
    s = np.array([95.0, 40.0, 70.0, 90.0])
    band = np.array([0, 2, 1, 0], dtype=np.int8)
    rows = H.summarise(np.array([0, 1, 1, 0]), ["tmall", "douyin"], s, band)
    assert [r["key"] for r in rows] == ["douyin", "tmall"]
    assert rows[0] == {"key": "douyin", "orders": 2, "mean_score": 55.0, "green": 0, "yellow": 1, "red": 1}
