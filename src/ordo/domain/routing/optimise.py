"""The batch optimiser: a wave's minimum-cost assignment under capacity, and its shadow prices.

Owns one OR-Tools min-cost-flow model per wave and the duals read off its optimum.
The only module of the domain that imports a solver (imported when called, so the
real-time router never loads it); it is pure computation all the same: no I/O, no
clock, and it never changes the context it is given.

    source ─► carrier c (capacity: parcels c may still take) ─► order o (1)
           └► "unserved" ───────────────── penalty per order ─────────────┐
    order o ─► warehouse w (cost: shipping fen, only if o passes every hard
               constraint at w at the wave's start) ─► sink (capacity left at w) ◄┘

Each order rides its cheapest eligible carrier (as the router's objectives assume).
Stock is checked order by order against the wave's start, not coupled between orders
— two orders after the last units of one SKU at one warehouse are a multi-commodity
problem a flow cannot state; the router's ``reserve`` settles those.

Shadow price of warehouse w's capacity: what one more parcel slot at w would save,
the negated shortest residual path sink → w at the optimum (Bellman-Ford, vectorised:
the residual graph has no negative cycle there). Set them as
``RoutingContext.capacity_price`` and the real-time score pays for scarce capacity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ordo.domain.routing.context import RouteRequest, RoutingContext
from ordo.domain.routing.encode import encode
from ordo.domain.routing.kernel import constraints, objectives
from ordo.domain.routing.network import FloatArray, IntArray, departure_ns
from ordo.domain.routing.plan import Plan
from ordo.domain.routing.router import candidate_pairs, excluded_indices

#: What leaving an order unserved costs in the model (fen): more than any lane.
UNSERVED_PENALTY_FEN = 100_000


@dataclass(frozen=True, slots=True)
class WaveOptimum:
    #: Warehouse id per order (None: unserved), in request order.
    assignment: tuple[str | None, ...]
    cost_fen: int  # shipping cost of the served orders
    unserved: int
    #: Shadow price of one more parcel slot per warehouse (fen), network order.
    capacity_price_fen: FloatArray


@dataclass(frozen=True, slots=True)
class Gap:
    greedy_cost_fen: int
    optimal_cost_fen: int
    greedy_unserved: int
    optimal_unserved: int

    @property
    def ratio(self) -> float:
        """(greedy − optimal) / optimal over the model's cost, penalties for unserved orders included."""
        g = self.greedy_cost_fen + self.greedy_unserved * UNSERVED_PENALTY_FEN
        o = self.optimal_cost_fen + self.optimal_unserved * UNSERVED_PENALTY_FEN
        return (g - o) / o if o else 0.0


@dataclass(frozen=True, slots=True)
class _Arcs:
    order: IntArray  # per order-warehouse arc: the order
    warehouse: IntArray
    cost: IntArray


def _eligible(requests: Sequence[RouteRequest], ctx: RoutingContext) -> tuple[_Arcs, IntArray]:
    """Every (order, warehouse) pair passing all hard constraints, its cost; each order's carrier."""
    enc = encode(requests, ctx)
    o, w = candidate_pairs(enc, ctx)
    checked = constraints(enc, ctx, o, w, excluded_indices(requests, ctx))
    ok = np.flatnonzero(checked.reasons == 0)
    raw, _, late = objectives(
        enc, ctx, o[ok], w[ok], checked.depth[ok], departure_ns(ctx.network, ctx.now_ns)
    )
    keep = ~late
    return _Arcs(o[ok][keep], w[ok][keep], raw[1][keep].astype(np.int64)), enc.cheap


