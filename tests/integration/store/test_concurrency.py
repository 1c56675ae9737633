"""Several OS processes on one database at once: no unit is ever promised twice, no status regresses.

Each test spawns ``WORKERS`` processes (spawn context: fresh interpreters, as in production)
that call the ordinary service functions against one SQLite file or one PostgreSQL
database, then checks the books: reservations add up to the orders that hold them,
no row is reserved past its on-hand minus safety stock, and every order's status is
the status derived from the milestones it has.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from ordo.adapters.store.schema import core as t
from ordo.bench import oversell
from ordo.clock import ManualClock
from ordo.domain import events as ev
from ordo.domain.orders.milestones import Milestone, Status, derive_status
from ordo.domain.orders.model import Stock
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import intake
from ordo.service.runtime.app import Ordo
from tests.conftest import SKUS, T0, WAREHOUSES, make_app, new_order
from tests.integration.store import workers
from tests.integration.store.contract import migration_heads

pytestmark = pytest.mark.slow

WORKERS = 8
SCARCE = ["SKU-TEA", "SKU-CUP", "SKU-RARE"]
#: Far fewer units than the workers will ask for, spread over the warehouses, with safety stock.
LEVELS = [
    Stock("WH-SH", "SKU-TEA", 12, safety=2),
    Stock("WH-BJ", "SKU-TEA", 8),
    Stock("WH-GZ", "SKU-TEA", 5, safety=1),
    Stock("WH-SH", "SKU-CUP", 6),
    Stock("WH-GZ", "SKU-CUP", 6, safety=1),
    Stock("WH-BJ", "SKU-RARE", 5, safety=1),
]
AVAILABLE = Counter()
for _s in LEVELS:
    AVAILABLE[_s.sku] += _s.available


class Workers:
    """WORKERS spawned processes that each run one job at a time, all released together."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.barrier = ctx.Barrier(WORKERS)
        self.outbox: Any = ctx.Queue()
        self.inboxes: list[Any] = [ctx.Queue() for _ in range(WORKERS)]
        self.procs = [
            ctx.Process(
                target=workers.serve, args=(w, self.barrier, self.inboxes[w], self.outbox), daemon=True
            )
            for w in range(WORKERS)
        ]
        for p in self.procs:
            p.start()

    def run(self, job: str, url: str, *args: Any) -> list[list[dict[str, Any]]]:
        """Run ``job`` in every process at once; return each one's result, in worker order."""
        self.barrier.reset()  # a failed run may have left it broken
        for inbox in self.inboxes:
            inbox.put((job, url, args))
        got: dict[int, list[dict[str, Any]]] = {}
        errors: list[str] = []
        try:
            for _ in self.procs:
                worker, result, error = self.outbox.get(timeout=180)
                if error:
                    errors.append(f"worker {worker}:\n{error}")
                else:
                    got[worker] = result
        except queue.Empty:
            errors.append("a worker neither answered nor failed within 180 s")
        assert not errors, "\n".join(errors)
        return [got[w] for w in range(WORKERS)]

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for p in self.procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()


@pytest.fixture(scope="module")
def pool() -> Iterator[Workers]:
    workers_ = Workers()
    yield workers_
    workers_.close()


def rows(app: Ordo, query: sa.Select[Any]) -> list[Any]:
    with app.store.uow(read_only=True) as uow:
        return list(uow.connection.execute(query))


def stock_levels(app: Ordo) -> dict[tuple[str, str], Stock]:
    with app.store.uow(read_only=True) as uow:
        return {(s.warehouse_id, s.sku): s for s in uow.stock.query(limit=1000)}


