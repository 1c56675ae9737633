"""Choosing among eligible candidates: min-max normalisation, weighted score, fewest parcels.

Owns the decision rule and nothing else, so the router and the snapshot replay run
the very same arithmetic: each objective is scaled to 0..1 over one order's
eligible candidates (0 = the best of them), the score is the profile's weighted
sum, lowest wins, and ties go to the lower warehouse position. A warehouse a rule
prefers wins whenever it is eligible. Never sees stock or capacity, only numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ordo.domain.routing.network import FloatArray, IntArray

BoolArray = np.ndarray


def normalise(raw: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """(x - min) / (max - min) per column; a column where all candidates agree scales to 0."""
    span = hi - lo
    out: FloatArray = np.where(span > 0, (raw - lo) / np.where(span > 0, span, 1.0), 0.0)
    return out


@dataclass(frozen=True, slots=True)
class Scored:
    lo: FloatArray  # (7, segments): each objective's minimum over the segment
    inv: FloatArray  # (7, segments): 1 / (max - min), 0 where every candidate agrees
    score: FloatArray
    best: IntArray  # per segment: index into the rows of the winner

    def norm(self, raw: FloatArray, segment: int) -> FloatArray:
        """Normalised objectives (0 = best of the candidates) of some rows of one segment."""
        out: FloatArray = (raw - self.lo[:, segment : segment + 1]) * self.inv[:, segment : segment + 1]
        return out


def choose(seg_start: IntArray, raw: FloatArray, weights: FloatArray, preferred: BoolArray) -> Scored:
    """Winner of each segment of rows (rows of one order are contiguous, in warehouse order).

    ``raw`` is objective-major (7 × rows) so each objective is one contiguous run;
    ``weights`` has one row of profile weights per segment. The score is
    Σ w·(x − min)/(max − min), computed as Σ x·a + b with a = w/(max − min) per segment,
    which touches each row once per objective.
    """
    n, n_obj = raw.shape[1], raw.shape[0]
    if seg_start.size == 1:
        return _choose_one(raw, weights[0], bool(preferred.any()) and preferred)
    seg = np.repeat(np.arange(seg_start.size), np.diff(np.append(seg_start, n)))
    lo = np.empty((n_obj, seg_start.size), dtype=np.float64)
    inv = np.empty_like(lo)
    score = np.zeros(n, dtype=np.float64)
    offset = np.zeros(seg_start.size, dtype=np.float64)
    # Objective by objective, in a fixed order of additions: the dense path, the batch path
    # and a replay agree to the last bit.
    for k in range(n_obj):
        x = raw[k]
        if x.min() == x.max():
            # The same for every candidate of every order (no risk signal today, say):
            # it scales to 0 everywhere, so the segment passes are skipped.
            lo[k], inv[k] = x[0] if n else 0.0, 0.0
            continue
        lo[k] = np.minimum.reduceat(x, seg_start)
        span = np.maximum.reduceat(x, seg_start) - lo[k]
        # A column where every candidate agrees scales to 0: it cannot tell them apart.
        inv[k] = np.where(span > 0, 1.0 / np.where(span > 0, span, 1.0), 0.0)
        a = weights[:, k] * inv[k]
        if not a.any():
            continue
        score += x * a[seg]
        offset -= lo[k] * a
    score += offset[seg]
    bonus = weights.sum(axis=1) + 1.0  # a preferred warehouse beats any score
    score = np.where(preferred, score - bonus[seg], score)
    top = np.minimum.reduceat(score, seg_start)
    # The first row reaching its segment's minimum: rows are in warehouse order, so ties
    # go to the lower warehouse position.
    rows = np.arange(n, dtype=np.int64)
    best = np.minimum.reduceat(np.where(score == top[seg], rows, n), seg_start)
    return Scored(lo, inv, score, best)


def _choose_one(raw: FloatArray, weights: FloatArray, preferred: BoolArray | bool) -> Scored:
    """``choose`` for a single segment with scalars: the same operations in the same order.

    Why it exists: the segment passes cost a single decision 1.4× its time without it (CPU
    p50, 5 lines over 500 warehouses, in one process, 2026-12-06), against BENCHMARKS.md
    "Routing" p99 0.322 ms for one order (target 0.5 ms)."""
    n = raw.shape[1]
    lo = raw.min(axis=1)
    span = raw.max(axis=1) - lo
    inv = np.where(span > 0, 1.0 / np.where(span > 0, span, 1.0), 0.0)
    a = weights * inv
    score = np.zeros(n, dtype=np.float64)
    offset = 0.0
    for k in np.flatnonzero(a):
        score += raw[k] * a[k]
        offset -= lo[k] * a[k]
    score += offset
    if preferred is not False:
        score = np.where(preferred, score - (weights.sum() + 1.0), score)
    best = int(np.argmin(score))  # argmin returns the first minimum: the lower position
    return Scored(lo[:, None], inv[:, None], score, np.array([best], dtype=np.int64))


def fewest_parcels(
    covers: Sequence[int], scores: Sequence[float], n_lines: int, max_parcels: int
) -> list[int] | None:
    """Fewest candidates whose line sets cover every line, then the lowest total score.

    ``covers[i]`` is the bitmask of lines candidate i can ship in full. Exact: a search
    over subsets of lines, keeping for each distinct cover only its best candidate
    (several warehouses with the same cover are interchangeable but for score).
    Returns candidate indices, or None when no split of at most ``max_parcels`` covers.
    """
    full = (1 << n_lines) - 1
    best_of: dict[int, int] = {}
    for i, (c, s) in enumerate(zip(covers, scores, strict=True)):
        if c and (c not in best_of or s < scores[best_of[c]]):
            best_of[c] = i
    options = sorted(best_of.items(), key=lambda kv: (scores[kv[1]], kv[1]))
    # Breadth first: states after k parcels, each with its cheapest way there.
    frontier: dict[int, tuple[float, tuple[int, ...]]] = {0: (0.0, ())}
    for _ in range(max_parcels):
        nxt: dict[int, tuple[float, tuple[int, ...]]] = {}
        for state, (total, picks) in frontier.items():
            for cover, i in options:
                if cover & ~state == 0:
                    continue  # adds no line
                to = state | cover
                cand = (total + scores[i], (*picks, i))
                if to not in nxt or cand < nxt[to]:
                    nxt[to] = cand
        if full in nxt:
            return list(nxt[full][1])
        frontier = nxt
    return None
