"""Risk radar (供应链风险雷达): outside events as data, their impact status, the routing
signals they give and the disposal plans' tiers.

Pure: standard library only; no I/O, no clock reads. Geometry is described here and
computed in ``ordo.adapters.geo.areas`` (shapely).
"""

from ordo.domain.risk.model import (
    BLOCKING_KINDS,
    COLOUR_SEVERITY,
    KIND_LABELS,
    Area,
    Assets,
    EventDraft,
    ImpactStatus,
    Polygon,
    Regions,
    RiskEvent,
    RiskKind,
    Severity,
    Track,
    area_from_json,
    area_to_json,
    check_status,
    kind_of_text,
)
from ordo.domain.risk.plans import PLAN_BOUNDS, PlanAction, PlanBounds, PlanStatus, check_plan, plan_tier
from ordo.domain.risk.signals import EventSignal, RiskSignals, signals_of

__all__ = [
    "BLOCKING_KINDS",
    "COLOUR_SEVERITY",
    "KIND_LABELS",
    "PLAN_BOUNDS",
    "Area",
    "Assets",
    "EventDraft",
    "EventSignal",
    "ImpactStatus",
    "PlanAction",
    "PlanBounds",
    "PlanStatus",
    "Polygon",
    "Regions",
    "RiskEvent",
    "RiskKind",
    "RiskSignals",
    "Severity",
    "Track",
    "area_from_json",
    "area_to_json",
    "check_plan",
    "check_status",
    "kind_of_text",
    "plan_tier",
    "signals_of",
]
