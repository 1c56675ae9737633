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
from ordo.domain.routing.profiles import carrier_weights

_LINES, _FLAGS, _PROVINCE = attrgetter("lines"), attrgetter("flags"), attrgetter("province")
_PROFILE, _PREFER = attrgetter("directives.profile"), attrgetter("directives.prefer")
_LAT, _LNG, _WEIGHT = attrgetter("lat"), attrgetter("lng"), attrgetter("weight_g")
_DEADLINE, _FIRST, _SECOND = attrgetter("deadline_ns"), itemgetter(0), itemgetter(1)
_CARRIER = attrgetter("directives.carrier")
_AVOID = attrgetter("directives.avoid_carriers")

#: Units asked of a SKU no warehouse knows: no stock can meet it.
UNKNOWN_QTY = 1 << 40
#: The distance memo lives as long as its network: at most this many floats (64 MB), then
#: it starts again. Orders go to a few thousand district centroids, far fewer.
KM_MEMO_FLOATS = 8_000_000
#: And at most this many carrier facts (a few MB).
LANE_MEMO_ENTRIES = 50_000


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
    carrier_weights: FloatArray  # (N, 4) the profile's carrier weights, ``CARRIER_KEYS`` order
    forced: IntArray  # carrier a rule names; -1 none


def price_fen(net: Network, c: IntArray | int, weight_g: IntArray | int) -> IntArray:
    """First kilo at the base rate, each started kilo after it at the per-kilo rate."""
    extra = np.maximum(0, (np.asarray(weight_g) + 999) // 1000 - 1)
    out: IntArray = net.c_base_fen[c] + net.c_per_kg_fen[c] * extra
    return out


def encode(requests: Sequence[RouteRequest], ctx: RoutingContext) -> Encoded:
    return encode_one(requests[0], ctx) if len(requests) == 1 else encode_many(requests, ctx)


def encode_many(requests: Sequence[RouteRequest], ctx: RoutingContext) -> Encoded:
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
    # A wave uses a handful of profiles: one table row each, one gather per order.
    profiles = list(map(_PROFILE, requests))
    names = list(set(profiles))
    used = [ctx.profile_for(Directives(profile=nm)) for nm in names]
    which = np.fromiter(map({nm: i for i, nm in enumerate(names)}.__getitem__, profiles), np.int64, n)
    weights = np.array([p.vector() for p in used], dtype=np.float64)[which]
    cweights = np.array([carrier_weights(p.carrier_weights) for p in used], dtype=np.float64)[which]
    forced = np.fromiter(map(net.c_index.get, map(_CARRIER, requests), repeat(-1)), dtype=np.int64, count=n)
    prov = np.fromiter(map(net.p_index.get, map(_PROVINCE, requests), repeat(-1)), dtype=np.int64, count=n)
    prefer = np.fromiter(map(net.w_index.get, map(_PREFER, requests), repeat(-1)), dtype=np.int64, count=n)
    lat = np.fromiter(map(_LAT, requests), dtype=np.float64, count=n)
    lng = np.fromiter(map(_LNG, requests), dtype=np.float64, count=n)
    weight = np.fromiter(map(_WEIGHT, requests), dtype=np.int64, count=n)
    deadline = np.array([-1 if d is None else d for d in map(_DEADLINE, requests)], dtype=np.int64)
    # Orders to the same point share a row: one complex number per point makes it one sort.
    points, dest = np.unique(lat + 1j * lng, return_inverse=True)
    dest = dest.reshape(-1).astype(np.int64)
    km = _km_rows(ctx, points.real.copy(), points.imag.copy())
    carriers_ok, cheap, fast, rate = _carriers(net, ctx.carrier_left, need, prov, weight)
    avoids = list(map(_AVOID, requests))
    for barred in set(avoids) - {frozenset()}:
        # A rule bars these carriers for some orders (偏远地区 不用 极兔): for those orders the
        # barred carriers count as having no capacity left, so nothing picks them.
        at = np.array([i for i, a in enumerate(avoids) if a == barred], dtype=np.int64)
        got = _carriers(net, _barred(net, ctx.carrier_left, barred), need[at], prov[at], weight[at])
        for whole, part in zip((carriers_ok, cheap, fast, rate), got, strict=True):
            whole[at] = part
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
        carrier_weights=cweights,
        forced=forced,
    )


