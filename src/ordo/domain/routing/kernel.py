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


def lane_hours(net: Network, c: IntArray, km: FloatArray) -> FloatArray:
    """Door-to-door hours of carrier c over a great-circle distance (flies long lanes if it can)."""
    fixed, road, air = net.c_fixed_h[c], net.c_road_kmph[c], net.c_air_kmph[c]
    flies = km >= net.c_air_from_km[c]
    out: FloatArray = fixed + np.where(flies, (km + AIR_UPLIFT_KM) / air, km * ROAD_CIRCUITY / road)
    return out


def carbon_g(net: Network, c: IntArray, km: FloatArray, weight_g: IntArray) -> FloatArray:
    air_from = net.c_air_from_km[c]
    t = weight_g / 1e6
    flown = (km + AIR_UPLIFT_KM) * t * AIR_G_PER_TKM
    trucked = km * ROAD_CIRCUITY * t * ROAD_G_PER_TKM
    out: FloatArray = PARCEL_G + np.where(km >= air_from, flown, trucked)
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


def constraints(
    enc: Encoded, ctx: RoutingContext, o: IntArray | None, w: IntArray, excluded: dict[int, frozenset[int]]
) -> Checked:
    """All hard constraints but the cut-off (which needs the lane, see ``objectives``)."""
    net, of = ctx.network, _of(o)
    # Every warehouse of one order: plain views instead of gathers.
    at: IntArray | slice = slice(None) if o is None and w.size == net.n_warehouses else w
    # Checks that cannot fail anywhere today are skipped: the same answer, fewer passes.
    down = ~net.w_active | ctx.outage
    reasons: IntArray = np.zeros(w.size, dtype=np.int64)
    if down.any():
        reasons |= np.where(down[at], int(Reason.OUTAGE), 0)
    if excluded:
        hit = np.zeros(w.size, dtype=bool)
        for k, ws in excluded.items():
            hit |= ((o == k) if o is not None else k == 0) & np.isin(w, list(ws))
        reasons |= np.where(hit, int(Reason.RULE_EXCLUDED), 0)
    if enc.need_bits.any():
        reasons |= np.where((of(enc.need_bits) & ~net.w_caps[at]) != 0, int(Reason.CAPABILITY), 0)
    prov = of(enc.province)
    in_area = (prov >= 0) & (((net.w_service[at] >> np.maximum(prov, 0)) & 1) == 1)
    lane = (net.p_carriers[net.w_province[at]] & of(enc.carriers_ok)) != 0
    reasons |= np.where(in_area & lane, 0, int(Reason.SERVICE_AREA))
    full = ctx.capacity_left <= 0
    if full.any():
        reasons |= np.where(full[at], int(Reason.CAPACITY), 0)
    atp, velocity = ctx.stock.atp, ctx.stock.velocity
    n_w = atp.shape[1]
    flat = atp.reshape(-1)  # one flat gather is about twice as fast as ``atp[s, w]``
    sku0 = of(enc.sku_t[0])
    have = atp[sku0, at] if o is None else flat[sku0 * n_w + w]
    q = of(enc.qty_t[0])
    line_ok = (have >= q).astype(np.int64)
    depth = velocity[sku0] / np.maximum(have - q + 1, 1)
    n_lines = of(enc.n_lines)
    if o is None:
        for j in range(1, int(n_lines)):
            s, q = enc.sku[0, j], enc.qty[0, j]
            have = atp[s, at]
            line_ok |= (have >= q).astype(np.int64) << j
            depth = np.maximum(depth, velocity[s] / np.maximum(have - q + 1, 1))
    # Line slot j exists only for orders with more than j lines, so each slot touches fewer pairs.
    for j in range(1, enc.sku.shape[1]):
        if o is None:
            break
        idx = np.flatnonzero(n_lines > j)
        oj = o[idx]
        s, q = enc.sku_t[j][oj], enc.qty_t[j][oj]
        have = flat[s * n_w + w[idx]]
        line_ok[idx] |= (have >= q).astype(np.int64) << j
        depth[idx] = np.maximum(depth[idx], velocity[s] / np.maximum(have - q + 1, 1))
    reasons |= np.where(line_ok == (1 << n_lines) - 1, 0, int(Reason.STOCK))
    return Checked(reasons, line_ok, depth)


def objectives(
    enc: Encoded, ctx: RoutingContext, o: IntArray | None, w: IntArray, depth: FloatArray, depart: IntArray
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """(raw objectives, 7 × pairs in ``OBJECTIVES`` order; great-circle km; misses its deadline)."""
    net, of = ctx.network, _of(o)
    km = enc.km[of(enc.dest), w] if o is None else enc.km.reshape(-1)[enc.dest[o] * enc.km.shape[1] + w]
    wait_h = ((depart - ctx.now_ns) / HOUR_NS)[w]
    late = np.zeros(w.size, dtype=bool)
    if (enc.deadline_ns >= 0).any():
        deadline = of(enc.deadline_ns)
        arrive = depart[w] + (lane_hours(net, of(enc.fast), km) * HOUR_NS).astype(np.int64)
        late = (deadline >= 0) & (arrive > deadline)
    cheap = of(enc.cheap)
    zone = np.where(net.w_province[w] == of(enc.province), 0, 1 + np.searchsorted(ZONE_KM, km))
    # The optimiser's shadow price of a warehouse's capacity is a cost of using it (whole fen).
    cost = of(enc.rate_fen) * ZONE_PCT[zone] // 100
    if ctx.capacity_price.any():
        cost = cost + np.rint(ctx.capacity_price).astype(np.int64)[w]
    # Objective-major: each objective one contiguous run, as ``select.choose`` scans them.
    raw = np.empty((7, w.size), dtype=np.float64)
    raw[0] = wait_h + lane_hours(net, cheap, km)
    raw[1] = cost
    raw[2] = carbon_g(net, cheap, km, of(enc.weight_g))
    raw[3] = (1.0 - ctx.capacity_left / np.maximum(net.w_capacity, 1))[w]
    raw[4] = depth
    raw[5] = ctx.w_risk[w] if ctx.w_risk.any() else 0.0
    raw[6] = net.w_class[w]
    return raw, km, late
