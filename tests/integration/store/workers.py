"""Work run in separate OS processes by the concurrency tests (spawned, so importable by name).

Each worker builds its own ``Ordo`` on the shared database, waits at a barrier so all
start together, then calls the ordinary service functions and reports what it saw.
"""

from __future__ import annotations

import random
import traceback
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from ordo.adapters.store import open_store
from ordo.bootstrap import bootstrap
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, new_order

#: Destinations spread over the country, so every warehouse is someone's nearest.
CITIES = [
    ("浙江省", "杭州市", "西湖区"),
    ("江苏省", "南京市", "玄武区"),
    ("北京市", "北京市", "朝阳区"),
    ("天津市", "天津市", "和平区"),
    ("广东省", "深圳市", "南山区"),
    ("广东省", "广州市", "天河区"),
    ("四川省", "成都市", "武侯区"),
]
#: Workers' clocks: an hour after the orders were placed.
NOW = T0 + 3_600 * 10**9


def intake_orders(
    app: Ordo, worker: int, skus: list[str], n_orders: int, n_shared: int, batch: int
) -> list[dict[str, Any]]:
    """Single-unit orders of the given SKUs, sent in small batches.

    Besides its own ``n_orders``, every worker sends the same ``n_shared`` channel orders
    (a channel retrying its webhook against several Ordo processes): one must win.
    """
    rng = random.Random(worker)
    orders = []
    for i in range(n_orders):
        province, city, district = rng.choice(CITIES)
        orders.append(
            new_order(
                f"W{worker}-{i}", [(rng.choice(skus), 1)], province=province, city=city, district=district
            )
        )
    step = max(1, n_orders // max(1, n_shared))
    for i in range(n_shared):
        orders.insert(i * (step + 1), new_order(f"SHARED-{i}", [(skus[i % len(skus)], 1)], channel="douyin"))
    out: list[dict[str, Any]] = []
    for start in range(0, len(orders), batch):
        for r, o in zip(
            intake(app, orders[start : start + batch]), orders[start : start + batch], strict=True
        ):
            out.append(
                {
                    "external_id": o.external_id,
                    "outcome": r.outcome.value,
                    "order_id": r.order_id,
                    "warehouse_id": r.warehouse_id,
                }
            )
    return out


def advance_orders(
    app: Ordo, worker: int, updates: list[tuple[str, str, int]], batch: int
) -> list[dict[str, Any]]:
    """The same updates every worker sends, each worker in its own shuffled order."""
    mine = [MilestoneUpdate(oid, Milestone(m), at, f"sys-{worker}") for oid, m, at in updates]
    random.Random(worker).shuffle(mine)
    out: list[dict[str, Any]] = []
    for start in range(0, len(mine), batch):
        for r in advance(app, mine[start : start + batch]):
            out.append({"order_id": r.update.order_id, "outcome": r.outcome.value, "status": str(r.status)})
    return out


def migrate(app: Ordo, worker: int) -> list[dict[str, Any]]:
    """Open the store with migrations, as every process does when it starts."""
    store = open_store(app.store.url)
    try:
        return [{"revision": store.revision()}]
    finally:
        store.dispose()


JOBS = {"intake": intake_orders, "advance": advance_orders, "migrate": migrate}


def serve(worker: int, barrier: Barrier, inbox: Queue[Any], outbox: Queue[Any]) -> None:
    """Process entry point: run jobs from ``inbox`` until it yields None; answer (worker, result, error).

    One set of processes serves every test of a module, so each test pays for the
    race, not for starting Python and importing Ordo again.
    """
    while (job := inbox.get()) is not None:
        name, url, args = job
        app, started = None, False
        try:
            app = bootstrap(
                Settings(database_url=url),
                clock=ManualClock(NOW),
                rng=random.Random(1000 + worker),
                migrate=False,
            )
            with app.store.uow(read_only=True) as uow:  # connect before the race, not during it
                uow.connection.exec_driver_sql("SELECT 1")
            barrier.wait(timeout=60)
            started = True
            outbox.put((worker, JOBS[name](app, worker, *args), None))
        except BaseException:
            if not started:
                barrier.abort()  # the others must not wait for a worker that never arrived
            outbox.put((worker, None, traceback.format_exc()))
        finally:
            if app is not None:
                app.store.dispose()