def optimise_wave(requests: Sequence[RouteRequest], ctx: RoutingContext) -> WaveOptimum:
    from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

    net = ctx.network
    arcs, carrier = _eligible(requests, ctx)
    n_o, n_w, n_c = len(requests), net.n_warehouses, len(net.carriers)
    # Nodes: source, unserved, carriers, orders, warehouses, sink.
    src, uns = 0, 1
    c0, o0 = 2, 2 + n_c
    w0 = o0 + n_o
    sink = w0 + n_w
    served = np.flatnonzero(carrier >= 0)
    tails = np.concatenate(
        [
            np.full(n_c, src),
            [src],
            c0 + carrier[served],
            o0 + arcs.order,
            w0 + np.arange(n_w),
            [uns],
        ]
    )
    heads = np.concatenate(
        [c0 + np.arange(n_c), [uns], o0 + served, w0 + arcs.warehouse, np.full(n_w, sink), [sink]]
    )
    caps = np.concatenate(
        [
            np.minimum(ctx.carrier_left, n_o),
            [n_o],
            np.ones(served.size, dtype=np.int64),
            np.ones(arcs.order.size, dtype=np.int64),
            np.clip(ctx.capacity_left, 0, n_o),
            [n_o],
        ]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            np.zeros(n_c + 1 + served.size, dtype=np.int64),
            arcs.cost,
            np.zeros(n_w, dtype=np.int64),
            [UNSERVED_PENALTY_FEN],
        ]
    ).astype(np.int64)
    mcf = min_cost_flow.SimpleMinCostFlow()
    ids = mcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int64), heads.astype(np.int64), caps, costs
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[src], supplies[sink] = n_o, -n_o
    mcf.set_nodes_supplies(np.arange(sink + 1), supplies)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    flow = mcf.flows(ids)
    first = n_c + 1 + served.size
    used = flow[first : first + arcs.order.size] > 0
    assignment: list[str | None] = [None] * n_o
    for k, wi in zip(arcs.order[used].tolist(), arcs.warehouse[used].tolist(), strict=True):
        assignment[k] = net.warehouses[wi].id
    prices = _shadow_prices(tails, heads, caps, costs, flow, sink, w0, n_w)
    return WaveOptimum(
        assignment=tuple(assignment),
        cost_fen=int(arcs.cost[used].sum()),
        unserved=int(n_o - used.sum()),
        capacity_price_fen=prices,
    )


def _shadow_prices(
    tails: IntArray,
    heads: IntArray,
    caps: IntArray,
    costs: IntArray,
    flow: IntArray,
    sink: int,
    w0: int,
    n_w: int,
) -> FloatArray:
    """max(0, −shortest residual path sink → w) for every warehouse node."""
    fwd = flow < caps
    back = flow > 0
    r_tail = np.concatenate([tails[fwd], heads[back]])
    r_head = np.concatenate([heads[fwd], tails[back]])
    r_cost = np.concatenate([costs[fwd], -costs[back]]).astype(np.float64)
    dist = np.full(sink + 1, np.inf)
    dist[sink] = 0.0
    # Bellman-Ford, all arcs at once per round; at an optimum there is no negative cycle,
    # so it settles within as many rounds as the longest shortest path has arcs.
    for _ in range(sink + 1):
        cand = dist[r_tail] + r_cost
        new = dist.copy()
        np.minimum.at(new, r_head, cand)
        if np.array_equal(new, dist):
            break
        dist = new
    d = dist[w0 : w0 + n_w]
    out: FloatArray = np.where(np.isfinite(d), np.maximum(0.0, -d), 0.0)
    return out


def greedy_gap(
    plans: Sequence[Plan], optimum: WaveOptimum, requests: Sequence[RouteRequest], ctx: RoutingContext
) -> Gap:
    """The greedy router's plans against the optimum, priced by the optimiser's own costs.

    ``ctx`` must be the wave's starting state (route a copy, price against the original);
    split or re-routed plans are priced at their first parcel's warehouse when that pair
    is in the model, and count as unserved otherwise.
    """
    arcs, _ = _eligible(requests, ctx)
    price = {(int(o), int(w)): int(c) for o, w, c in zip(arcs.order, arcs.warehouse, arcs.cost, strict=True)}
    index = ctx.network.w_index
    cost = unserved = 0
    for k, p in enumerate(plans):
        c = price.get((k, index[p.warehouse_id])) if p.warehouse_id is not None else None
        if c is None:
            unserved += 1
        else:
            cost += c
    return Gap(cost, optimum.cost_fen, unserved, optimum.unserved)
