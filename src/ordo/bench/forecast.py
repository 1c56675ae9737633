"""``ordo bench forecast``: demand forecasts for many SKU × warehouse series at once.

Simulates ``series`` daily histories (a weekly pattern, a slow trend, over-dispersed Poisson
noise, a share of intermittent low sellers that sell nothing on most days), then times one fit +
forecast of every series (72 h and 14 days) and scores the model against the seasonal-naive
baseline by MASE in a rolling-origin backtest (each origin refits on the days before it).

Targets: fit + forecast of 10,000 series ≤ 120 s on 2 cores; MASE below the seasonal naive's.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ordo.bench.stats import machine

TARGET_S = 120.0


def simulate(series: int, days: int, seed: int, intermittent: float = 0.3) -> NDArray[np.float64]:
    """Daily units sold: ``series`` rows × ``days`` columns."""
    rng = np.random.default_rng(seed)
    slow = rng.random(series) < intermittent
    base = np.where(slow, rng.uniform(0.05, 0.6, series), rng.lognormal(2.0, 1.0, series))
    # A weekly shape per series: weekends up or down, a random weekday bump.
    week = 1.0 + rng.normal(0.0, 0.15, (series, 7))
    week[:, 5:] *= rng.uniform(0.7, 1.6, (series, 1))
    week /= week.mean(axis=1, keepdims=True)
    t = np.arange(days)
    growth = rng.normal(0.0, 0.5, series) / days  # up to about ±50 % over the history
    level = base[:, None] * np.clip(1.0 + growth[:, None] * t[None, :], 0.2, None)
    # A slow wander of the level (random walk in log space).
    wander = np.exp(np.cumsum(rng.normal(0.0, 0.02, (series, days)), axis=1))
    rate = level * week[:, t % 7] * wander
    # Over-dispersed Poisson: a gamma-distributed rate (shape 5) per day.
    mixed = rng.gamma(5.0, rate / 5.0)
    return rng.poisson(mixed).astype(np.float64)


def run(series: int = 10_000, days: int = 364, origins: int = 3, seed: int = 7) -> dict[str, Any]:
    from ordo.domain.forecast.backtest import backtest
    from ordo.domain.forecast.smoothing import DEFAULT_GRID, fit, forecast

    y = simulate(series, days, seed)
    t0 = time.perf_counter()
    model = fit(y)
    f72, f14 = forecast(model, 3), forecast(model, 14)
    fit_s = time.perf_counter() - t0
    assert f72.shape == (series, 3) and f14.shape == (series, 14)
    t1 = time.perf_counter()
    scores = {h: backtest(y, h, origins) for h in (3, 14)}
    backtest_s = time.perf_counter() - t1
    candidates = len(DEFAULT_GRID.alphas) * len(DEFAULT_GRID.gammas) * len(DEFAULT_GRID.trends)
    met_time = fit_s <= TARGET_S * series / 10_000
    met_mase = all(s.model_mase < s.naive_mase for s in scores.values())
    return {
        "bench": "forecast",
        "machine": machine(),
        "series": series,
        "days": days,
        "zero_days_share": round(float((y == 0).mean()), 3),
        "candidates_per_series": candidates,
        "fit_forecast_s": round(fit_s, 2),
        "backtest_s": round(backtest_s, 2),
        "backtest": {
            f"{h}d": {
                "origins": s.origins,
                "series_scored": s.series,
                "mase_model": round(s.model_mase, 4),
                "mase_seasonal_naive": round(s.naive_mase, 4),
                "series_model_better": round(s.model_wins, 3),
            }
            for h, s in scores.items()
        },
        "targets": {"fit_forecast_s": TARGET_S, "mase_below_naive": True, "met": met_time and met_mase},
    }
