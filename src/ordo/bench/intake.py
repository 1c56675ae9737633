"""``ordo bench intake``: orders/s and latency through the service layer and through HTTP,
beside the raw SQLite insert rate of the same rows (no validation, no stock, no routing).

The ratio ``ratio_vs_raw_sqlite`` says how close Ordo's intake is to the storage limit.
Everything runs on fresh SQLite files in a temporary directory.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from ordo.adapters.geo import load_divisions
from ordo.adapters.store import open_store
from ordo.adapters.store.orders import order_rows_of
from ordo.adapters.store.sqlite import TUNING
from ordo.bench.http import bench_http
from ordo.bench.stats import latency_ms, machine
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.lifecycle import Milestone
from ordo.domain.model import AcceptedOrder, Order
from ordo.service.app import Ordo, bootstrap
from ordo.service.intake import IntakeOutcome, intake
from ordo.sim.demand import OrderFactory, schedule
from ordo.sim.world import World, generate_world, load_world

#: The world's stock is multiplied by this so a long run measures intake, not stock-outs.
STOCK_DEPTH = 1000


def run(*, orders: int, batch: int, http_orders: int, seed: int) -> dict[str, Any]:
    world = deep_stock(generate_world(seed))
    generated = generate_orders(world, orders + http_orders, seed)
    with tempfile.TemporaryDirectory(prefix="ordo-bench-") as tmp:
        service = bench_service(Path(tmp) / "service.db", world, generated[:orders], batch)
        raw = bench_raw_sqlite(Path(tmp) / "raw.db", generated[:orders], batch)
        http = (
            bench_http(Path(tmp) / "http.db", world, generated[orders:], batch=min(batch, 100))
            if http_orders
            else None
        )
    report: dict[str, Any] = {
        "bench": "intake",
        "machine": machine(),
        "params": {
            "orders": orders,
            "batch": batch,
            "http_orders": http_orders,
            "seed": seed,
            "store": "sqlite (WAL, synchronous=NORMAL)",
        },
        "service": service,
        "raw_sqlite": raw,
        "ratio_vs_raw_sqlite": round(service["orders_per_s"] / raw["orders_per_s"], 3),
    }
    if http is not None:
        report["http"] = http
    return report


def generate_orders(world: World, n: int, seed: int) -> list[Order]:
    """A day's worth of simulated orders (the simulator's factory and demand curve)."""
    factory = OrderFactory(world, load_divisions(), seed)
    start = 1_794_326_400 * 1_000_000_000  # 2026-11-11 00:00 Asia/Shanghai
    return [factory.make(at) for at in schedule(factory.curve, start, n, random.Random(seed))]


def deep_stock(world: World) -> World:
    stock = tuple(dataclasses.replace(s, on_hand=s.on_hand * STOCK_DEPTH + 1000) for s in world.stock)
    return dataclasses.replace(world, stock=stock)


def fresh_app(path: Path, world: World, clock: ManualClock) -> Ordo:
    app = bootstrap(Settings(database_url=f"sqlite:///{path}"), clock=clock, rng=random.Random(1))
    load_world(app, world)
    return app


def bench_service(path: Path, world: World, orders: Sequence[Order], batch: int) -> dict[str, Any]:
    """Batches through ``ordo.service.intake.intake`` (validate, dedupe, locate, allocate,
    reserve, persist orders + lines + milestones + events) in one transaction each."""
    clock = ManualClock(max(o.placed_at_ns for o in orders))
    app = fresh_app(path, world, clock)
    per_batch: list[float] = []
    created = 0
    start = time.perf_counter()
    for i in range(0, len(orders), batch):
        t0 = time.perf_counter()
        results = intake(app, orders[i : i + batch])
        per_batch.append(time.perf_counter() - t0)
        created += sum(r.outcome is IntakeOutcome.CREATED for r in results)
    elapsed = time.perf_counter() - start
    app.store.dispose()
    return {
        "orders": len(orders),
        "created": created,
        "seconds": round(elapsed, 3),
        "orders_per_s": round(len(orders) / elapsed, 1),
        "batch_latency": latency_ms(per_batch),
    }


def bench_raw_sqlite(path: Path, orders: Sequence[Order], batch: int) -> dict[str, Any]:
    """The same rows Ordo writes for these orders (order, lines, four milestones, one event),
    inserted with plain sqlite3 executemany into the same schema: the storage limit."""
    open_store(f"sqlite:///{path}").dispose()  # Ordo's own schema and indexes
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    for pragma in TUNING:
        conn.execute(pragma)
    conn.execute("PRAGMA foreign_keys=OFF")
    now = max(o.placed_at_ns for o in orders)
    rows = [_raw_rows(orders[i : i + batch], now) for i in range(0, len(orders), batch)]
    start = time.perf_counter()
    for order_rows, line_rows, step_rows, event_rows in rows:
        conn.execute("BEGIN IMMEDIATE")
        _insert(conn, "orders", order_rows)
        _insert(conn, "order_lines", line_rows)
        _insert(conn, "milestones", step_rows)
        _insert(conn, "events", event_rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return {
        "orders": len(orders),
        "seconds": round(elapsed, 3),
        "orders_per_s": round(len(orders) / elapsed, 1),
    }


def _raw_rows(orders: Sequence[Order], now: int) -> tuple[list[dict[str, Any]], ...]:
    accepted = [
        AcceptedOrder(
            dataclasses.replace(o, id=f"RAW{n:012d}{o.external_id[-6:]}"), "processing", "WH", None, now
        )
        for n, o in enumerate(orders)
    ]
    order_rows, line_rows = order_rows_of(accepted)
    for r in order_rows:
        r["tags"] = orjson.dumps(r["tags"]).decode()
    steps = (Milestone.CREATED, Milestone.PAID, Milestone.STOCK_LOCKED, Milestone.ROUTED)
    step_rows = [
        {"order_id": a.order.id, "milestone": m.value, "at_ns": now, "source": "raw", "recorded_at_ns": now}
        for a in accepted
        for m in steps
    ]
    event_rows = [
        {
            "type": "order.created",
            "order_id": a.order.id,
            "channel": a.order.channel,
            "at_ns": now,
            "payload": orjson.dumps({"status": "processing"}).decode(),
        }
        for a in accepted
    ]
    return order_rows, line_rows, step_rows, event_rows


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
    conn.executemany(sql, rows)
