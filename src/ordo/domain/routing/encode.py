"""A wave of requests as arrays, the shape every kernel works on.

Owns the one Python loop over requests (everything after it is vectorised): line
slots padded to the longest order, handling flags as bits, the destination as a row
of a small distance table (orders to the same point share it), and per order the
carriers that may carry it, the cheapest of them (for the cost, time and carbon
objectives of the warehouse choice) and the quickest (for the cut-off test).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter, itemgetter

import numpy as np

from ordo.domain.geo import distance_matrix_km
from ordo.domain.routing.context import Directives, RouteRequest, RoutingContext
from ordo.domain.routing.network import FloatArray, IntArray, Network, flag_bits

_LINES, _FLAGS, _PROVINCE = attrgetter("lines"), attrgetter("flags"), attrgetter("province")
_PROFILE, _PREFER = attrgetter("directives.profile"), attrgetter("directives.prefer")
_LAT, _LNG, _WEIGHT = attrgetter("lat"), attrgetter("lng"), attrgetter("weight_g")
_DEADLINE, _FIRST, _SECOND = attrgetter("deadline_ns"), itemgetter(0), itemgetter(1)

#: Units asked of a SKU no warehouse knows: no stock can meet it.
UNKNOWN_QTY = 1 << 40


@dataclass(frozen=True, slots=True)
class Encoded:
    """N orders, L line slots (slot j exists for orders with more than j lines)."""

    sku: IntArray  # (N, L) stock rows; padding and unknown SKUs point at row 0
    qty: IntArray  # (N, L) units; UNKNOWN_QTY for an unknown SKU
    sku_t: IntArray  # (L, N) the same, slot-major, so a slot is one contiguous run
    qty_t: IntArray
    n_lines: IntArray
    need_bits: IntArray
    province: IntArray  # -1: a province nobody serves
    dest: IntArray  # row of ``km`` for each order
    km: FloatArray  # (U, W) great-circle km from each distinct destination to each warehouse
    weight_g: IntArray
    deadline_ns: IntArray  # -1: none
    carriers_ok: IntArray  # bitmask: covers the destination and can handle the flags
    cheap: IntArray  # the cheapest such carrier; -1 none
    fast: IntArray  # the quickest such carrier; -1 none
    rate_fen: IntArray  # the cheap carrier's price for this weight, before the zone multiplier
    weights: FloatArray  # (N, 7) profile weights
    prefer: IntArray  # warehouse a rule prefers; -1 none


def price_fen(net: Network, c: IntArray | int, weight_g: IntArray | int) -> IntArray:
    """First kilo at the base rate, each started kilo after it at the per-kilo rate."""
    extra = np.maximum(0, (np.asarray(weight_g) + 999) // 1000 - 1)
    out: IntArray = net.c_base_fen[c] + net.c_per_kg_fen[c] * extra
    return out


def encode(requests: Sequence[RouteRequest], ctx: RoutingContext) -> Encoded:
    net, index = ctx.network, ctx.stock.index
    n = len(requests)
    # Column by column with ``map`` over C-level getters: several times faster than a
    # Python loop filling arrays, and this is the one place that walks the requests.
    lines = list(map(_LINES, requests))
    n_lines = np.fromiter(map(len, lines), dtype=np.int64, count=n)
    width = int(n_lines.max(initial=1)) or 1
    flat = [line for ls in lines for line in ls]
    rows = np.fromiter(map(index.get, map(_FIRST, flat), repeat(-1)), dtype=np.int64, count=len(flat))
    units = np.fromiter(map(_SECOND, flat), dtype=np.int64, count=len(flat))
    unknown = rows < 0
    filled = np.arange(width)[None, :] < n_lines[:, None]
    sku = np.zeros((n, width), dtype=np.int64)
    qty = np.zeros((n, width), dtype=np.int64)
    sku[filled] = np.where(unknown, 0, rows)
    qty[filled] = np.where(unknown, UNKNOWN_QTY, units)
    flags = list(map(_FLAGS, requests))
    bits = {f: flag_bits(f) for f in set(flags)}
    need = np.fromiter(map(bits.__getitem__, flags), dtype=np.int64, count=n)
    profiles = list(map(_PROFILE, requests))
    vectors = {nm: ctx.profile_for(Directives(profile=nm)).vector() for nm in set(profiles)}
    weights = np.array(list(map(vectors.__getitem__, profiles)), dtype=np.float64).reshape(n, -1)
    prov = np.fromiter(map(net.p_index.get, map(_PROVINCE, requests), repeat(-1)), dtype=np.int64, count=n)
    prefer = np.fromiter(map(net.w_index.get, map(_PREFER, requests), repeat(-1)), dtype=np.int64, count=n)
    lat = np.fromiter(map(_LAT, requests), dtype=np.float64, count=n)
    lng = np.fromiter(map(_LNG, requests), dtype=np.float64, count=n)
    weight = np.fromiter(map(_WEIGHT, requests), dtype=np.int64, count=n)
    deadline = np.array([-1 if d is None else d for d in map(_DEADLINE, requests)], dtype=np.int64)
    if n == 1:
        # One order: the distance row and the carrier facts are memoised per context, since
        # orders keep going to the same district centroids with the same kinds of parcels.
        dest = np.zeros(1, dtype=np.int64)
        km = _km_rows(ctx, lat, lng)
        left = ctx.carrier_left
        key = (int(prov[0]), int(need[0]), (int(weight[0]) + 999) // 1000, (left <= 0).tobytes())
        lane = ctx.lanes.get(key)
        if lane is None:
            got = _carriers(net, left, need, prov, weight)
            lane = ctx.lanes[key] = (int(got[0][0]), int(got[1][0]), int(got[2][0]), int(got[3][0]))
        carriers_ok, cheap, fast, rate = (np.array([v], dtype=np.int64) for v in lane)
    else:
        # Orders to the same point share a row: one complex number per point makes it one sort.
        points, dest = np.unique(lat + 1j * lng, return_inverse=True)
        dest = dest.reshape(-1).astype(np.int64)
        km = _km_rows(ctx, points.real.copy(), points.imag.copy())
        carriers_ok, cheap, fast, rate = _carriers(net, ctx.carrier_left, need, prov, weight)
    return Encoded(
        sku=sku,
        qty=qty,
        sku_t=np.ascontiguousarray(sku.T),
        qty_t=np.ascontiguousarray(qty.T),
        n_lines=n_lines,
        need_bits=need,
        province=prov,
        dest=dest,
        km=km,
        weight_g=weight,
        deadline_ns=deadline,
        carriers_ok=carriers_ok,
        cheap=cheap,
        fast=fast,
        rate_fen=rate,
        weights=weights,
        prefer=prefer,
    )


def _km_rows(ctx: RoutingContext, lat: FloatArray, lng: FloatArray) -> FloatArray:
    """Distance rows (points × warehouses), memoised per point in the context: orders keep
    going to the same district centroids, wave after wave."""
    memo = ctx.km_rows
    keys = list(zip(lat.tolist(), lng.tolist(), strict=True))
    missing = [i for i, k in enumerate(keys) if k not in memo]
    if missing:
        if len(memo) + len(missing) > 50_000:
            memo.clear()
            missing = list(range(len(keys)))
        net = ctx.network
        fresh = distance_matrix_km(lat[missing], lng[missing], net.w_lat, net.w_lng)
        for i, row in zip(missing, fresh, strict=True):
            memo[keys[i]] = row
    out: FloatArray = np.stack([memo[k] for k in keys]) if len(keys) > 1 else memo[keys[0]][None, :]
    return out


def _carriers(
    net: Network, carrier_left: IntArray, need: IntArray, prov: IntArray, weight: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    n_c = len(net.carriers)
    c = np.arange(n_c, dtype=np.int64)[None, :]
    dest = np.where(prov >= 0, net.p_carriers[np.maximum(prov, 0)], 0)
    able = ((need[:, None] & ~net.c_caps[None, :]) == 0) & (carrier_left > 0)[None, :]
    ok = dest & (able.astype(np.int64) << c).sum(axis=1)
    member = ((ok[:, None] >> c) & 1) == 1
    some = member.any(axis=1)
    prices = price_fen(net, c, weight[:, None])
    cheap = np.where(some, np.argmin(np.where(member, prices, np.iinfo(np.int64).max), axis=1), -1)
    # Quickest over a typical 1,000 km lane, flying where the carrier flies.
    speed = net.c_fixed_h + 1000.0 / np.where(np.isfinite(net.c_air_from_km), net.c_air_kmph, net.c_road_kmph)
    fast = np.where(some, np.argmin(np.where(member, speed[None, :], np.inf), axis=1), -1)
    rate = np.where(cheap >= 0, price_fen(net, np.maximum(cheap, 0), weight), 0)
    return ok.astype(np.int64), cheap.astype(np.int64), fast.astype(np.int64), rate.astype(np.int64)
