"""The vector kernel: hard constraints and raw objectives over (order, warehouse) pairs.

Owns the arithmetic of one routing decision, written once over flat pair arrays so
the dense single-order path (every warehouse of one order) and the sparse batch path
(only warehouses holding an order's scarcest SKU) compute bit-identical values.
Constraints are boolean masks folded into a reason bitmask; objectives are columns
of a float matrix in ``OBJECTIVES`` order, lower is better. No loops over pairs.

Carbon: g CO2e = t·km × intensity. The intensities below follow the method of the
GLEC Framework v3.0 (Smart Freight Centre, 2023; aligned with ISO 14083:2023),
well-to-wheel, including its +95 km great-circle uplift for air. The values are
round figures of the right order for parcel road freight and air freight and must
be checked against the framework's default-intensity tables before a figure is
shown to a customer as exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntFlag
from typing import Any

import numpy as np

from ordo.domain.routing.context import RoutingContext
from ordo.domain.routing.encode import Encoded
from ordo.domain.routing.network import BoolArray, FloatArray, IntArray, Network

ROAD_G_PER_TKM = 110.0  # parcel / LTL truck, WTW (GLEC v3.0 method; value to be verified)
AIR_G_PER_TKM = 1100.0  # short-haul air freight, WTW (GLEC v3.0 method; value to be verified)
AIR_UPLIFT_KM = 95.0  # GLEC: great-circle distance + 95 km for air legs
PARCEL_G = 80.0  # sorting and last mile per parcel, so a split counts its second parcel
ROAD_CIRCUITY = 1.25  # road km per great-circle km across China's network (typical 1.2-1.3)
#: Zone bands (great-circle km) and their rate multipliers in percent; zone 0 is same-province.
ZONE_KM = np.array([600.0, 1200.0, 2000.0])
ZONE_PCT = np.array([100, 120, 140, 170, 200], dtype=np.int64)
HOUR_NS = 3600 * 10**9


class Reason(IntFlag):
    """Why a warehouse cannot ship an order; several may hold at once."""

    OUTAGE = 1
    RULE_EXCLUDED = 2
    CAPABILITY = 4
    SERVICE_AREA = 8
    CAPACITY = 16
    STOCK = 32
    CUTOFF = 64


REASON_LABELS: dict[Reason, tuple[str, str]] = {
    Reason.OUTAGE: ("仓库停用或故障", "warehouse inactive or in outage"),
    Reason.RULE_EXCLUDED: ("被路由规则排除", "excluded by a routing rule"),
    Reason.CAPABILITY: ("不具备冷链/危险品/超大件能力", "lacks cold-chain / hazmat / oversize capability"),
    Reason.SERVICE_AREA: (
        "不在服务范围内或无快递可达",
        "outside its service area or no carrier serves the lane",
    ),
    Reason.CAPACITY: ("今日产能已满", "no capacity left today"),
    Reason.STOCK: ("库存不足", "not enough stock"),
    Reason.CUTOFF: ("已过截单时间，赶不上承诺时效", "past cut-off, cannot meet the promised date"),
}


def lane_hours(net: Network, c: IntArray, km: FloatArray, *, road_only: bool = False) -> FloatArray:
    """Door-to-door hours of carrier c over a great-circle distance (flies long lanes if it can).

    ``road_only``: the caller knows none of these carriers flies, so the air branch is
    skipped; the road values are computed by the very same expression."""
    fixed, road = net.c_fixed_h[c], net.c_road_kmph[c]
    if road_only:
        trucked: FloatArray = fixed + km * ROAD_CIRCUITY / road
        return trucked
    flies = km >= net.c_air_from_km[c]
    out: FloatArray = fixed + np.where(
        flies, (km + AIR_UPLIFT_KM) / net.c_air_kmph[c], km * ROAD_CIRCUITY / road
    )
    return out


def carbon_g(
    net: Network, c: IntArray, km: FloatArray, weight_g: IntArray, *, road_only: bool = False
) -> FloatArray:
    t = weight_g / 1e6
    trucked = km * ROAD_CIRCUITY * t * ROAD_G_PER_TKM
    if road_only:
        by_road: FloatArray = PARCEL_G + trucked
        return by_road
    flown = (km + AIR_UPLIFT_KM) * t * AIR_G_PER_TKM
    out: FloatArray = PARCEL_G + np.where(km >= net.c_air_from_km[c], flown, trucked)
    return out


def zone_of(km: FloatArray, same_province: BoolArray) -> IntArray:
    """Rate zone: 0 within the province, else 1 + the number of ``ZONE_KM`` bands the lane
    is longer than (as ``searchsorted`` counts them, in a third of its time)."""
    zone = np.ones(km.shape, dtype=np.int8)
    for edge in ZONE_KM.tolist():
        zone += km > edge
    out: IntArray = np.where(same_province, np.int8(0), zone)
    return out


@dataclass(frozen=True, slots=True)
class Checked:
    """Every pair's hard-constraint reasons (bitmask), which lines it stocks, its stock depth."""

    reasons: IntArray
    line_ok: IntArray  # bit j: line j is fully stocked here
    depth: FloatArray


