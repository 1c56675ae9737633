"""Writers for the outbox load test, run in spawned processes (importable by name).

Each process builds its own ``Ordo`` on the shared database, waits at a barrier so all
start together, then alternates intake of small batches (the service path, an
``order.created`` per order) with bare outbox appends whose transaction stays open a
few milliseconds before it commits: the window in which another writer's higher id
used to commit first.
"""

from __future__ import annotations

import random
import time
import traceback
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from ordo.bootstrap import bootstrap
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.events import Event
from ordo.service.orders.intake import intake
from tests.conftest import T0, new_order

#: Event type of the bare appends (nothing consumes it but the readers under test).
TICK = "test.tick"
CITIES = [("浙江省", "杭州市", "西湖区"), ("北京市", "北京市", "朝阳区"), ("广东省", "深圳市", "南山区")]


def write(url: str, worker: int, rounds: int, barrier: Barrier, done: Queue[Any]) -> None:
    """``rounds`` rounds of (intake of 1–3 orders, one slow bare append); answers (orders, ticks)."""
    app = None
    try:
        app = bootstrap(
            Settings(database_url=url), clock=ManualClock(T0), rng=random.Random(worker), migrate=False
        )
        rng = random.Random(worker)
        barrier.wait(timeout=60)
        orders = ticks = 0
        for i in range(rounds):
            batch = []
            for j in range(rng.randint(1, 3)):
                province, city, district = rng.choice(CITIES)
                batch.append(new_order(f"L{worker}-{i}-{j}", province=province, city=city, district=district))
            orders += sum(1 for r in intake(app, batch) if r.order_id)
            with app.store.uow() as uow:
                uow.outbox.append([Event(TICK, None, T0, {"w": worker, "i": i})])
                time.sleep(rng.random() * 0.004)
                uow.commit()
            ticks += 1
        done.put((worker, (orders, ticks), None))
    except BaseException:
        barrier.abort()
        done.put((worker, None, traceback.format_exc()))
    finally:
        if app is not None:
            app.store.dispose()