def allocated_units(app: Ordo) -> Counter[tuple[str, str]]:
    """Units per (warehouse, SKU) in orders that hold a reservation (neither cancelled nor shipped)."""
    O, L, M = t.orders.c, t.order_lines.c, t.milestones.c
    done = sa.select(M.order_id).where(M.milestone.in_([Milestone.CANCELLED.value, Milestone.OUTBOUND.value]))
    q = (
        # Each line where it is held: intake records every line's warehouse (split orders'
        # lines differ); nothing here is re-routed.
        sa.select(sa.func.coalesce(L.warehouse_id, O.warehouse_id), L.sku, sa.func.sum(L.quantity))
        .join(t.order_lines, L.order_id == O.id)
        .where(O.warehouse_id.is_not(None), O.id.not_in(done))
        .group_by(sa.func.coalesce(L.warehouse_id, O.warehouse_id), L.sku)
    )
    return Counter({(w, s): int(n) for w, s, n in rows(app, q)})


class ConcurrencyContract:
    @pytest.fixture
    def url(self) -> str:
        """A database with the schema (the ``app`` fixture seeds it)."""
        raise NotImplementedError

    @pytest.fixture
    def fresh_url(self) -> str:
        """An empty database: no schema yet."""
        raise NotImplementedError

    @pytest.fixture
    def app(self, url: str, clock: ManualClock) -> Iterator[Ordo]:
        ordo = make_app(url, clock)
        save_catalog(ordo, warehouses=WAREHOUSES, skus=SKUS, stock=LEVELS)
        yield ordo
        ordo.store.dispose()

    def test_concurrent_intake_of_scarce_skus_never_oversells(self, app, url, pool):
        per_worker, shared = 50, 6
        reports = pool.run("intake", url, SCARCE, per_worker, shared, 2)

        outcomes = Counter(r["outcome"] for report in reports for r in report)
        assert outcomes == {"created": WORKERS * per_worker + shared, "duplicate": (WORKERS - 1) * shared}
        # The same channel order sent by every worker at once was created once; all got its id.
        for i in range(shared):
            seen = [r for report in reports for r in report if r["external_id"] == f"SHARED-{i}"]
            assert sorted(r["outcome"] for r in seen) == ["created"] + ["duplicate"] * (WORKERS - 1)
            assert len({r["order_id"] for r in seen}) == 1
        levels = stock_levels(app)
        # Every row: reserved within on hand minus safety stock.
        for s in levels.values():
            assert 0 <= s.reserved <= s.on_hand - s.safety, s
        # Reservations are exactly the units of the orders that were given a warehouse.
        reserved = Counter({k: s.reserved for k, s in levels.items() if s.reserved})
        assert reserved == allocated_units(app)
        # The workers' own reports agree with the books.
        shipped_from = Counter(
            r["warehouse_id"]
            for report in reports
            for r in report
            if r["outcome"] == "created" and r["warehouse_id"]
        )
        assert sum(shipped_from.values()) == sum(reserved.values())
        # No more promised than there was; and nothing refused while stock was left.
        O, L = t.orders.c, t.order_lines.c
        demand = Counter(dict(rows(app, sa.select(L.sku, sa.func.count()).group_by(L.sku))))
        promised = Counter(
            dict(
                rows(
                    app,
                    sa.select(L.sku, sa.func.count())
                    .join(t.orders, O.id == L.order_id)
                    .where(O.warehouse_id.is_not(None))
                    .group_by(L.sku),
                )
            )
        )
        for sku in SCARCE:
            assert promised[sku] <= AVAILABLE[sku]
            assert promised[sku] == min(demand[sku], AVAILABLE[sku]), sku
        assert sum(demand.values()) > sum(AVAILABLE.values())  # the test really was scarce
        with app.store.uow(read_only=True) as uow:
            assert (
                len(uow.outbox.after(0, limit=10_000, types=[ev.ORDER_CREATED]))
                == WORKERS * per_worker + shared
            )

    def test_concurrent_advance_on_the_same_orders_never_regresses_status(self, app, url, pool):
        created = intake(app, [new_order(f"A-{i}", [("SKU-TEA", 1)]) for i in range(16)])
        ids = [r.order_id for r in created if r.warehouse_id]
        assert len(ids) == 16
        m = Milestone
        path = [
            m.RELEASED_TO_WAREHOUSE,
            m.PICKED,
            m.PACKED,
            m.WAYBILL_ISSUED,
            m.OUTBOUND,
            m.COLLECTED,
            m.IN_TRANSIT,
            m.DELIVERED,
        ]
        updates: list[tuple[str, str, int]] = []
        for k, oid in enumerate(ids):
            steps = path[: 3 + k % 6]
            if k % 4 == 0:
                steps = [*steps, m.CANCELLED]  # a race between cancel and ship for some orders
            elif k % 4 == 1:
                steps = [*steps, m.ON_HOLD, m.RETURN_REQUESTED]
            updates += [(oid, s.value, T0 + 10 * i) for i, s in enumerate(steps)]
        reports = pool.run("advance", url, updates, 5)

        assert all(len(report) == len(updates) for report in reports)
        O, M, E = t.orders.c, t.milestones.c, t.events.c
        steps_of: dict[str, set[Milestone]] = {}
        for oid, step in rows(app, sa.select(M.order_id, M.milestone)):
            steps_of.setdefault(oid, set()).add(Milestone(step))
        status_of = dict(rows(app, sa.select(O.id, O.status)))
        for oid in ids:
            assert status_of[oid] == derive_status(steps_of[oid]), oid
            # Each step was recorded by exactly one worker; all others saw a duplicate or a refusal.
            sent = {s for o, s, _ in updates if o == oid}
            recorded = [
                r for report in reports for r in report if r["order_id"] == oid and r["outcome"] == "recorded"
            ]
            assert len(recorded) == len(steps_of[oid] & {Milestone(s) for s in sent})
        # The event log tells each order's story without a step backwards.
        for oid in ids:
            payloads = [
                p
                for (p,) in rows(
                    app,
                    sa.select(E.payload)
                    .where(E.order_id == oid, E.type == ev.MILESTONE_RECORDED)
                    .order_by(E.id),
                )
            ]
            ranks = [Status(p["status"]).rank for p in payloads]
            assert ranks == sorted(ranks), oid
            assert payloads[-1]["status"] == status_of[oid]
        # Stock follows: cancelled orders released, shipped ones consumed, the rest still reserved.
        levels = stock_levels(app)
        reserved = Counter({k: s.reserved for k, s in levels.items() if s.reserved})
        assert reserved == allocated_units(app)
        shipped = sum(1 for oid in ids if Milestone.OUTBOUND in steps_of[oid])
        on_hand = sum(s.on_hand for (w, sku), s in levels.items() if sku == "SKU-TEA")
        assert on_hand == sum(s.on_hand for s in LEVELS if s.sku == "SKU-TEA") - shipped
        assert any(Milestone.CANCELLED in steps_of[oid] for oid in ids) and shipped > 0

    def test_the_oversell_harness_races_processes_on_hot_skus_and_nothing_is_oversold(self, fresh_url):
        report = oversell.run(procs=WORKERS, db=fresh_url, orders=60)
        assert report["oversold_units"] == 0
        assert report["books_balance"] is True
        assert report["units_demanded"] > report["units_promisable"]  # it really was scarce
        assert 0 < report["units_reserved"] <= report["units_promisable"]
        assert report["orders_cancelled"] > 0  # releases raced the reserves

    def test_processes_starting_together_on_an_empty_database_migrate_it_once(self, fresh_url, pool):
        reports = pool.run("migrate", fresh_url)
        heads = migration_heads()
        assert len(reports) == WORKERS and all(r[0]["revision"] in heads for r in reports)


class TestConcurrencyOnSQLite(ConcurrencyContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url

    @pytest.fixture
    def fresh_url(self, tmp_path) -> str:
        return f"sqlite:///{tmp_path / 'fresh.db'}"


@pytest.mark.postgres
class TestConcurrencyOnPostgres(ConcurrencyContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url

    @pytest.fixture
    def fresh_url(self, pg_server) -> str:
        return pg_server()
