"""Under concurrent writers, every outbox consumer sees every event exactly once.

Writer processes (``event_writers``) take orders and append events while the
consumers run beside them in this process, each through its production code:

- the SSE stream's read (``outbox.after`` from a cursor, as ``api/routers/stream.py``),
- a broker relay (``Relay`` with a publisher that records what it was given),
- the overview projector (``projector.catch_up``: its created-orders count),
- the incident scan (``scan``: one watch per order it saw created).

At the end each consumer's set is compared with the table: 0 missing, 0 duplicated, on
SQLite and PostgreSQL. Before event ids were made visible in id order, the same run on
PostgreSQL lost events for the stream and the relay (see ``repositories/outbox.py``).
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import incidents as it
from ordo.domain.orders.model import Stock
from ordo.service.events import projector
from ordo.service.events.relay import Relay
from ordo.service.incidents.scan import scan
from ordo.service.inventory.catalog import save_catalog
from ordo.service.runtime.app import Ordo
from tests.conftest import SKUS, WAREHOUSES, make_app
from tests.integration.store import event_writers

pytestmark = pytest.mark.slow

WRITERS = 6
ROUNDS = 60


class Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.ids: list[int] = []

    def publish(self, rows: list[dict[str, Any]]) -> None:
        self.ids += [int(r["id"]) for r in rows]

    def close(self) -> None:
        pass


@pytest.fixture(params=["sqlite", "postgresql"])
def loaded(request: pytest.FixtureRequest, sqlite_url: str, clock: Any) -> Iterator[Ordo]:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    app = make_app(url, clock)
    stock = [Stock(w.id, s.sku, 100_000) for w in WAREHOUSES for s in SKUS if not s.flags]
    save_catalog(app, warehouses=WAREHOUSES, skus=SKUS, stock=stock)
    yield app
    app.store.dispose()


def _run_writers(url: str) -> tuple[int, int]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    done: Any = ctx.Queue()
    procs = [
        ctx.Process(target=event_writers.write, args=(url, w, ROUNDS, barrier, done), daemon=True)
        for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    orders = ticks = 0
    errors = []
    try:
        for _ in procs:
            _, counts, error = done.get(timeout=300)
            if error:
                errors.append(error)
            else:
                orders, ticks = orders + counts[0], ticks + counts[1]
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
    assert not errors, "\n".join(errors)
    return orders, ticks


def test_every_consumer_sees_every_event_once(loaded: Ordo) -> None:
    app = loaded
    projector.catch_up(app)  # the first call builds the overview and sets its cursor
    scan(app)
    streamed: list[int] = []
    cursor = [0]
    relay = Relay(app, recorder := Recorder(), start="earliest")

    def read_stream() -> None:
        with app.store.uow(read_only=True) as uow:
            rows = uow.outbox.after(cursor[0], limit=500)
        streamed.extend(int(r["id"]) for r in rows)
        if rows:
            cursor[0] = int(rows[-1]["id"])

    consumers: list[Callable[[], Any]] = [
        read_stream,
        relay.run_once,
        lambda: projector.catch_up(app),
        lambda: scan(app),
    ]
    stop = threading.Event()
    failures: list[BaseException] = []

    def follow(step: Callable[[], Any]) -> None:
        try:
            while not stop.is_set():
                step()
                stop.wait(0.001)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=follow, args=(c,)) for c in consumers]
    for th in threads:
        th.start()
    try:
        orders, ticks = _run_writers(app.store.url)
    finally:
        stop.set()
        for th in threads:
            th.join(60)
    assert not failures, failures
    for _ in range(3):  # drain: everything is committed now
        for step in consumers:
            step()
        while relay.run_once():
            pass

    with app.store.engine.connect() as conn:
        table = list(conn.execute(sa.select(t.events.c.id).order_by(t.events.c.id)).scalars())
        stored_orders = conn.execute(sa.select(sa.func.count()).select_from(t.orders)).scalar_one()
        watched = conn.execute(sa.select(sa.func.count()).select_from(it.exception_watch)).scalar_one()
        counts = {}
        with app.store.uow(read_only=True) as uow:
            counts = uow.overview.counts()
    assert stored_orders == orders and orders > WRITERS * ROUNDS
    assert len(table) >= orders + ticks

    def gaps(seen: list[int]) -> tuple[int, int]:
        dup = sum(n - 1 for n in Counter(seen).values() if n > 1)
        return len(set(table) - set(seen)), dup

    figures = {
        "stream": gaps(streamed),
        "relay": gaps(recorder.ids),
        "projector": (orders - sum(counts.get("channel", {}).values()), 0),
        "scan": (orders - watched, 0),
    }
    expected = dict.fromkeys(figures, (0, 0))
    assert figures == expected, f"(missing, duplicated) of {len(table)} events, {orders} orders: {figures}"
