"""Routing (sourcing): which warehouses ship an order, by which carriers, promised when, and why.

    RouteRequest[] + RoutingContext ─► route() ─► Plan[] (parcels, carrier, promise)
                                                 └─► Plan.snapshot() ─► explain() / replay()
    a wave ─► optimise_wave() ─► optimum, greedy_gap(), capacity shadow prices
                         └─► feedback_prices() ─► the next wave's RoutingContext.capacity_price

Pure and vectorised (NumPy): hard constraints are masks, objectives are columns
normalised per order, the score is the weight profile's dot product. No I/O, no clock:
``RoutingContext.now_ns`` is the time. See ``router`` for the order of work.
"""

from ordo.domain.routing.context import Directives, RouteRequest, RoutingContext, SplitRules, StockMatrix
from ordo.domain.routing.explain import explain
from ordo.domain.routing.kernel import Reason
from ordo.domain.routing.network import CarrierTerms, Network, WarehouseOps, build_network
from ordo.domain.routing.optimise import Gap, WaveOptimum, feedback_prices, greedy_gap, optimise_wave
from ordo.domain.routing.plan import Parcel, Plan, PlanStatus
from ordo.domain.routing.profiles import OBJECTIVES, PROFILES, Objective, WeightProfile
from ordo.domain.routing.router import route, route_one
from ordo.domain.routing.snapshot import replay

__all__ = [
    "OBJECTIVES",
    "PROFILES",
    "CarrierTerms",
    "Directives",
    "Gap",
    "Network",
    "Objective",
    "Parcel",
    "Plan",
    "PlanStatus",
    "Reason",
    "RouteRequest",
    "RoutingContext",
    "SplitRules",
    "StockMatrix",
    "WarehouseOps",
    "WaveOptimum",
    "WeightProfile",
    "build_network",
    "explain",
    "feedback_prices",
    "greedy_gap",
    "optimise_wave",
    "replay",
    "route",
    "route_one",
]
