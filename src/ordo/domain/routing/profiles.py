"""Objectives and weight profiles: what the router trades off, and how much, as data.

A profile is chosen per order by a routing rule (``使用 大促 权重``); the router never
hard-codes a preference. Every objective is "lower is better" once normalised, so
a score is a plain weighted sum. A profile's ``version`` goes into every decision
snapshot so a decision can be traced to the exact weights it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Objective(StrEnum):
    TIME = "time"  # hours to the door: wait for the trunk + lane
    COST = "cost"  # fen: carrier rate by zone and weight
    CARBON = "carbon"  # g CO2e
    SATURATION = "saturation"  # share of today's capacity used, plus its shadow price
    DEPTH = "depth"  # how close this order drains a SKU (inverse days of cover left)
    RISK = "risk"  # weather / congestion signal 0..1 at the origin
    CLASS = "class"  # own 0 → regional 1 → 3PL 2


#: Column order of the objective arrays everywhere in the router.
OBJECTIVES: tuple[Objective, ...] = tuple(Objective)

LABELS: Mapping[Objective, tuple[str, str, str]] = {
    Objective.TIME: ("时效", "delivery time", "h"),
    Objective.COST: ("运费", "shipping cost", "fen"),
    Objective.CARBON: ("碳排放", "carbon", "g CO2e"),
    Objective.SATURATION: ("产能饱和度", "capacity saturation", ""),
    Objective.DEPTH: ("库存深度", "stock depth", ""),
    Objective.RISK: ("风险", "risk", ""),
    Objective.CLASS: ("仓库等级", "warehouse class", ""),
}


@dataclass(frozen=True, slots=True)
class WeightProfile:
    name: str
    version: str
    weights: Mapping[Objective, float]
    #: Weights of the per-parcel carrier choice (cost, time, risk).
    carrier_weights: Mapping[str, float] = field(
        default_factory=lambda: {"cost": 0.5, "time": 0.4, "risk": 0.1}
    )

    def vector(self) -> tuple[float, ...]:
        return tuple(float(self.weights.get(o, 0.0)) for o in OBJECTIVES)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "version": self.version,
            "weights": {o.value: self.weights.get(o, 0.0) for o in OBJECTIVES},
            "carrier_weights": dict(self.carrier_weights),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> WeightProfile:
        weights = d["weights"]
        cw = d.get("carrier_weights")
        assert isinstance(weights, Mapping)
        return cls(
            str(d["name"]),
            str(d["version"]),
            {Objective(k): float(v) for k, v in weights.items()},
            dict(cw) if isinstance(cw, Mapping) else {"cost": 0.5, "time": 0.4, "risk": 0.1},
        )


#: Column order of a profile's carrier weights.
CARRIER_KEYS = ("cost", "time", "risk", "carbon")


def carrier_weights(weights: Mapping[str, float]) -> tuple[float, ...]:
    return tuple(float(weights.get(k, 0.0)) for k in CARRIER_KEYS)


_T, _C, _G, _S, _D, _R, _K = OBJECTIVES

PROFILES: Mapping[str, WeightProfile] = {
    # An ordinary day: speed and cost first, the class order only breaks near-ties.
    "daily": WeightProfile(
        "daily", "2026.1", {_T: 0.30, _C: 0.25, _G: 0.05, _S: 0.10, _D: 0.10, _R: 0.10, _K: 0.10}
    ),
    # 大促: capacity is the bottleneck, so saturation and stock depth weigh most.
    "big_promo": WeightProfile(
        "big_promo", "2026.1", {_T: 0.15, _C: 0.15, _G: 0.0, _S: 0.30, _D: 0.25, _R: 0.10, _K: 0.05}
    ),
    # Green orders (绿色订单): carbon leads; parcels go by road unless speed is bought.
    "green": WeightProfile(
        "green",
        "2026.1",
        {_T: 0.10, _C: 0.15, _G: 0.45, _S: 0.10, _D: 0.10, _R: 0.05, _K: 0.05},
        {"cost": 0.3, "time": 0.1, "risk": 0.1, "carbon": 0.5},
    ),
}
DEFAULT_PROFILE = "daily"