def encode_one(req: RouteRequest, ctx: RoutingContext) -> Encoded:
    """``encode`` of one request, from plain Python values: the same arrays (a test compares
    them), in a tenth of the NumPy calls. The distance row and the carrier facts come from
    the memos, since orders keep going to the same district centroids with the same kinds
    of parcels.

    Why it exists beside :func:`encode_many`: a single decision (``route_one``) takes
    1.3–1.5× as long with ``encode_many`` (CPU p50, 5 lines over 500 warehouses, both in one
    process, 2026-12-06), and BENCHMARKS.md "Routing" holds it at p99 0.322 ms against a
    0.5 ms target."""
    net, index = ctx.network, ctx.stock.index
    rows = [index.get(sku, -1) for sku, _ in req.lines]
    if rows:
        sku = np.array([[max(r, 0) for r in rows]], dtype=np.int64)
        qty = np.array([[UNKNOWN_QTY if r < 0 else q for r, (_, q) in zip(rows, req.lines, strict=True)]])
    else:
        sku = qty = np.zeros((1, 1), dtype=np.int64)
    need = flag_bits(req.flags)
    prov = net.p_index.get(req.province, -1)
    weight = req.weight_g
    d = req.directives
    left = _barred(net, ctx.carrier_left, d.avoid_carriers) if d.avoid_carriers else ctx.carrier_left
    key = (prov, need, (weight + 999) // 1000, (left <= 0).tobytes())
    lane = ctx.lanes.get(key)
    if lane is None:
        got = _carriers(net, left, *(np.array([v], dtype=np.int64) for v in (need, prov, weight)))
        if len(ctx.lanes) >= LANE_MEMO_ENTRIES:
            ctx.lanes.clear()
        lane = ctx.lanes[key] = (int(got[0][0]), int(got[1][0]), int(got[2][0]), int(got[3][0]))
    profile = ctx.profile_for(d)
    deadline = -1 if req.deadline_ns is None else req.deadline_ns
    forced = net.c_index.get(d.carrier, -1) if d.carrier is not None else -1
    prefer = net.w_index.get(d.prefer, -1) if d.prefer is not None else -1
    # One array, sliced into the per-order columns (views; nothing writes to an encoding).
    ints = np.array([len(req.lines), need, prov, 0, weight, deadline, *lane, prefer, forced], dtype=np.int64)
    point = (float(req.lat), float(req.lng))
    row = ctx.km_rows.get(point)
    if row is None:
        row = _km_rows(ctx, np.array([point[0]]), np.array([point[1]]))[0]
    return Encoded(
        sku=sku,
        qty=qty.astype(np.int64, copy=False),
        sku_t=sku.T.copy(),
        qty_t=qty.T.astype(np.int64),
        n_lines=ints[0:1],
        need_bits=ints[1:2],
        province=ints[2:3],
        dest=ints[3:4],
        km=row[None, :],
        weight_g=ints[4:5],
        deadline_ns=ints[5:6],
        carriers_ok=ints[6:7],
        cheap=ints[7:8],
        fast=ints[8:9],
        rate_fen=ints[9:10],
        weights=np.array([profile.vector()], dtype=np.float64),
        prefer=ints[10:11],
        carrier_weights=np.array([carrier_weights(profile.carrier_weights)], dtype=np.float64),
        forced=ints[11:12],
    )


def _barred(net: Network, carrier_left: IntArray, barred: frozenset[str]) -> IntArray:
    """``carrier_left`` with the barred carriers at zero (none left for this order)."""
    left = carrier_left.copy()
    for name in barred:
        c = net.c_index.get(name)
        if c is not None:
            left[c] = 0
    return left


def _km_rows(ctx: RoutingContext, lat: FloatArray, lng: FloatArray) -> FloatArray:
    """Distance rows (points × warehouses), memoised per point (by default on the network,
    so shared by every context): orders keep going to the same district centroids, wave
    after wave. Built from what this call looked up, so another thread clearing the memo
    at the same time cannot take a row from under it."""
    memo = ctx.km_rows
    keys = list(zip(lat.tolist(), lng.tolist(), strict=True))
    rows: list[FloatArray | None] = list(map(memo.get, keys))
    missing = [i for i, r in enumerate(rows) if r is None]
    if missing:
        net = ctx.network
        fresh = distance_matrix_km(lat[missing], lng[missing], net.w_lat, net.w_lng)
        fresh.flags.writeable = False  # shared: nobody may change a memoised row
        if (len(memo) + len(missing)) * net.n_warehouses > KM_MEMO_FLOATS:
            memo.clear()
        for i, row in zip(missing, fresh, strict=True):
            rows[i] = memo[keys[i]] = row
    found = [r for r in rows if r is not None]  # every row by now
    out: FloatArray = np.stack(found) if len(found) > 1 else found[0][None, :]
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
