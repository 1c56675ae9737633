"""How the simulated world answers Ordo's playbook steps.

The simulator plans every report about an order at intake. Without this module the
plan never changes, whatever Ordo does: a slow warehouse's order that the playbook
re-routed to another warehouse with stock would still be picked hours later by the
slow one, and a parcel whose carrier was switched would still wait for the carrier
that did not come. Real warehouses and carriers act on those instructions, so here:

* ``order.rerouted`` (the reservation moved): the new warehouse is released the order
  and picks it with its usual timing, and every later step moves with the pick;
* ``order.carrier_switched`` (another carrier booked): the new carrier collects with the
  usual lag after booking, and reports the parcel's scans under its own name;
* a stock lock retried successfully for an order held for stock: the order is no longer
  cancelled as out of stock by customer service, it goes to the warehouse that now
  holds its stock and on through the usual steps;
* ``order.replacement_placed`` (a cold-chain replacement taken in by intake): the
  warehouse that intake chose ships the replacement with the usual timing.

Only what a step really did is followed (the event says it happened), and only if it
makes things faster than the plan already was. Nothing is closed here: the incident
closes when its detector sees the milestone the new warehouse or carrier reports.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from ordo.domain import events as ev
from ordo.domain.incidents.playbooks import Step, StepOutcome
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import Carrier, Order, Warehouse
from ordo.service.runtime.app import Ordo
from ordo.sim.progression import QUIET, EventQueue, Noise, Report, plan

M = Milestone
S = 1_000_000_000
#: Events read per round trip.
PAGE = 5_000


def _span(rng: random.Random, lo_s: float, hi_s: float) -> int:
    """Log-uniform seconds between ``lo_s`` and ``hi_s``, as the plan draws them (in ns)."""
    return int(lo_s * (hi_s / lo_s) ** rng.random() * S)


def shift_from(
    reports: list[Report], start_ns: int, by_ns: int, source: Callable[[str], str]
) -> list[Report]:
    """Every main-milestone report from ``start_ns`` on, ``by_ns`` earlier or later, re-sourced."""
    out: list[Report] = []
    for r in reports:
        u = r.update
        if u.at_ns >= start_ns and not u.milestone.is_side_state:
            u = dataclasses.replace(u, at_ns=u.at_ns + by_ns, source=source(u.source))
            r = dataclasses.replace(r, arrive_ns=r.arrive_ns + by_ns, update=u)
        out.append(r)
    return out


@dataclass
class Reactions:
    app: Ordo
    rng: random.Random
    warehouses: dict[str, Warehouse] = field(default_factory=dict)
    carriers: tuple[Carrier, ...] = ()
    noise: Noise = QUIET
    #: Orders taken in on hold for stock (the simulator planned them to be cancelled).
    held: dict[str, Order] = field(default_factory=dict)
    #: Cold-chain orders as the channel sent them (a replacement re-sends the same goods).
    originals: dict[str, Order] = field(default_factory=dict)
    cursor: int = 0
    followed: dict[str, int] = field(default_factory=dict)

    def follow(self, queue: EventQueue) -> None:
        """Re-plan the orders whose playbook steps ran since the last call."""
        types = [ev.ORDER_REROUTED, ev.ORDER_CARRIER_SWITCHED, ev.INCIDENT_STEP, ev.REPLACEMENT_PLACED]
        while True:
            with self.app.store.uow(read_only=True) as uow:
                events = uow.outbox.after(self.cursor, limit=PAGE, types=types)
            for e in events:
                oid, at, payload = e["order_id"], int(e["at_ns"]), e["payload"] or {}
                if oid is None:
                    continue
                if e["type"] == ev.REPLACEMENT_PLACED:
                    queue.push(self._replacement(oid, payload, at))
                    continue
                if e["type"] == ev.INCIDENT_STEP:
                    locked = (
                        payload.get("step") == Step.RETRY_STOCK_LOCK
                        and payload.get("outcome") == StepOutcome.DONE
                    )
                    if locked and oid in self.held:
                        queue.push(self._released_after_lock(queue.withdraw(oid), oid, at))
                    continue
                pending = queue.withdraw(oid)
                if e["type"] == ev.ORDER_REROUTED:
                    pending = self._picked_by_new_warehouse(pending, at)
                else:
                    pending = self._collected_by_new_carrier(pending, at, str(payload.get("to") or ""))
                queue.push(pending)
            if len(events) < PAGE:
                if events:
                    self.cursor = int(events[-1]["id"])
                return
            self.cursor = int(events[-1]["id"])

    def _picked_by_new_warehouse(self, pending: list[Report], at: int) -> list[Report]:
        planned = next((r.update.at_ns for r in pending if r.update.milestone is M.PICKED), None)
        if planned is None:
            return pending
        # Released to the new warehouse, then picked there: the plan's own durations.
        picked = at + _span(self.rng, 60, 900) + _span(self.rng, 600, 5400)
        if picked >= planned:
            return pending
        self._count("reroute")
        return shift_from(pending, planned, picked - planned, lambda source: source)

    def _collected_by_new_carrier(self, pending: list[Report], at: int, carrier: str) -> list[Report]:
        planned = next((r for r in pending if r.update.milestone is M.COLLECTED), None)
        if planned is None or not carrier:
            return pending
        collected = at + _span(self.rng, 1800, 4 * 3600)
        if collected >= planned.update.at_ns:
            return pending
        self._count("switch_carrier")
        old = planned.update.source

        def source(s: str) -> str:
            return carrier if s == old else s

        return shift_from(pending, planned.update.at_ns, collected - planned.update.at_ns, source)

    def _released_after_lock(self, pending: list[Report], oid: str, at: int) -> list[Report]:
        order = self.held.pop(oid)
        with self.app.store.uow(read_only=True) as uow:
            found = uow.orders.get(oid)
        warehouse = self.warehouses.get(str(found["warehouse_id"] if found else None))
        if warehouse is None:
            return pending
        self._count("stock_lock")
        released = Milestone.RELEASED_TO_WAREHOUSE.number
        # What the order had before the warehouse stays; the out-of-stock cancellation goes.
        kept = [r for r in pending if 0 < r.update.milestone.number < released]
        fresh = plan(
            order, order_id=oid, intake_ns=at, warehouse=warehouse, carriers=self.carriers,
            rng=self.rng, noise=self.noise,
        )  # fmt: skip
        return kept + [
            r for r in fresh if r.update.milestone.number >= released or r.update.milestone.is_side_state
        ]

    def _replacement(self, oid: str, payload: dict[str, object], at: int) -> list[Report]:
        original, new_id = self.originals.get(oid), str(payload.get("replacement_order_id") or "")
        if original is None or not new_id:
            return []
        order = dataclasses.replace(
            original,
            placed_at_ns=at,
            paid_at_ns=at,
            lines=tuple(dataclasses.replace(ln, unit_price_fen=0, discount_fen=0) for ln in original.lines),
        )
        warehouse = self.warehouses.get(str(payload.get("warehouse_id")))
        if warehouse is None:
            self.held[new_id] = order  # on hold for stock: it ships once a retry locks it
        self._count("replacement")
        with self.app.store.uow(read_only=True) as uow:
            routed = uow.routing.attempts(new_id)
        booked = str(routed[-1]["carrier_ids"]).split(",")[0] if routed else None
        return plan(
            order, order_id=new_id, intake_ns=at, warehouse=warehouse, carriers=self.carriers,
            rng=self.rng, noise=self.noise, carrier_id=booked,
        )  # fmt: skip

    def _count(self, what: str) -> None:
        self.followed[what] = self.followed.get(what, 0) + 1
