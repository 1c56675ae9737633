"""Splitting a line's units across warehouses: 5 of one SKU as 3 from one site and 2 from another.

Owns the arithmetic of a quantity split and nothing else. The router asks for one only
when no warehouse ships the order whole and no set of warehouses ships it line by line
(each line whole from one parcel), and only when the policy allows it
(``SplitRules.quantity_split``, with its ``max_parcels`` and ``min_units``). Given each
candidate's units on hand per line, its score (lower is better) and what each line
needs, :func:`split_units` picks the fewest warehouses that together hold every unit,
then the lowest total score, and says how many units of each line each of them ships.

Pure: numbers in, numbers out. The snapshot replay calls the same function with the
recorded numbers, so a recorded quantity split can be checked like any other decision.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

#: How many candidates, best scores first and biggest holdings first, a split is looked
#: for among: 2 × 10 warehouses give at most C(20, 3) = 1,140 sets of three to check, a
#: few milliseconds on the rare order that needs one; the best sites are in the pool.
POOL = 10


@dataclass(frozen=True, slots=True)
class UnitSplit:
    """Which candidates ship (indices into the caller's list, best score first) and, per
    parcel, the units of each line it carries (0 where it carries none of that line)."""

    picks: tuple[int, ...]
    units: tuple[tuple[int, ...], ...]


def split_units(
    holds: Sequence[Sequence[int]],
    scores: Sequence[float],
    need: Sequence[int],
    max_parcels: int,
    min_units: int = 1,
) -> UnitSplit | None:
    """The fewest candidates (two or more, at most ``max_parcels``) that hold every unit of
    every line, each parcel carrying at least ``min_units`` units; among those, the lowest
    total score (ties: lower candidate indices). Units are taken best score first: the best
    site ships all it can, the next the rest. None when no such split exists.

    ``holds[i][j]``: units candidate i has of line j; ``need[j]``: units line j needs.
    """
    n = len(holds)
    if n < 2 or max_parcels < 2 or not need:
        return None
    total = [sum(min(h[j], q) for h in holds) for j, q in enumerate(need)]
    if any(t < q for t, q in zip(total, need, strict=True)):
        return None  # every warehouse together lacks units: no split helps
    useful = [i for i in range(n) if any(min(holds[i][j], q) for j, q in enumerate(need))]
    by_score = sorted(useful, key=lambda i: (scores[i], i))
    by_units = sorted(useful, key=lambda i: (-sum(min(holds[i][j], q) for j, q in enumerate(need)), i))
    pool = sorted(set(by_score[:POOL]) | set(by_units[:POOL]), key=lambda i: (scores[i], i))
    for k in range(2, max_parcels + 1):
        best: tuple[float, tuple[int, ...], tuple[tuple[int, ...], ...]] | None = None
        for combo in itertools.combinations(pool, k):  # each combo is in score order
            units = _allocate([holds[i] for i in combo], need, min_units)
            if units is None:
                continue
            cost = sum(scores[i] for i in combo)
            if best is None or (cost, combo) < (best[0], best[1]):
                best = (cost, combo, units)
        if best is not None:
            return UnitSplit(best[1], best[2])
    return None


def _allocate(
    holds: Sequence[Sequence[int]], need: Sequence[int], min_units: int
) -> tuple[tuple[int, ...], ...] | None:
    """Units per member (in the given order) and line: each member takes what it can of what
    is left; a member left below ``min_units`` then takes units over from the members ahead
    of it that can spare them. None when the members cannot hold it all, or a member ends
    up with nothing or below the minimum."""
    left = list(need)
    units = []
    for h in holds:
        take = [min(h[j], left[j]) for j in range(len(need))]
        left = [a - b for a, b in zip(left, take, strict=True)]
        units.append(take)
    if any(left):
        return None
    for p, mine in enumerate(units):
        short = min_units - sum(mine)
        for q in range(len(units)):
            if short <= 0:
                break
            if q == p:
                continue
            for j in range(len(need)):
                spare = min(units[q][j], sum(units[q]) - min_units, holds[p][j] - mine[j], short)
                if spare > 0:
                    units[q][j] -= spare
                    mine[j] += spare
                    short -= spare
        if sum(mine) < max(min_units, 1):
            return None
    return tuple(tuple(u) for u in units)


def split_reason(need: Sequence[int], most: Sequence[int]) -> list[int]:
    """The lines no single candidate holds in full (``most[j]``: the most units of line j any
    one candidate holds): the lines whose units had to be split."""
    return [j for j, (q, m) in enumerate(zip(need, most, strict=True)) if m < q]
