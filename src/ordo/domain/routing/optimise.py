"""The batch optimiser: a wave's minimum-cost assignment under capacity, and its shadow prices.

Owns one OR-Tools min-cost-flow model per wave and the duals read off its optimum.
The only module of the domain that imports a solver (imported when called, so the
real-time router never loads it; without the ``ordo[optimise]`` extra the call raises
``ordo.extras.MissingExtra``); it is pure computation all the same: no I/O, no
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
the residual graph has no negative cycle there). ``feedback_prices`` turns them into the
next wave's ``RoutingContext.capacity_price`` (one fen more on each priced warehouse, to
break the ties whole-fen costs make), so the real-time score pays for scarce capacity;
the router then adds them to the cost objective, the optimiser itself never does.
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

#: What leaving an order unserved costs in the model (fen), at least: ten times the wave's
#: dearest lane when that is more, so the optimum serves every order it can (a penalty
#: below some lane would let it drop a heavy parcel to save freight).
UNSERVED_PENALTY_FEN = 100_000


@dataclass(frozen=True, slots=True)
class WaveOptimum:
    #: Warehouse id per order (None: unserved), in request order.
    assignment: tuple[str | None, ...]
    cost_fen: int  # shipping cost of the served orders
    unserved: int
    #: Shadow price of one more parcel slot per warehouse (fen), network order.
    capacity_price_fen: FloatArray
    #: What the model charged per unserved order (fen).
    penalty_fen: int = UNSERVED_PENALTY_FEN


@dataclass(frozen=True, slots=True)
class Gap:
    greedy_cost_fen: int
    optimal_cost_fen: int
    greedy_unserved: int
    optimal_unserved: int
    penalty_fen: int = UNSERVED_PENALTY_FEN
    #: Greedy plans split over several parcels (priced at their parcels' freight).
    greedy_split: int = 0
    #: Freight of the orders both the greedy router and the optimum routed, each's own.
    shared_greedy_fen: int = 0
    shared_optimal_fen: int = 0

    @property
    def ratio(self) -> float:
        """(greedy − optimal) / optimal over the model's cost, penalties for unserved orders included."""
        g = self.greedy_cost_fen + self.greedy_unserved * self.penalty_fen
        o = self.optimal_cost_fen + self.optimal_unserved * self.penalty_fen
        return (g - o) / o if o else 0.0

    @property
    def shared_ratio(self) -> float:
        """(greedy − optimal) / optimal over the freight of the orders both routed: the cost
        gap alone, beside the unrouted counts (which ``ratio`` prices at the penalty)."""
        o = self.shared_optimal_fen
        return (self.shared_greedy_fen - o) / o if o else 0.0


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
        enc, ctx, o[ok], w[ok], checked.depth[ok], departure_ns(ctx.network, ctx.now_ns), priced=False
    )
    keep = ~late
    return _Arcs(o[ok][keep], w[ok][keep], raw[1][keep].astype(np.int64)), enc.cheap


def optimise_wave(requests: Sequence[RouteRequest], ctx: RoutingContext) -> WaveOptimum:
    try:
        from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]
    except ModuleNotFoundError as e:  # the ordo[optimise] extra; ordo.extras imports the stdlib only
        from ordo.extras import missing

        raise missing("optimise") from e

    net = ctx.network
    arcs, carrier = _eligible(requests, ctx)
    n_o, n_w, n_c = len(requests), net.n_warehouses, len(net.carriers)
    # Nodes: source, unserved, carriers, orders, warehouses, sink.
    src, uns = 0, 1
    c0, o0 = 2, 2 + n_c
    w0 = o0 + n_o
    sink = w0 + n_w
    served = np.flatnonzero(carrier >= 0)
    penalty = max(UNSERVED_PENALTY_FEN, 10 * int(arcs.cost.max(initial=0)))
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
            [penalty],
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
        penalty_fen=penalty,
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

    ``ctx`` must be the wave's starting state (route a copy, price against the original).
    A plan whose (order, warehouse) pair is in the model is priced at the model's cost;
    a split (which the model cannot state) at its parcels' freight; an unrouted order at
    the model's penalty.
    """
    arcs, _ = _eligible(requests, ctx)
    price = {(int(o), int(w)): int(c) for o, w, c in zip(arcs.order, arcs.warehouse, arcs.cost, strict=True)}
    index = ctx.network.w_index
    cost = unserved = split = shared_g = shared_o = 0
    for k, p in enumerate(plans):
        if not p.parcels:
            unserved += 1
            continue
        c = price.get((k, index[p.parcels[0].warehouse_id])) if len(p.parcels) == 1 else None
        if c is None:
            split += len(p.parcels) > 1
            c = p.cost_fen
        cost += c
        best = optimum.assignment[k]
        if best is not None:
            shared_g += c
            shared_o += price[(k, index[best])]
    return Gap(
        cost, optimum.cost_fen, unserved, optimum.unserved, optimum.penalty_fen, split, shared_g, shared_o
    )


def feedback_prices(optimum: WaveOptimum, tie_fen: float = 1.0) -> FloatArray:
    """The prices to set as ``RoutingContext.capacity_price`` for the next wave: the shadow
    prices, plus ``tie_fen`` on every priced warehouse. Costs are whole fen and many lanes
    cost the same, so an order is often indifferent between a scarce warehouse and one
    with room; the optimum then sends only some of them to the scarce one, and a greedy
    router, which cannot know which, does best to send none."""
    p = optimum.capacity_price_fen
    out: FloatArray = np.where(p > 0, p + tie_fen, 0.0)
    return out
