"""The simulated warehouse and carriers respect holds.

The plan of an order (``ordo.sim.progression``) is written at intake; an operator may
hold the order later (the dashboard, the API, a sim operator). A real warehouse asks
before it works on an order, so here: when an order's release to the warehouse or any
later warehouse or carrier step is due while the order is held, the rest of its plan
is parked, nothing of it is sent; once the hold is lifted the plan goes on from where
it stopped, every step moved to after the hold was lifted. Orders the trouble crew
picked for a warehouse that ignores the hold (``Trouble.hold_violation``) are let
through, so the ``hold_violated`` incident gets exercised.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from ordo.domain.orders.milestones import HOLD_VIOLATING, Milestone
from ordo.service.orders.holds import current_holds
from ordo.service.runtime.app import Ordo
from ordo.sim.progression import EventQueue, Kind, Report

#: Steps the world asks about before it takes them: the release and every physical step.
ASKS = HOLD_VIOLATING | {Milestone.RELEASED_TO_WAREHOUSE}


@dataclass
class HoldGate:
    app: Ordo
    #: Orders whose warehouse ignores a hold (deliberate trouble).
    ignoring: set[str] = field(default_factory=set)
    #: Parked orders: when they were parked and the rest of their plan, in arrival order.
    parked: dict[str, tuple[int, list[Report]]] = field(default_factory=dict)
    #: Orders parked and resumed over the run.
    stopped: int = 0
    resumed: int = 0

    def screen(self, due: list[Report], queue: EventQueue, now: int) -> list[Report]:
        """The due reports the world sends now; a held order's are parked with the rest of its plan."""
        asking = {
            r.update.order_id
            for r in due
            if r.update.milestone in ASKS and r.update.order_id not in self.ignoring
        }
        if not asking:
            return due
        held = {oid for oid, hold in current_holds(self.app, asking).items() if hold}
        if not held:
            return due
        out: list[Report] = []
        stop: dict[str, list[Report]] = {}
        for r in due:
            if r.update.order_id in held:
                stop.setdefault(r.update.order_id, []).append(r)
            else:
                out.append(r)
        for oid, mine in stop.items():
            rest = sorted(mine + queue.withdraw(oid), key=lambda r: r.arrive_ns)
            self.parked[oid] = (now, rest)
            self.stopped += 1
        return out

    def resume(self, queue: EventQueue, now: int) -> None:
        """Parked orders whose hold was lifted go on, every step later by the time they waited."""
        if not self.parked:
            return
        for oid, hold in current_holds(self.app, list(self.parked)).items():
            if hold:
                continue
            since, reports = self.parked.pop(oid)
            # Nothing of the rest happens before the hold was lifted.
            first = min(r.update.at_ns for r in reports)
            queue.push(_later(reports, max(now - since, now - first)))
            self.resumed += 1

    def impossible_parked(self) -> int:
        """Impossible reports of orders still parked (never sent)."""
        return sum(r.kind is Kind.IMPOSSIBLE for _, rs in self.parked.values() for r in rs)

    def still_parked(self) -> Iterable[str]:
        return sorted(self.parked)


def _later(reports: list[Report], by_ns: int) -> list[Report]:
    out: list[Report] = []
    for r in reports:
        u = dataclasses.replace(r.update, at_ns=r.update.at_ns + by_ns)
        out.append(dataclasses.replace(r, arrive_ns=r.arrive_ns + by_ns, update=u))
    return out
