"""The simulated world: warehouses in real cities, demand, order progression, runners.

Deterministic by seed; time comes from the injected clock. ``simulate`` runs a day
as fast as the store allows (``ordo simulate``); ``LiveTraffic`` keeps a demo busy
at an accelerated real pace (``ordo demo``). Both write through the service layer.
"""

from __future__ import annotations

from ordo.sim.demand import CHANNEL_MIX, DemandCurve, OrderFactory, schedule
from ordo.sim.live import LiveTraffic
from ordo.sim.progression import EventQueue, Kind, Noise, Report, plan
from ordo.sim.runner import SimProgress, SimSummary, simulate
from ordo.sim.world import World, ensure_world, generate_world, load_world

__all__ = [
    "CHANNEL_MIX",
    "DemandCurve",
    "EventQueue",
    "Kind",
    "LiveTraffic",
    "Noise",
    "OrderFactory",
    "Report",
    "SimProgress",
    "SimSummary",
    "World",
    "ensure_world",
    "generate_world",
    "load_world",
    "plan",
    "schedule",
    "simulate",
]
