"""``ordo bench oversell``: N processes reserve the same hot SKUs at once; nothing oversells.

Each process (spawned: a fresh interpreter, as in production) bootstraps its own Ordo
on one database, waits at a barrier so all start together, then sends small batches
of orders for a few scarce SKUs through the ordinary service layer (intake reserves,
``cancel`` releases; some of each process's orders are cancelled again, so releases
race reserves). Afterwards the books are checked:

* per (warehouse, SKU), reserved ≤ on hand − safety stock (``oversold_units`` counts any excess);
* reservations equal the units of the orders that still hold them (``books_balance``);
* every unit the processes were told they got is backed by a reservation.

SQLite runs on a temporary file; PostgreSQL on a temporary database created on the
server of ``$ORDO_BENCH_PG_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``)
and dropped afterwards. A full database URL is used as it is and must be empty.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import random
import secrets
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ordo.adapters.geo import load_divisions
from ordo.adapters.store.schema import core as t
from ordo.bench.stats import machine
from ordo.bootstrap import bootstrap
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.orders.milestones import Milestone, Outcome
from ordo.domain.orders.model import Address, Line, Order, Sku, Stock, Warehouse, WarehouseClass
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import cancel
from ordo.service.runtime.app import Ordo
from ordo.sim.world import carriers

#: 2026-11-11 00:00 Asia/Shanghai (双十一), in UTC ns: every process's clock.
NOW_NS = 1_794_326_400 * 1_000_000_000
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
WAREHOUSES = (
    Warehouse("WH-SH", "上海嘉定仓", "上海市", "上海市", "310114", 31.3747, 121.2655, WarehouseClass.OWN),
    Warehouse(
        "WH-BJ", "北京大兴仓", "北京市", "北京市", "110115", 39.7269, 116.3416, WarehouseClass.REGIONAL
    ),
    Warehouse("WH-GZ", "广州白云仓", "广东省", "广州市", "440111", 23.1579, 113.2732, WarehouseClass.OWN),
    Warehouse(
        "WH-CD", "成都双流仓", "四川省", "成都市", "510116", 30.5728, 103.9238, WarehouseClass.THIRD_PARTY
    ),
)
HOT = (
    Sku("HOT-PHONE", "限量版手机", "digital", 599_900, 400),
    Sku("HOT-SNEAKER", "联名款球鞋", "shoes", 129_900, 1_200),
    Sku("HOT-TEA", "明前龙井 礼盒", "tea", 68_800, 600),
)
#: Few units, spread thin, some behind safety stock: far fewer than the processes ask for.
LEVELS = (
    Stock("WH-SH", "HOT-PHONE", 40, safety=5),
    Stock("WH-BJ", "HOT-PHONE", 25),
    Stock("WH-GZ", "HOT-PHONE", 20, safety=2),
    Stock("WH-CD", "HOT-PHONE", 10),
    Stock("WH-SH", "HOT-SNEAKER", 30),
    Stock("WH-GZ", "HOT-SNEAKER", 30, safety=3),
    Stock("WH-BJ", "HOT-TEA", 15, safety=1),
    Stock("WH-CD", "HOT-TEA", 15),
)
DESTINATIONS = (
    ("浙江省", "杭州市", "西湖区"),
    ("北京市", "北京市", "朝阳区"),
    ("广东省", "深圳市", "南山区"),
    ("四川省", "成都市", "武侯区"),
    ("江苏省", "南京市", "玄武区"),
    ("湖北省", "武汉市", "洪山区"),
)
#: Orders per intake call, and one in this many created orders is cancelled again.
BATCH = 10
CANCEL_ONE_IN = 4


def run(*, procs: int = 8, db: str = "sqlite", orders: int = 200) -> dict[str, Any]:
    """Race ``procs`` processes of ``orders`` orders each; return the figures and the verdict."""
    with _database(db) as url:
        app = bootstrap(Settings(database_url=url), clock=ManualClock(NOW_NS))
        try:
            ctx = mp.get_context("spawn")
            save_catalog(
                app, warehouses=WAREHOUSES, carriers=carriers(load_divisions()), skus=HOT, stock=LEVELS
            )
            barrier, results = ctx.Barrier(procs), ctx.Queue()
            workers = [
                ctx.Process(target=_worker, args=(w, url, orders, barrier, results)) for w in range(procs)
            ]
            for p in workers:
                p.start()
            reports, errors = _collect(results, procs)
            for p in workers:
                p.join(timeout=30)
            if errors:
                raise RuntimeError("\n".join(errors))
            report = _books(app, reports)
        finally:
            app.store.dispose()
    seconds = max(r["seconds"] for r in reports)
    return {
        "bench": "oversell",
        "machine": machine(),
        "params": {"procs": procs, "orders_per_proc": orders, "batch": BATCH, "db": app.store.dialect},
        **report,
        "orders_per_s": round(sum(r["sent"] for r in reports) / seconds, 1) if seconds else None,
        "seconds": round(seconds, 3),
    }


def _collect(results: Queue[Any], procs: int) -> tuple[list[dict[str, Any]], list[str]]:
    reports: list[dict[str, Any]] = []
    errors: list[str] = []
    try:
        for _ in range(procs):
            worker, report, error = results.get(timeout=300)
            if error:
                errors.append(f"process {worker}:\n{error}")
            else:
                reports.append(report)
    except queue.Empty:
        errors.append("a process neither answered nor failed within 300 s")
    return reports, errors


def _worker(worker: int, url: str, n_orders: int, barrier: Barrier, results: Queue[Any]) -> None:
    app: Ordo | None = None
    try:
        app = bootstrap(Settings(database_url=url), clock=ManualClock(NOW_NS), migrate=False)
        with app.store.uow(read_only=True) as uow:  # connect before the race, not during it
            uow.connection.exec_driver_sql("SELECT 1")
        batches = _orders(worker, n_orders)
        barrier.wait(timeout=120)
        results.put((worker, _race(app, batches), None))
    except BaseException:
        barrier.abort()  # nobody waits for a process that will not come
        results.put((worker, None, traceback.format_exc()))
    finally:
        if app is not None:
            app.store.dispose()


def _race(app: Ordo, batches: list[list[Order]]) -> dict[str, Any]:
    started = time.perf_counter()
    got: Counter[str] = Counter()
    held, cancelled, sent = 0, 0, 0
    for batch in batches:
        sent += len(batch)
        created = [(r, o) for r, o in zip(intake(app, batch), batch, strict=True) if r.warehouse_id]
        for r, _ in created:  # each parcel's units at its own warehouse (a split order has several)
            for warehouse, lines in r.parcels:
                got.update({f"{warehouse}|{sku}": q for sku, q in lines})
            held += 1
        doomed = {str(r.order_id): (r, o) for r, o in created[::CANCEL_ONE_IN]}
        for res in cancel(app, list(doomed), reason="bench: buyer changed their mind") if doomed else []:
            if res.outcome is Outcome.RECORDED:  # released: these units are no longer ours
                r, _ = doomed[res.update.order_id]
                for warehouse, lines in r.parcels:
                    got.subtract({f"{warehouse}|{sku}": q for sku, q in lines})
                cancelled += 1
    return {
        "sent": sent,
        "reserved_orders": held,
        "cancelled": cancelled,
        "units_held": {k: v for k, v in got.items() if v},
        "seconds": time.perf_counter() - started,
    }


def _orders(worker: int, n: int) -> list[list[Order]]:
    rng = random.Random(worker)
    out: list[Order] = []
    for i in range(n):
        province, city, district = rng.choice(DESTINATIONS)
        picks = rng.sample(HOT, rng.choice((1, 1, 1, 2)))
        lines = tuple(Line(s.sku, rng.randint(1, 3), s.price_fen) for s in picks)
        out.append(
            Order(
                id="",
                channel=rng.choice(("tmall", "douyin", "jd", "pinduoduo")),
                external_id=f"OV-{worker}-{i}",
                customer_ref=f"C-{worker}-{i % 17}",
                ship_to=Address(province, city, district, "示例路 1 号", name="李四", phone="13900001111"),
                lines=lines,
                placed_at_ns=NOW_NS,
                paid_at_ns=NOW_NS,
            )
        )
    return [out[i : i + BATCH] for i in range(0, n, BATCH)]


def _books(app: Ordo, reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Check the store's stock against the orders that hold it and what the processes saw."""
    O, L, M, S = t.orders.c, t.order_lines.c, t.milestones.c, t.stock.c
    done = sa.select(M.order_id).where(M.milestone.in_([Milestone.CANCELLED.value, Milestone.OUTBOUND.value]))
    held_q = (
        # Each line where it is held: at intake every line records its warehouse (a split
        # order's lines differ); no order here is re-routed.
        sa.select(sa.func.coalesce(L.warehouse_id, O.warehouse_id), L.sku, sa.func.sum(L.quantity))
        .join(t.order_lines, L.order_id == O.id)
        .where(O.warehouse_id.is_not(None), O.id.not_in(done))
        .group_by(sa.func.coalesce(L.warehouse_id, O.warehouse_id), L.sku)
    )
    with app.store.uow(read_only=True) as uow:
        rows = uow.connection.execute(sa.select(S.warehouse_id, S.sku, S.on_hand, S.reserved, S.safety)).all()
        held = Counter({(w, s): int(n) for w, s, n in uow.connection.execute(held_q)})
        demanded = int(uow.connection.execute(sa.select(sa.func.sum(L.quantity))).scalar_one() or 0)
    reserved = Counter({(w, s): int(r) for w, s, _, r, _ in rows if r})
    oversold = sum(max(0, r - max(0, on - sf)) for _, _, on, r, sf in rows)
    told: Counter[tuple[str, str]] = Counter()
    for report in reports:
        for key, units in report["units_held"].items():
            warehouse, sku = key.split("|", 1)
            told[(warehouse, sku)] += units
    return {
        "hot_skus": [s.sku for s in HOT],
        "units_on_hand": sum(on for _, _, on, _, _ in rows),
        "units_promisable": sum(max(0, on - sf) for _, _, on, _, sf in rows),
        "units_demanded": demanded,
        "units_reserved": sum(reserved.values()),
        "units_held_by_processes": sum(told.values()),
        "orders_reserved": sum(r["reserved_orders"] for r in reports),
        "orders_cancelled": sum(r["cancelled"] for r in reports),
        "oversold_units": oversold,
        # The store's reservations, the orders holding them, and what the processes were told.
        "books_balance": reserved == held == told,
    }


@contextmanager
def _database(db: str) -> Iterator[str]:
    if db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ordo-oversell-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'oversell.db'}"
    elif db in ("postgres", "postgresql"):
        admin_url = os.environ.get("ORDO_BENCH_PG_URL", PG_ADMIN_URL)
        name = f"ordo_oversell_{os.getpid()}_{secrets.token_hex(3)}"
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            yield admin_url.rsplit("/", 1)[0] + "/" + name
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    else:
        yield db
