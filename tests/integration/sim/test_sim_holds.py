"""The simulated world respects holds: its warehouse does not release or pick a held order,
the flow goes on once the hold is lifted (nothing refused), and a trouble kind has the
warehouse ignore a hold now and then so ``hold_violated`` incidents are exercised."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

from ordo.clock import ManualClock
from ordo.domain.orders.milestones import Milestone, Outcome
from ordo.service.incidents.queue import IncidentFilter, list_incidents
from ordo.service.orders.holds import hold, release
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from ordo.sim.demand import OrderFactory
from ordo.sim.holding import HoldGate
from ordo.sim.progression import QUIET, EventQueue, plan
from ordo.sim.runner import simulate
from ordo.sim.trouble import Trouble
from ordo.sim.world import ensure_world
from tests.conftest import T0, make_app

S = 1_000_000_000


def test_a_held_order_waits_in_the_world_and_goes_on_once_released(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    app = make_app(f"sqlite:///{tmp_path / 'sim.db'}", clock)
    try:
        world = ensure_world(app, 3)
        factory = OrderFactory(world, app.divisions, 3)
        orders = [dataclasses.replace(factory.make(T0 + i), paid_at_ns=T0 + i) for i in range(6)]
        clock.set(T0 + 60 * S)
        taken = intake(app, orders)
        results = [r for r in taken if r.warehouse_id is not None and r.order_id]
        assert len(results) >= 2
        rng = random.Random(1)
        warehouses = {w.id: w for w in world.warehouses}
        queue = EventQueue()
        for r in results:
            queue.push(
                plan(
                    orders[r.index],
                    order_id=str(r.order_id),
                    intake_ns=clock.now_ns(),
                    warehouse=warehouses[str(r.warehouse_id)],
                    carriers=world.carriers,
                    rng=rng,
                    noise=QUIET,
                    carrier_id=r.carrier_id,
                )
            )
        stopped_id = str(results[0].order_id)
        [held] = hold(app, [stopped_id], reason="客户要求暂停", actor="sim:operator")
        assert held.outcome == "held"
        gate = HoldGate(app)
        rejected: list[str] = []
        released_at: int | None = None
        while len(queue) or gate.parked:
            nxt = queue.next_time()
            if nxt is None:  # only the held order is left: the operator lets it go now
                assert released_at is None and list(gate.parked) == [stopped_id]
                clock.advance(3600)
                release(app, stopped_id, actor="sim:operator")
                released_at = clock.now_ns()
                gate.resume(queue, clock.now_ns())
                continue
            due = queue.pop_due(nxt + 60 * S)
            clock.set(max(r.arrive_ns for r in due))
            due = gate.screen(due, queue, clock.now_ns())
            for res in advance(app, [r.update for r in due]):
                if res.outcome is Outcome.REJECTED:
                    rejected.append(f"{res.update.milestone}:{res.error.code if res.error else ''}")
        assert rejected == []
        assert gate.stopped == 1 and gate.resumed == 1 and released_at is not None
        with app.store.uow(read_only=True) as uow:
            steps = {m["milestone"]: m["at_ns"] for m in uow.orders.milestones(stopped_id)}
            other = {m["milestone"] for m in uow.orders.milestones(str(results[1].order_id))}
        # Nothing of the warehouse's work happened while it was held; all of it after.
        assert steps[Milestone.RELEASED_TO_WAREHOUSE.value] >= released_at
        assert Milestone.DELIVERED.value in steps and Milestone.DELIVERED.value in other
    finally:
        app.store.dispose()


def test_simulate_with_hold_violations_raises_them_and_refuses_nothing_else(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    app = make_app(f"sqlite:///{tmp_path / 'sim.db'}", clock)
    try:
        trouble = Trouble(hold_violation=0.5, slow_warehouse=0, pickup_failure=0, excursion=0, broken_probe=0)
        summary = simulate(app, clock, orders=60, seed=11, trouble=trouble)
        assert summary.incidents is not None
        injected = summary.incidents["injected"]
        assert injected.get("hold_violation", 0) >= 5
        assert "order_on_hold" not in summary.anomaly_codes  # the world never releases a held order
        rows, _ = list_incidents(app, IncidentFilter(), limit=500)
        violated = [r for r in rows if r["detector"] == "hold_violated"]
        assert len(violated) >= injected["hold_violation"] - injected.get("hold_refused", 0) - 2
        assert all(r["details"]["source"] == "wms" for r in violated)
        assert all(r["state"] in ("resolved", "acknowledged", "open") for r in violated)
        # Every violated order got its intercept request and its hold was let go again.
        assert summary.holds == {"stopped": 0, "resumed": 0, "still_held": 0}
        assert [r for r in rows if r["detector"] == "carrier_mismatch"] == []  # the booked carrier came
    finally:
        app.store.dispose()