def _of(o: IntArray | None) -> Callable[[IntArray], Any]:
    """Per-pair view of a per-order array; with ``o`` None every pair belongs to order 0 and
    the value stays a scalar, which broadcasts to the same numbers with far fewer calls."""
    if o is None:
        return lambda arr: arr[0]
    return lambda arr: arr[o]


def site_reasons(ctx: RoutingContext, need: IntArray, prov: IntArray, carriers_ok: IntArray) -> IntArray:
    """(orders × every warehouse) the reasons that depend on nothing but the order's goods
    flags, province and carriers and the warehouse: outage, capability, service area (and
    a carrier on the lane), capacity. Checks that cannot fail anywhere today are skipped."""
    net = ctx.network
    out: IntArray = np.zeros((need.size, net.n_warehouses), dtype=np.int64)
    down = ~net.w_active | ctx.outage
    if down.any():
        out |= np.where(down, int(Reason.OUTAGE), 0)[None, :]
    if need.any():
        out |= np.where((need[:, None] & ~net.w_caps[None, :]) != 0, int(Reason.CAPABILITY), 0)
    p = prov[:, None]
    in_area = (p >= 0) & (((net.w_service[None, :] >> np.maximum(p, 0)) & 1) == 1)
    lane = (net.p_carriers[net.w_province][None, :] & carriers_ok[:, None]) != 0
    out |= np.where(in_area & lane, 0, int(Reason.SERVICE_AREA))
    full = ctx.capacity_left <= 0
    if full.any():
        out |= np.where(full, int(Reason.CAPACITY), 0)[None, :]
    return out


