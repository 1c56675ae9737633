"""What a drill's actions and probes are handed: the running Ordo, the load, the stream, the marks.

``mark(name)`` records the moment a fault was injected (RTO is measured from it) and
``note`` keeps what an action learned for a later probe (the warehouses a typhoon shut,
the external id a webhook storm repeated). Nothing here injects or judges.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ordo.drills.stream import Watcher
from ordo.drills.target import Target
from ordo.drills.traffic import Load


@dataclass
class Drill:
    target: Target
    load: Load
    watcher: Watcher
    start_event_id: int
    started_at: float = field(default_factory=time.monotonic)
    marks: list[tuple[str, float]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    #: Things an action started that a rollback or the end of the drill must stop.
    cleanups: list[Any] = field(default_factory=list)

    def mark(self, name: str) -> float:
        at = time.monotonic()
        self.marks.append((name, at))
        return at
