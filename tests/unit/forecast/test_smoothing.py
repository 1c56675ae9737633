"""The vectorised smoothing forecaster, the baseline, the backtest and stock cover."""

from __future__ import annotations

import numpy as np
import pytest

from ordo.bench.forecast import simulate
from ordo.domain.forecast.backtest import backtest, mase_scale
from ordo.domain.forecast.cover import Risk, assess
from ordo.domain.forecast.smoothing import fit, forecast, seasonal_naive


def test_a_pure_weekly_pattern_is_forecast_exactly() -> None:
    week = np.array([5.0, 6, 7, 8, 9, 20, 30])
    y = np.tile(week, 10)[None, :]  # 70 days, day 0 a weekday 0
    out = forecast(fit(y), 14)
    assert out.shape == (1, 14)
    np.testing.assert_allclose(out[0], np.tile(week, 2), atol=1e-6)


def test_a_trend_is_followed_and_a_flat_series_is_not_given_one() -> None:
    days = np.arange(84, dtype=float)
    rising = 10 + 0.5 * days
    flat = np.full(84, 4.0)
    out = forecast(fit(np.vstack([rising, flat])), 3)
    assert out[0, 0] > rising[-1]  # keeps rising past the last day
    np.testing.assert_allclose(out[1], [4.0, 4.0, 4.0], atol=1e-6)


def test_rows_are_fitted_independently_and_in_chunks() -> None:
    y = simulate(50, 84, seed=3)
    whole = forecast(fit(y), 14)
    chunked = forecast(fit(y, chunk=7), 14)
    one = forecast(fit(y[17:18]), 14)
    np.testing.assert_allclose(whole, chunked)
    np.testing.assert_allclose(whole[17:18], one)
    assert (whole >= 0).all()


def test_short_history_is_refused() -> None:
    with pytest.raises(ValueError):
        fit(np.ones((2, 10)))


def test_seasonal_naive_repeats_last_week() -> None:
    y = np.arange(21, dtype=float)[None, :]
    assert seasonal_naive(y, 9).tolist() == [[14, 15, 16, 17, 18, 19, 20, 14, 15]]
    assert mase_scale(y).tolist() == [7.0]


def test_model_beats_seasonal_naive_on_simulated_history() -> None:
    y = simulate(300, 196, seed=11)
    for horizon in (3, 14):
        score = backtest(y, horizon, origins=2)
        assert score.series > 250
        assert score.model_mase < score.naive_mase


def test_cover_days_runout_and_suggestion() -> None:
    daily = [10.0] * 14
    out = assess(daily, available=25, target_days=14)
    assert out.runout_day == 2 and out.days_of_cover == pytest.approx(2.5)
    assert out.risk is Risk.HIGH and out.ratio == pytest.approx(30 / 25 if 30 / 25 < 1 else 1.0)
    assert out.suggest_units == 140 - 25
    mid = assess(daily, available=75, target_days=14)
    assert mid.risk is Risk.MEDIUM and mid.runout_day == 7 and mid.ratio == pytest.approx(0.4)
    ok = assess(daily, available=500, target_days=14)
    assert ok.risk is Risk.LOW and ok.runout_day is None and ok.days_of_cover is None
    assert ok.suggest_units == 0
    none = assess([0.0] * 14, available=0, target_days=14)
    assert none.risk is Risk.NONE and none.ratio == 0.0 and none.suggest_units == 0
    empty = assess(daily, available=0, target_days=14)
    assert empty.ratio == 1.0 and empty.runout_day == 0 and empty.days_of_cover == 0.0
