"""The routing package's public names are exactly these, and each is importable."""

from __future__ import annotations

import ordo.domain.routing as routing

EXPECTED = {
    "OBJECTIVES", "PROFILES", "CarrierTerms", "Directives", "Gap", "Network", "Objective", "Parcel",
    "Plan", "PlanStatus", "Reason", "RouteRequest", "RoutingContext", "SplitRules", "StockMatrix",
    "WarehouseOps", "WaveOptimum", "WeightProfile", "build_network", "explain", "feedback_prices",
    "greedy_gap",
    "optimise_wave", "replay", "route", "route_one",
}  # fmt: skip


def test_the_public_names_are_the_documented_ones() -> None:
    assert set(routing.__all__) == EXPECTED
    assert all(hasattr(routing, name) for name in routing.__all__)
