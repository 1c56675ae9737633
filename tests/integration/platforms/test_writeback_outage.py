"""0 lost across an emulator outage of 60 s, on every platform Ordo writes back to: the
outage and the retries' backoff run on the injected clock (emulated time, no wall-clock
waiting), every shipment is acknowledged once, none before the platforms came back."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.adapters.platforms import PLATFORMS
from ordo.bootstrap import bootstrap
from ordo.clock import NS_PER_S, ManualClock
from ordo.config import Settings
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.channels.pull import Puller
from ordo.service.channels.writeback import WRITEBACK, WriteBack, shipments
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from ordo.sim.platforms import Emulator, EmulatorServer
from tests.conftest import T0, seed_tiny_world
from tests.integration.platforms.helpers import EMULATED_SKUS, client, register, shops

ORDERS = 20


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[Ordo]:
    ordo = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'ordo.db'}"), clock=clock, rng=random.Random(11)
    )
    seed_tiny_world(ordo)
    yield ordo
    ordo.store.dispose()


def test_every_platform_loses_nothing_across_a_60_second_outage(app: Ordo, clock: ManualClock) -> None:
    assert len(PLATFORMS) == 9
    emulated = shops(PLATFORMS, ORDERS)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        puller = Puller(app, client(), lookback_s=3_600)
        assert [puller.pull(s.shop_id).created for s in emulated] == [ORDERS] * 9
        wb = WriteBack(app, client())
        wb.step()
        with app.store.uow(read_only=True) as uow:
            ids = [r[0] for r in uow.connection.exec_driver_sql("SELECT id FROM orders ORDER BY id")]
        start = clock.now_ns()
        emulator.outage(start + 60 * NS_PER_S)
        updates = []
        for n, oid in enumerate(ids):
            updates.append(MilestoneUpdate(oid, Milestone.WAYBILL_ISSUED, start, "tms", f"sf:SF{n:010d}"))
            updates.append(MilestoneUpdate(oid, Milestone.OUTBOUND, start, "wms"))
        assert all(r.outcome.value == "recorded" for r in advance(app, updates))
        for _ in range(180):  # three minutes of emulated time, one round a second
            wb.step()
            clock.advance(1)
        wb.close()
    rows = shipments(app)
    assert emulator.stats["outage"] > 0  # every platform was down and was retried
    assert len(rows) == 9 * ORDERS
    assert {r["state"] for r in rows} == {"acked"}, {r["last_error"] for r in rows}
    assert {r["channel"] for r in rows} == set(PLATFORMS)
    told = [(shop, ext, waybill) for shop, ext, waybill, _ in emulator.acks]
    assert len(told) == len(set(told)) == 9 * ORDERS  # each once: nothing lost, nothing twice
    waits = sorted((r["acked_at_ns"] or 0) - start for r in rows)
    assert waits[0] >= 60 * NS_PER_S  # none while the platforms were down
    # backoff (at most 60 s between attempts) caught up soon after they came back
    assert waits[-1] <= (60 + WRITEBACK.max_s * (1 + WRITEBACK.jitter) + 5) * NS_PER_S
