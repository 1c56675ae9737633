"""The canonical order (C1, C3): its model, validation, 17 milestones, the status graph,
SLA timers, health scores and merge candidates.

Pure: standard library only; no I/O, no clock reads, never ``ordo.rules``.
"""

__all__ = [
    "consolidation",
    "health",
    "milestones",
    "model",
    "sla",
    "status_graph",
    "status_lint",
    "validation",
]
