"""Rolling-origin backtest: MASE of the smoothing model against the seasonal-naive baseline.

At each origin the model is fitted on the days before it and forecasts the next ``horizon``
days; the mean absolute error over that horizon is scaled by the in-sample mean absolute error of
the seasonal-naive one-step forecast (|y_t − y_{t−7}| over the training days), as MASE is
defined. Series whose training days never change week on week (scale 0) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ordo.domain.forecast.smoothing import DEFAULT_GRID, SEASON, Grid, fit, forecast, seasonal_naive

__all__ = ["Backtest", "backtest", "mase_scale"]

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Backtest:
    horizon: int
    origins: int
    #: Series scored (at least one origin with a non-zero scale).
    series: int
    model_mase: float
    naive_mase: float
    #: Share of series whose mean MASE is below the baseline's.
    model_wins: float


def mase_scale(y: Floats) -> Floats:
    """In-sample seasonal-naive mean absolute error of each row."""
    scale: Floats = np.abs(y[:, SEASON:] - y[:, :-SEASON]).mean(axis=1)
    return scale


def backtest(y: Floats, horizon: int, origins: int = 3, grid: Grid = DEFAULT_GRID) -> Backtest:
    """Score the last ``origins`` windows of ``horizon`` days each (origins step by ``horizon``)."""
    values = np.asarray(y, dtype=np.float64)
    days = values.shape[1]
    if days - origins * horizon < 2 * SEASON + SEASON:
        raise ValueError("too little history for that many origins")
    model_sum = np.zeros(values.shape[0])
    naive_sum = np.zeros(values.shape[0])
    counted = np.zeros(values.shape[0])
    for i in range(origins, 0, -1):
        cut = days - i * horizon
        train, test = values[:, :cut], values[:, cut : cut + horizon]
        scale = mase_scale(train)
        ok = scale > 0
        safe = np.where(ok, scale, 1.0)
        model = forecast(fit(train, grid), horizon)
        naive = seasonal_naive(train, horizon)
        model_sum += np.where(ok, np.abs(test - model).mean(axis=1) / safe, 0.0)
        naive_sum += np.where(ok, np.abs(test - naive).mean(axis=1) / safe, 0.0)
        counted += ok
    scored = counted > 0
    model_mean = model_sum[scored] / counted[scored]
    naive_mean = naive_sum[scored] / counted[scored]
    n = int(scored.sum())
    return Backtest(
        horizon=horizon,
        origins=origins,
        series=n,
        model_mase=float(model_mean.mean()) if n else float("nan"),
        naive_mase=float(naive_mean.mean()) if n else float("nan"),
        model_wins=float((model_mean < naive_mean).mean()) if n else float("nan"),
    )
