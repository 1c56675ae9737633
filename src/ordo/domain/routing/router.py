"""The router: a wave of orders in, one plan per order out, stock and capacity reserved.

Owns the order of work, not the arithmetic (``kernel``, ``select``, ``carriers``):

1. Encode the wave as arrays; list candidate pairs sparsely — for each order only the
   warehouses holding its scarcest SKU, since every other one fails the stock test.
2. Check every hard constraint over all pairs at once; compute the objectives of the
   survivors; pick each order's best warehouse and its carrier, all vectorised.
3. Reserve the first choices at once (``reserve``: running totals per SKU × warehouse,
   warehouse and carrier, in wave order). The wave was scored against the state at its
   start, so an order whose choice an earlier order of the wave used up, an order that
   needs a split and an unroutable one are then routed again alone, in wave order,
   against what is left — the single-order path, dense over every warehouse. A wave
   therefore never promises the same unit, parcel slot or carrier slot twice.

Pure: the caller passes the context in and reads the reservations back from it; no
I/O, no clock, no process-wide state (the service pauses the cyclic garbage collector
around a wave: ``ordo.service.runtime.collector``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ordo.domain.orders.model import Carrier, Warehouse
from ordo.domain.routing.carriers import CarrierChoices, choose_carrier_one, choose_carriers
from ordo.domain.routing.context import RouteRequest, RoutingContext, StockMatrix, split_allowed
from ordo.domain.routing.encode import Encoded, encode
from ordo.domain.routing.kernel import Reason, constraints, objectives
from ordo.domain.routing.network import BoolArray, FloatArray, IntArray
from ordo.domain.routing.plan import Parcel, Plan, PlanStatus, routed_plan
from ordo.domain.routing.quantity import split_units
from ordo.domain.routing.select import choose, fewest_parcels
from ordo.domain.routing.snapshot import Evidence, Recorder, WaveEvidence

_STOCK = int(Reason.STOCK)
_CUTOFF = int(Reason.CUTOFF)


def route(requests: Sequence[RouteRequest], ctx: RoutingContext) -> list[Plan]:
    """Route a wave in order; reserves in ``ctx`` what each plan promises."""
    if not requests:
        return []
    _one_row_at_least(ctx)
    net = ctx.network
    enc = encode(requests, ctx)
    depart = ctx.departures()
    o, w = candidate_pairs(enc, ctx)
    checked = constraints(enc, ctx, o, w, excluded_indices(requests, ctx))
    reasons = checked.reasons
    ok = np.flatnonzero(reasons == 0)
    raw, km, late = objectives(enc, ctx, o[ok], w[ok], checked.depth[ok], depart)
    reasons[ok[late]] |= _CUTOFF
    elig = ok
    if late.any():  # a 7-row copy of every pair is worth skipping when no deadline bites
        keep = ~late
        elig, raw, km = ok[keep], raw[:, keep], km[keep]
    rec = Recorder(ctx, requests)
    plans: list[Plan | None] = [None] * len(requests)
    if elig.size:
        eo = o[elig]
        starts = np.flatnonzero(np.r_[True, eo[1:] != eo[:-1]])
        orders = eo[starts]
        scored = choose(starts, raw, enc.weights[orders], w[elig] == enc.prefer[eo])
        win_w = w[elig[scored.best]]
        choice = _carriers(enc, ctx, orders, win_w, km[scored.best], depart)
        rec.wave = WaveEvidence(o, w, reasons, checked.line_ok, elig, raw, scored)
        held = reserve(enc, ctx, orders, win_w, choice.carrier)
        w_ids, c_ids = _ids(net.warehouses), _ids(net.carriers)
        cols = zip(
            orders[held].tolist(),
            win_w[held].tolist(),
            choice.carrier[held].tolist(),
            choice.cost_fen[held].tolist(),
            choice.promise_ns[held].tolist(),
            choice.carbon_g[held].tolist(),
            km[scored.best][held].tolist(),
            strict=True,
        )
        for k, wi, c, fen, promise, co2, dist in cols:
            req = requests[k]
            plans[k] = routed_plan(
                req.order_id, w_ids[wi], req.lines, c_ids[c], fen, promise, co2, dist, rec, -k - 1
            )
    # Orders nothing can ship even in parts: one line and no eligible warehouse, or no
    # carrier for the destination and goods at all. Stock and capacity only shrink, so a
    # second look cannot help; their reasons are checked against every warehouse in one pass.
    hopeless = np.ones(len(requests), dtype=bool)
    hopeless[o[elig]] = False
    hopeless &= (enc.n_lines == 1) | (enc.carriers_ok == 0) | (enc.province < 0)
    if hopeless.any() and ctx.split_rules.quantity_split:
        _units_may_help(requests, enc, ctx, hopeless, o[reasons == _STOCK], w[reasons == _STOCK])
    if hopeless.any():
        _hold(rec, requests, enc, ctx, np.flatnonzero(hopeless), plans)
    # The rest, in wave order, against what the wave left: splits, and orders whose first
    # choice an earlier order of the wave took.
    for k in [k for k, p in enumerate(plans) if p is None]:
        plans[k] = route_one(requests[k], ctx, rec)
    return plans  # type: ignore[return-value]  # every entry is set now


def _one_row_at_least(ctx: RoutingContext) -> None:
    """Unknown SKUs are encoded as row 0 asking for more units than exist; a call none of
    whose SKUs has a stock row anywhere (a new product) gets one empty row to point at."""
    if ctx.stock.atp.shape[0] == 0:
        ctx.stock = StockMatrix([""], ctx.network.n_warehouses)


def _units_may_help(
    requests: Sequence[RouteRequest],
    enc: Encoded,
    ctx: RoutingContext,
    hopeless: BoolArray,
    o: IntArray,
    w: IntArray,
) -> None:
    """Clear ``hopeless`` for the one-line orders that two or more of their pairs (``o``, ``w``:
    those that failed for stock alone) hold enough units for between them (what the wave
    left), when their policy lets them split: a quantity split may ship them."""
    one = hopeless & (enc.n_lines == 1) & (enc.carriers_ok != 0) & (enc.province >= 0)
    mine = one[o]
    o, w = o[mine], w[mine]
    if not o.size:
        return
    n = len(requests)
    units = ctx.stock.atp[enc.sku[o, 0], w]
    sites = np.bincount(o, weights=units > 0, minlength=n)
    total = np.bincount(o, weights=units, minlength=n)
    for k in np.flatnonzero((sites >= 2) & (total >= enc.qty[:, 0])).tolist():
        if split_allowed(requests[k], ctx.split_rules):
            hopeless[k] = False


def _hold(
    rec: Recorder,
    requests: Sequence[RouteRequest],
    enc: Encoded,
    ctx: RoutingContext,
    held: IntArray,
    plans: list[Plan | None],
) -> None:
    n_w = ctx.network.n_warehouses
    o = np.repeat(held, n_w)
    w = np.tile(np.arange(n_w, dtype=np.int64), held.size)
    mine = set(held.tolist())
    rules = {k: v for k, v in excluded_indices(requests, ctx).items() if k in mine}
    checked = constraints(enc, ctx, o, w, rules)
    none = np.zeros(0, dtype=np.int64)
    empty = np.zeros((7, 0), dtype=np.float64)
    for n, k in enumerate(held.tolist()):
        rows = slice(n * n_w, (n + 1) * n_w)
        ev = Evidence(
            w[rows], checked.reasons[rows], checked.line_ok[rows], none, empty, None, None, "none", "wave"
        )
        plans[k] = _plan(rec, requests[k], ctx, PlanStatus.UNROUTABLE, (), "no_candidate", ev)


def reserve(enc: Encoded, ctx: RoutingContext, orders: IntArray, ws: IntArray, cs: IntArray) -> BoolArray:
    """Reserve the wave's first choices that still hold, all at once; True where reserved.

    A choice holds when its carrier exists and, counting every earlier order of the wave
    that chose the same (SKU, warehouse), warehouse or carrier, the stock, parcel
    capacity and carrier capacity still suffice. Earlier choices count even when they
    themselves fail, so this can only be stricter than committing one by one: an order
    it turns down is routed again alone, never over-promised.
    """
    n_w = ctx.network.n_warehouses
    n_lines = enc.n_lines[orders]
    slot = np.arange(enc.sku.shape[1])[None, :] < n_lines[:, None]
    sku, qty = enc.sku[orders][slot], enc.qty[orders][slot]
    line_of = np.repeat(np.arange(orders.size), n_lines)
    key = sku * n_w + ws[line_of]
    atp = ctx.stock.atp.reshape(-1)
    stock_ok = _running_total(key, qty) <= atp[key]
    bad = np.bincount(line_of[~stock_ok], minlength=orders.size) > 0
    cap_ok = _running_total(ws, np.ones_like(ws)) <= ctx.capacity_left[ws]
    c = np.maximum(cs, 0)
    car_ok = (cs >= 0) & (_running_total(c, np.ones_like(c)) <= ctx.carrier_left[c])
    held: BoolArray = ~bad & cap_ok & car_ok
    lines_held = held[line_of]
    np.subtract.at(atp, key[lines_held], qty[lines_held])
    np.subtract.at(ctx.capacity_left, ws[held], 1)
    np.subtract.at(ctx.carrier_left, cs[held], 1)
    return held


def _running_total(key: IntArray, amount: IntArray) -> IntArray:
    """For each row, the sum of ``amount`` over the rows up to it (inclusive) with the same key."""
    order = np.argsort(key, kind="stable")
    k, a = key[order], amount[order]
    total = np.cumsum(a)
    start = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    base = np.repeat(total[start] - a[start], np.diff(np.append(start, k.size)))
    out = np.empty_like(total)
    out[order] = total - base
    return out


def route_one(req: RouteRequest, ctx: RoutingContext, rec: Recorder | None = None) -> Plan:
    """One order, dense over every warehouse, against the context as it is now."""
    net = ctx.network
    rec = rec or Recorder(ctx)
    _one_row_at_least(ctx)
    enc = encode([req], ctx)
    depart = ctx.departures()
    n_w = net.n_warehouses
    w = np.arange(n_w, dtype=np.int64)
    checked = constraints(enc, ctx, None, w, excluded_indices([req], ctx))
    reasons, line_ok = checked.reasons, checked.line_ok
    # Objectives for every warehouse that fails nothing but stock: a split may use it.
    pre = np.flatnonzero((reasons & ~_STOCK) == 0)
    raw, km, late = objectives(enc, ctx, None, w[pre], checked.depth[pre], depart)
    reasons[pre[late]] |= _CUTOFF
    pre, raw, km = pre[~late], raw[:, ~late], km[~late]
    whole = reasons[pre] == 0
    weights = enc.weights
    preferred = pre == enc.prefer[0]
    zero = np.zeros(1, dtype=np.int64)
    if whole.any():
        sc = choose(zero, raw[:, whole], weights, preferred[whole])
        ev = Evidence(
            w,
            reasons,
            line_ok,
            pre[whole],
            raw[:, whole],
            sc.norm(raw[:, whole], 0),
            sc.score,
            "single",
            "single",
        )
        pick = int(sc.best[0])
        return _commit(rec, req, ctx, enc, [int(pre[whole][pick])], [float(km[whole][pick])], depart, ev)
    part = line_ok[pre] != 0
    lines_ev: Evidence | None = None
    if part.any() and len(req.lines) >= 2:
        cand, c_raw, c_km = pre[part], raw[:, part], km[part]
        sc = choose(zero, c_raw, weights, preferred[part])
        lines_ev = Evidence(w, reasons, line_ok, cand, c_raw, sc.norm(c_raw, 0), sc.score, "split", "single")
        if not split_allowed(req, ctx.split_rules):
            return _plan(rec, req, ctx, PlanStatus.UNROUTABLE, (), "split_forbidden", lines_ev)
        scores = sc.score.tolist()
        chosen = fewest_parcels(line_ok[cand].tolist(), scores, len(req.lines), ctx.split_rules.max_parcels)
        if chosen is not None:
            chosen.sort(key=lambda i: (scores[i], i))
            ws, kms = [int(cand[i]) for i in chosen], [float(c_km[i]) for i in chosen]
            return _commit(rec, req, ctx, enc, ws, kms, depart, lines_ev)
    # No warehouse, nor any set of them line by line, ships every unit: split a line's units.
    if ctx.split_rules.quantity_split and split_allowed(req, ctx.split_rules):
        done = _split_units(rec, req, ctx, enc, (w, reasons, line_ok, pre, raw, km, preferred), depart)
        if done is not None:
            return done
    if lines_ev is None:
        lines_ev = Evidence(w, reasons, line_ok, pre[:0], raw[:, :0], None, None, "none", "single")
    return _plan(rec, req, ctx, PlanStatus.UNROUTABLE, (), "no_candidate", lines_ev)


def _split_units(
    rec: Recorder,
    req: RouteRequest,
    ctx: RoutingContext,
    enc: Encoded,
    dense: tuple[IntArray, IntArray, IntArray, IntArray, FloatArray, FloatArray, BoolArray],
    depart: IntArray,
) -> Plan | None:
    """A quantity split over the warehouses that fail nothing but stock and hold some unit
    (``quantity.split_units``); None when none exists within the policy."""
    w, reasons, line_ok, pre, raw, km, preferred = dense
    n_lines = len(req.lines)
    holds = ctx.stock.atp[enc.sku[0, :n_lines]][:, pre].T  # (pre rows, lines)
    # The encoded units: a SKU no warehouse knows points at row 0 and asks for more than exists.
    need = enc.qty[0, :n_lines].tolist()
    some = (holds > 0).any(axis=1)
    if int(some.sum()) < 2 or (holds.sum(axis=0) < np.array(need)).any():
        return None
    cand, c_raw, c_km, c_holds = pre[some], raw[:, some], km[some], holds[some]
    sc = choose(np.zeros(1, dtype=np.int64), c_raw, enc.weights, preferred[some])
    rules = ctx.split_rules
    found = split_units(c_holds.tolist(), sc.score.tolist(), need, rules.max_parcels, rules.min_units)
    if found is None:
        return None
    ev = Evidence(
        w, reasons, line_ok, cand, c_raw, sc.norm(c_raw, 0), sc.score, "units", "single", c_holds.copy()
    )
    ws = [int(cand[i]) for i in found.picks]
    return _commit(rec, req, ctx, enc, ws, [float(c_km[i]) for i in found.picks], depart, ev, found.units)


def assign_lines(line_ok: Sequence[int], n_lines: int) -> list[list[int]]:
    """Each line goes to the first parcel (best score first) that can ship it in full."""
    out: list[list[int]] = [[] for _ in line_ok]
    for j in range(n_lines):
        for p, cover in enumerate(line_ok):
            if cover >> j & 1:
                out[p].append(j)
                break
    return out


def _commit(
    rec: Recorder,
    req: RouteRequest,
    ctx: RoutingContext,
    enc: Encoded,
    ws: list[int],
    kms: list[float],
    depart: IntArray,
    ev: Evidence,
    units: Sequence[Sequence[int]] | None = None,
) -> Plan:
    """Reserve and build the plan of parcels from ``ws``: each line whole from the first
    parcel that stocks it, or, with ``units``, each parcel's units of each line."""
    net = ctx.network
    n_lines = len(req.lines)
    if units is None:
        line_ok = [int(ev.line_ok[int(np.flatnonzero(ev.w == w)[0])]) for w in ws] if len(ws) > 1 else []
        units = (
            [[q for _, q in req.lines]]
            if len(ws) == 1
            else [
                [req.lines[j][1] if j in part else 0 for j in range(n_lines)]
                for part in (set(p) for p in assign_lines(line_ok, n_lines))
            ]
        )
    total = sum(q for _, q in req.lines) or 1
    wv = np.array(ws, dtype=np.int64)
    weight = np.array([req.weight_g * sum(u) // total for u in units], dtype=np.int64)
    cw = tuple(enc.carrier_weights[0].tolist())
    forced = int(enc.forced[0])
    if len(ws) == 1:
        choice = choose_carrier_one(
            net,
            w=ws[0],
            province=int(enc.province[0]),
            carriers_ok=int(enc.carriers_ok[0]),
            carrier_left=ctx.carrier_left,
            weight_g=int(weight[0]),
            km=kms[0],
            depart_ns=int(depart[ws[0]]),
            deadline_ns=int(enc.deadline_ns[0]),
            weights=cw,
            forced=forced,
            risk=_carrier_risk(ctx).tolist(),
        )
    else:
        one = np.zeros(len(ws), dtype=np.int64)
        choice = choose_carriers(
            net,
            w=wv,
            province=enc.province[one],
            carriers_ok=enc.carriers_ok[one],
            carrier_left=ctx.carrier_left,
            weight_g=weight,
            km=np.array(kms, dtype=np.float64),
            depart_ns=depart[wv],
            deadline_ns=enc.deadline_ns[one],
            weights=np.array([cw] * len(ws)),
            forced=np.full(len(ws), forced, dtype=np.int64),
            risk=_carrier_risk(ctx),
        )
    if (choice.carrier < 0).any():
        return _plan(rec, req, ctx, PlanStatus.UNROUTABLE, (), "no_carrier", ev)
    parcels = []
    for n, (wi, mine) in enumerate(zip(ws, units, strict=True)):
        c = int(choice.carrier[n])
        for j, q in enumerate(mine):
            ctx.stock.atp[int(enc.sku[0, j]), wi] -= q
        ctx.capacity_left[wi] -= 1
        ctx.carrier_left[c] -= 1
        parcels.append(
            Parcel(
                net.warehouses[wi].id,
                tuple((req.lines[j][0], q) for j, q in enumerate(mine) if q),
                net.carriers[c].id,
                int(choice.cost_fen[n]),
                int(choice.promise_ns[n]),
                float(choice.carbon_g[n]),
                kms[n],
            )
        )
    status = PlanStatus.ROUTED if len(parcels) == 1 else PlanStatus.SPLIT
    return _plan(rec, req, ctx, status, tuple(parcels), None, ev)


def _plan(
    rec: Recorder,
    req: RouteRequest,
    ctx: RoutingContext,
    status: PlanStatus,
    parcels: tuple[Parcel, ...],
    reason: str | None,
    ev: Evidence,
) -> Plan:
    return Plan(req.order_id, status, parcels, reason, rec, rec.add(req, ev))


def candidate_pairs(enc: Encoded, ctx: RoutingContext) -> tuple[IntArray, IntArray]:
    """(order, warehouse) pairs worth checking, in order then warehouse order: the holders
    of each order's scarcest SKU (an order with an unknown SKU gets none)."""
    held = ctx.stock.atp > 0
    counts = held.sum(axis=1)
    slots = np.arange(enc.sku.shape[1])[None, :] < enc.n_lines[:, None]
    n_hold = np.where(slots, counts[enc.sku], np.iinfo(np.int64).max)
    n_hold = np.where(enc.qty >= 1 << 40, 0, n_hold)
    slot = np.argmin(n_hold, axis=1)
    rows = np.arange(enc.sku.shape[0])
    scarce = enc.sku[rows, slot]
    length = np.where(n_hold[rows, slot] > 0, counts[scarce], 0)
    _, cols = np.nonzero(held)
    indptr = np.zeros(held.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    o = np.repeat(rows.astype(np.int64), length)
    offset = np.arange(o.size, dtype=np.int64) - np.repeat(np.cumsum(length) - length, length)
    w = cols[np.repeat(indptr[scarce], length) + offset].astype(np.int64)
    return o, w


def _ids(items: Sequence[Warehouse] | Sequence[Carrier]) -> list[str]:
    return [x.id for x in items]


def excluded_indices(requests: Sequence[RouteRequest], ctx: RoutingContext) -> dict[int, frozenset[int]]:
    idx = ctx.network.w_index
    return {
        k: frozenset(idx[x] for x in r.directives.exclude if x in idx)
        for k, r in enumerate(requests)
        if r.directives.exclude
    }


def _carrier_risk(ctx: RoutingContext) -> FloatArray:
    return np.array([ctx.carrier_risk.get(c.id, 0.0) for c in ctx.network.carriers], dtype=np.float64)


def _carriers(
    enc: Encoded,
    ctx: RoutingContext,
    orders: IntArray,
    ws: IntArray,
    km: FloatArray,
    depart: IntArray,
) -> CarrierChoices:
    return choose_carriers(
        ctx.network,
        w=ws,
        province=enc.province[orders],
        carriers_ok=enc.carriers_ok[orders],
        carrier_left=ctx.carrier_left,
        weight_g=enc.weight_g[orders],
        km=km,
        depart_ns=depart[ws],
        deadline_ns=enc.deadline_ns[orders],
        weights=enc.carrier_weights[orders],
        forced=enc.forced[orders],
        risk=_carrier_risk(ctx),
    )
