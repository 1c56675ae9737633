"""Orders (C1, C3): intake, milestones and status updates, holds and address fixes,
parcel merges, tracking links, health and the read side.

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
    "milestones",
    "parcels",
    "queries",
    "status_updates",
    "tracking",
]