def _kinds(enc: Encoded) -> tuple[tuple[IntArray, IntArray, IntArray], IntArray]:
    """The distinct (flags, province, carriers) of a wave's orders, and each order's kind."""
    carriers, by_carriers = np.unique(enc.carriers_ok, return_inverse=True)
    # Flags take 3 bits and provinces (+1 for "unknown") at most 63 values: one small key.
    key = (by_carriers.reshape(-1) * 8 + enc.need_bits) * 64 + enc.province + 1
    keys, kind = np.unique(key, return_inverse=True)
    province = keys % 64 - 1
    need = keys // 64 % 8
    ok = carriers[keys // 512]
    return (need, province, ok), kind.reshape(-1)


def constraints(
    enc: Encoded, ctx: RoutingContext, o: IntArray | None, w: IntArray, excluded: dict[int, frozenset[int]]
) -> Checked:
    """All hard constraints but the cut-off (which needs the lane, see ``objectives``)."""
    net, of = ctx.network, _of(o)
    # Every warehouse of one order: plain views instead of gathers.
    at: IntArray | slice = slice(None) if o is None and w.size == net.n_warehouses else w
    if o is None:
        reasons: IntArray = site_reasons(ctx, enc.need_bits, enc.province, enc.carriers_ok)[0][at]
    else:
        # Orders with the same goods flags, destination province and carriers have the same
        # site reasons: a table of those kinds × warehouses, then one gather per pair.
        kinds, kind = _kinds(enc)
        table = site_reasons(ctx, *kinds).reshape(-1)
        reasons = table[kind[o] * net.n_warehouses + w]
    if excluded:
        # One (order × warehouse) mask and one gather: a pass over every pair per excluding
        # order grew with the square of the wave (10,000 orders each excluding a warehouse: 10 s).
        mask = np.zeros((max(excluded) + 1, net.n_warehouses), dtype=bool)
        for k, ws in excluded.items():
            mask[k, list(ws)] = True
        if o is None:
            hit = mask[0, w] if 0 in excluded else np.zeros(w.size, dtype=bool)
        else:
            inside = o < mask.shape[0]
            hit = np.zeros(w.size, dtype=bool)
            hit[inside] = mask[o[inside], w[inside]]
        reasons |= np.where(hit, int(Reason.RULE_EXCLUDED), 0)
    velocity = ctx.stock.velocity
    # Depth = max over lines of velocity / (units left + 1). With one velocity for every SKU
    # (the default) that is velocity / the fewest units left, found in integers with one
    # division at the end: the same float, since division is monotone and correctly rounded.
    uniform = velocity.size == 0 or bool((velocity == velocity[0]).all())
    if o is None:
        line_ok, worst = _stock_dense(enc, ctx, at, uniform)
    else:
        line_ok, worst = _stock_sparse(enc, ctx, o, w, uniform)
    v0 = float(velocity[0]) if velocity.size else 1.0
    depth: FloatArray = (v0 / worst if uniform else worst).astype(np.float64, copy=False)
    n_lines = of(enc.n_lines)
    reasons |= np.where(line_ok == (1 << n_lines) - 1, 0, int(Reason.STOCK))
    return Checked(reasons, line_ok, depth)


def _stock_dense(
    enc: Encoded, ctx: RoutingContext, at: IntArray | slice, uniform: bool
) -> tuple[IntArray, FloatArray | IntArray]:
    """One order's lines × its warehouses at once: (lines fully stocked as bits, depth —
    or, when ``uniform``, the fewest units left + 1, for the caller to divide)."""
    k = max(int(enc.n_lines[0]), 1)  # an order without lines still has its padding slot
    skus, qty = enc.sku[0, :k], enc.qty[0, :k, None]
    have = ctx.stock.atp[skus][:, at]
    line_ok: IntArray = ((have >= qty).astype(np.int64) << np.arange(k)[:, None]).sum(axis=0)
    left = np.maximum(have - qty + 1, 1)
    if uniform:
        return line_ok, left.min(axis=0)
    return line_ok, (ctx.stock.velocity[skus][:, None] / left).max(axis=0)


def _stock_sparse(
    enc: Encoded, ctx: RoutingContext, o: IntArray, w: IntArray, uniform: bool
) -> tuple[IntArray, FloatArray | IntArray]:
    """``_stock_dense`` over (order, warehouse) pairs, line slot by line slot."""
    atp, velocity = ctx.stock.atp, ctx.stock.velocity
    n_w = atp.shape[1]
    flat = atp.reshape(-1)  # one flat gather is about twice as fast as ``atp[s, w]``
    sku0, q = enc.sku_t[0][o], enc.qty_t[0][o]
    have = flat[sku0 * n_w + w]
    line_ok: IntArray = (have >= q).astype(np.int64)
    left = np.maximum(have - q + 1, 1)
    depth = left if uniform else velocity[sku0] / left
    n_lines = enc.n_lines[o]
    # Line slot j exists only for orders with more than j lines, so each slot touches fewer pairs.
    for j in range(1, enc.sku.shape[1]):
        idx = np.flatnonzero(n_lines > j)
        oj = o[idx]
        s, q = enc.sku_t[j][oj], enc.qty_t[j][oj]
        have = flat[s * n_w + w[idx]]
        line_ok[idx] |= (have >= q).astype(np.int64) << j
        left = np.maximum(have - q + 1, 1)
        depth[idx] = np.minimum(depth[idx], left) if uniform else np.maximum(depth[idx], velocity[s] / left)
    return line_ok, depth


def objectives(
    enc: Encoded,
    ctx: RoutingContext,
    o: IntArray | None,
    w: IntArray,
    depth: FloatArray,
    depart: IntArray,
    *,
    priced: bool = True,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """(raw objectives, 7 × pairs in ``OBJECTIVES`` order; great-circle km; misses its deadline).

    ``priced``: add the capacity shadow prices to the cost (the router); the optimiser
    asks for the bare shipping cost, since the prices are what it computes."""
    net, of = ctx.network, _of(o)
    km = enc.km[of(enc.dest), w] if o is None else enc.km.reshape(-1)[enc.dest[o] * enc.km.shape[1] + w]
    wait_h = ((depart - ctx.now_ns) / HOUR_NS)[w]
    late = np.zeros(w.size, dtype=bool)
    if (enc.deadline_ns >= 0).any():
        deadline = of(enc.deadline_ns)
        arrive = depart[w] + (lane_hours(net, of(enc.fast), km) * HOUR_NS).astype(np.int64)
        late = (deadline >= 0) & (arrive > deadline)
    cheap = of(enc.cheap)
    # Cheap carriers are usually trucking networks: then no pair needs the air formulas.
    road_only = not np.isfinite(net.c_air_from_km[enc.cheap]).any()
    zone = zone_of(km, net.w_province[w] == of(enc.province))
    cost = of(enc.rate_fen) * ZONE_PCT[zone] // 100
    if priced and ctx.capacity_price.any():
        # The optimiser's shadow price of a warehouse's capacity is a cost of using it (whole fen).
        cost = cost + np.rint(ctx.capacity_price).astype(np.int64)[w]
    # Objective-major: each objective one contiguous run, as ``select.choose`` scans them.
    raw = np.empty((7, w.size), dtype=np.float64)
    raw[0] = wait_h + lane_hours(net, cheap, km, road_only=road_only)
    raw[1] = cost
    raw[2] = carbon_g(net, cheap, km, of(enc.weight_g), road_only=road_only)
    raw[3] = (1.0 - ctx.capacity_left / np.maximum(net.w_capacity, 1))[w]
    raw[4] = depth
    raw[5] = ctx.w_risk[w] if ctx.w_risk.any() else 0.0
    raw[6] = net.w_class[w]
    return raw, km, late
