"""Additive Holt-Winters (ETS(A,Ad,A) and ETS(A,N,A)) fitted to every series at once.

Each series is a row of a matrix ``y`` of shape (series, days). Every candidate set of smoothing
parameters (a small grid) runs side by side as a column of the state, so one pass over the days,
vectorised over series × candidates, fits them all; each series then keeps the candidate with the
smallest in-sample one-step squared error. Forecasts are clipped at zero (demand is never
negative). The error-correction form, per day t with season m = 7:

    ŷ = l + φ·b + s[t−m]          e = y − ŷ
    l ← l + φ·b + α·e             b ← φ·b + α·β·e          s[t] ← s[t−m] + γ·e

and the h-step forecast is l + (φ + … + φ^h)·b + s[T+h−m]. φ = 0 is the no-trend model.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from itertools import product

import numpy as np
from numpy.typing import NDArray

__all__ = ["DEFAULT_GRID", "SEASON", "Fit", "Grid", "fit", "forecast", "seasonal_naive"]

SEASON = 7
Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Grid:
    """The candidate parameters: every (α, γ, (φ, β)) combination is tried for every series."""

    alphas: tuple[float, ...] = (0.03, 0.1, 0.25, 0.5)
    gammas: tuple[float, ...] = (0.02, 0.1, 0.3)
    #: (φ, β) pairs: φ = 0 is no trend; the others a damped trend.
    trends: tuple[tuple[float, float], ...] = ((0.0, 0.0), (0.9, 0.05), (0.98, 0.02))

    def columns(self) -> tuple[Floats, Floats, Floats, Floats]:
        """α, β, γ, φ as arrays of one value per candidate."""
        combos = list(product(self.alphas, self.gammas, self.trends))
        alpha = np.array([a for a, _, _ in combos])
        gamma = np.array([g for _, g, _ in combos])
        phi = np.array([t[0] for _, _, t in combos])
        beta = np.array([t[1] for _, _, t in combos])
        return alpha, beta, gamma, phi


DEFAULT_GRID = Grid()


@dataclass(frozen=True, slots=True)
class Fit:
    """The fitted state of each series (one row each) and the parameters it chose."""

    level: Floats  # (n,)
    trend: Floats  # (n,)
    #: (n, SEASON): the seasonal term of the next SEASON days, in order (column 0 is day T+1).
    season: Floats
    alpha: Floats
    beta: Floats
    gamma: Floats
    phi: Floats
    #: In-sample one-step mean squared error of the chosen candidate.
    mse: Floats


def _initial(y: Floats) -> tuple[Floats, Floats, Floats]:
    """Level, trend and seasonal terms from the first weeks (at least two whole weeks)."""
    weeks = max(2, min(4, y.shape[1] // SEASON))
    head = y[:, : weeks * SEASON].reshape(y.shape[0], weeks, SEASON)
    week_means = head.mean(axis=2)
    season = (head - week_means[:, :, None]).mean(axis=1)
    trend = (week_means[:, -1] - week_means[:, 0]) / (SEASON * (weeks - 1))
    level = week_means[:, 0] - trend * (SEASON - 1) / 2.0  # the level just before day 0
    return level, trend, season


def fit(y: Floats, grid: Grid = DEFAULT_GRID, *, chunk: int = 2_000) -> Fit:
    """Fit every row of ``y`` (series × days, at least 14 days). Rows are fitted ``chunk`` at a
    time so the state (rows × candidates × 7) stays in cache-sized blocks."""
    values = np.asarray(y, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] < 2 * SEASON:
        raise ValueError("fit needs a 2-D array with at least 14 days per series")
    parts = [_fit_block(values[i : i + chunk], grid) for i in range(0, values.shape[0], chunk)]
    if not parts:
        empty = np.zeros(0)
        return Fit(empty, empty, np.zeros((0, SEASON)), empty, empty, empty, empty, empty)
    return Fit(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Fit)))


def _fit_block(y: Floats, grid: Grid) -> Fit:
    n, days = y.shape
    alpha, beta, gamma, phi = grid.columns()
    k = alpha.size
    level0, trend0, season0 = _initial(y)
    level = np.repeat(level0[:, None], k, axis=1)
    trend = np.repeat(trend0[:, None], k, axis=1)
    # A ring of the last SEASON seasonal terms per (series, candidate): slot t % 7 is day t's.
    season = np.repeat(season0[:, :, None], k, axis=2)
    sse = np.zeros((n, k))
    ab = alpha * beta
    burn_in = SEASON
    for t in range(days):
        slot = t % SEASON
        s_old = season[:, slot, :]
        damped = phi * trend
        base = level + damped
        err = y[:, t, None] - (base + s_old)
        if t >= burn_in:
            sse += err * err
        level = base + alpha * err
        trend = damped + ab * err
        season[:, slot, :] = s_old + gamma * err
    best = np.argmin(sse, axis=1)
    rows = np.arange(n)
    order = [(days + j) % SEASON for j in range(SEASON)]
    return Fit(
        level=level[rows, best],
        trend=trend[rows, best],
        season=season[:, order, :][rows, :, best],
        alpha=alpha[best],
        beta=beta[best],
        gamma=gamma[best],
        phi=phi[best],
        mse=sse[rows, best] / max(1, days - burn_in),
    )


def forecast(model: Fit, horizon: int) -> Floats:
    """The next ``horizon`` days of every series (series × horizon), never below zero."""
    steps = np.arange(1, horizon + 1)
    # φ + φ² + … + φ^h per series and step (0 for φ = 0).
    damp = np.cumsum(model.phi[:, None] ** steps[None, :], axis=1)
    seasonal = model.season[:, (steps - 1) % SEASON]
    out = model.level[:, None] + damp * model.trend[:, None] + seasonal
    return np.maximum(out, 0.0)


def seasonal_naive(y: Floats, horizon: int) -> Floats:
    """The baseline: each day repeats the same weekday of the last week."""
    values = np.asarray(y, dtype=np.float64)
    last = values[:, -SEASON:]
    return last[:, np.arange(horizon) % SEASON]
