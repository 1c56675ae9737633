"""Orders (C1, C3): intake, milestones and status updates, holds and address fixes,
parcel merges and merge windows (合单等待), tracking links, health and the read side.

Every write to an order comes through here, in one unit of work per batch. Never
imports the API or the CLI.
"""

__all__ = [
    "address_fix",
    "health",
    "holds",
    "intake",
    "intake_routing",
    "intake_rules",
    "merge_window",
    "milestones",
    "parcels",
    "queries",
    "status_updates",
    "tracking",
]
