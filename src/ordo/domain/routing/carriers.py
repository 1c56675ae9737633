"""Carrier choice per parcel, and the promise date that follows from it.

Owns the second stage of a decision: once a parcel's warehouse is fixed, pick the
carrier that covers both ends of the lane (remote provinces such as 新疆 / 西藏 often
only by EMS, 顺丰, 京东), can handle the goods, has capacity left today and — when
the order has a deadline — arrives in time if any carrier can; then score cost, time,
risk (and carbon, for green profiles) normalised over those carriers. A rule's
``使用 快递`` wins whenever that carrier is eligible. Promise = the warehouse's next
trunk departure (today before cut-off, else tomorrow) + the carrier's lane time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ordo.domain.routing.encode import price_fen
from ordo.domain.routing.kernel import (
    AIR_G_PER_TKM,
    AIR_UPLIFT_KM,
    HOUR_NS,
    PARCEL_G,
    ROAD_CIRCUITY,
    ROAD_G_PER_TKM,
    ZONE_KM,
    ZONE_PCT,
    zone_of,
)
from ordo.domain.routing.network import FloatArray, IntArray, Network
from ordo.domain.routing.profiles import CARRIER_KEYS, carrier_weights
from ordo.domain.routing.select import normalise

__all__ = ["CARRIER_KEYS", "CarrierChoices", "carrier_weights", "choose_carrier_one", "choose_carriers"]


@dataclass(frozen=True, slots=True)
class CarrierChoices:
    """One row per parcel; ``carrier`` is -1 where no carrier can take it."""

    carrier: IntArray
    cost_fen: IntArray
    hours: FloatArray
    carbon_g: FloatArray
    promise_ns: IntArray
    eligible: IntArray  # carrier bitmask after every filter
    score: FloatArray  # (P, C), inf where not eligible


def choose_carriers(
    net: Network,
    *,
    w: IntArray,
    province: IntArray,
    carriers_ok: IntArray,
    carrier_left: IntArray,
    weight_g: IntArray,
    km: FloatArray,
    depart_ns: IntArray,
    deadline_ns: IntArray,
    weights: FloatArray,
    forced: IntArray,
    risk: FloatArray,
) -> CarrierChoices:
    """Vectorised over parcels × carriers (a handful of carriers, so this stays small)."""
    n_c = len(net.carriers)
    c = np.arange(n_c, dtype=np.int64)[None, :]
    lane = net.p_carriers[net.w_province[w]] & carriers_ok
    ok = (((lane[:, None] >> c) & 1) == 1) & (carrier_left > 0)[None, :]
    # Parcels × carriers by broadcasting one column of km against each carrier's terms;
    # the same formulas as ``kernel.lane_hours`` and ``kernel.carbon_g``.
    kmc = km[:, None]
    flies = kmc >= net.c_air_from_km[None, :]
    hours = net.c_fixed_h[None, :] + np.where(
        flies, (kmc + AIR_UPLIFT_KM) / net.c_air_kmph[None, :], kmc * ROAD_CIRCUITY / net.c_road_kmph[None, :]
    )
    arrive = depart_ns[:, None] + (hours * HOUR_NS).astype(np.int64)
    in_time = ok & (arrive <= deadline_ns[:, None])
    # Keep the promise when some carrier can; otherwise the quickest late one still ships it.
    strict = (deadline_ns >= 0) & in_time.any(axis=1)
    ok = np.where(strict[:, None], in_time, ok)
    same = net.w_province[w] == province
    zone = zone_of(km, same)
    cost = price_fen(net, c, weight_g[:, None]) * ZONE_PCT[zone][:, None] // 100
    t = weight_g[:, None] / 1e6
    carbon = PARCEL_G + np.where(
        flies, (kmc + AIR_UPLIFT_KM) * t * AIR_G_PER_TKM, kmc * ROAD_CIRCUITY * t * ROAD_G_PER_TKM
    )
    cols = (cost.astype(np.float64), hours, np.broadcast_to(risk[None, :], ok.shape), carbon)
    score = np.zeros(ok.shape, dtype=np.float64)
    for k, col in enumerate(cols):
        if not weights[:, k].any():
            continue
        lo = np.where(ok, col, np.inf).min(axis=1, keepdims=True)
        hi = np.where(ok, col, -np.inf).max(axis=1, keepdims=True)
        score = score + normalise(col, lo, hi) * weights[:, k : k + 1]
    score = np.where(ok, score, np.inf)
    pick = np.argmin(score, axis=1)
    use_forced = (forced >= 0) & ok[np.arange(w.size), np.maximum(forced, 0)]
    pick = np.where(use_forced, forced, pick)
    pick = np.where(ok.any(axis=1), pick, -1)
    rows = np.arange(w.size)
    at = np.maximum(pick, 0)
    return CarrierChoices(
        carrier=pick.astype(np.int64),
        cost_fen=cost[rows, at].astype(np.int64),
        hours=hours[rows, at],
        carbon_g=carbon[rows, at],
        promise_ns=arrive[rows, at].astype(np.int64),
        eligible=(ok.astype(np.int64) << c).sum(axis=1),
        score=score,
    )


def choose_carrier_one(
    net: Network,
    *,
    w: int,
    province: int,
    carriers_ok: int,
    carrier_left: IntArray,
    weight_g: int,
    km: float,
    depart_ns: int,
    deadline_ns: int,
    weights: Sequence[float],
    forced: int,
    risk: Sequence[float],
) -> CarrierChoices:
    """``choose_carriers`` for one parcel in plain floats: a dozen NumPy calls on arrays of
    eight cost more than the arithmetic. Same formulas, same order of operations, so the
    two agree exactly (a test routes the same order both ways).

    Why it exists: ``choose_carriers`` for one parcel makes a single decision take
    1.3–1.8× as long (CPU p50, 5 lines over 500 warehouses, in one process, 2026-12-06),
    which would take BENCHMARKS.md "Routing" one-order p99 (0.322 ms) to the 0.5 ms target."""
    n_c = len(net.carriers)
    lane = int(net.p_carriers[net.w_province[w]]) & carriers_ok
    left = carrier_left.tolist()
    fixed, road = net.c_fixed_h.tolist(), net.c_road_kmph.tolist()
    air_from, air = net.c_air_from_km.tolist(), net.c_air_kmph.tolist()
    base, per_kg = net.c_base_fen.tolist(), net.c_per_kg_fen.tolist()
    ok = [bool(lane >> c & 1) and left[c] > 0 for c in range(n_c)]
    flies = [km >= air_from[c] for c in range(n_c)]
    hours = [
        fixed[c] + ((km + AIR_UPLIFT_KM) / air[c] if flies[c] else km * ROAD_CIRCUITY / road[c])
        for c in range(n_c)
    ]
    arrive = [depart_ns + int(h * HOUR_NS) for h in hours]
    if deadline_ns >= 0:
        in_time = [ok[c] and arrive[c] <= deadline_ns for c in range(n_c)]
        if any(in_time):
            ok = in_time
    same = int(net.w_province[w]) == province
    zone = 0 if same else 1 + bisect_left(ZONE_KM.tolist(), km)
    pct = int(ZONE_PCT[zone])
    extra = max(0, (weight_g + 999) // 1000 - 1)
    cost = [(base[c] + per_kg[c] * extra) * pct // 100 for c in range(n_c)]
    t = weight_g / 1e6
    carbon = [
        PARCEL_G
        + ((km + AIR_UPLIFT_KM) * t * AIR_G_PER_TKM if flies[c] else km * ROAD_CIRCUITY * t * ROAD_G_PER_TKM)
        for c in range(n_c)
    ]
    cols = ([float(x) for x in cost], hours, list(risk), carbon)
    score = [0.0] * n_c
    for k, col in enumerate(cols):
        if not weights[k]:
            continue
        vals = [col[c] for c in range(n_c) if ok[c]]
        if not vals:
            continue
        lo, span = min(vals), max(vals) - min(vals)
        for c in range(n_c):
            score[c] = score[c] + ((col[c] - lo) / span if span > 0 else 0.0) * weights[k]
    masked = [score[c] if ok[c] else np.inf for c in range(n_c)]
    pick = -1
    if any(ok):
        pick = min(range(n_c), key=lambda c: (masked[c], c))
        if forced >= 0 and ok[forced]:
            pick = forced
    at = max(pick, 0)
    return CarrierChoices(
        carrier=np.array([pick], dtype=np.int64),
        cost_fen=np.array([cost[at]], dtype=np.int64),
        hours=np.array([hours[at]], dtype=np.float64),
        carbon_g=np.array([carbon[at]], dtype=np.float64),
        promise_ns=np.array([arrive[at]], dtype=np.int64),
        eligible=np.array([sum(1 << c for c in range(n_c) if ok[c])], dtype=np.int64),
        score=np.array([masked], dtype=np.float64),
    )
