"""``ordo bench intake``: orders/s and latency through the service layer and through HTTP,
beside the raw SQLite insert rate of the same rows (no validation, no rules, no routing).

The service run is the full pipeline: validate, the live rules (:data:`BENCH_RULES`, 20
sentences of every category that acts at intake, published through governance first),
the multi-objective router, reservation, and orders + lines + milestones + events + rule
outcomes + decision snapshots written in one transaction per batch. ``rules`` and
``routing`` in the report say what the rules did and how the orders were routed, with the
stored size of a decision. The raw run inserts the very rows the service wrote (decision
snapshots and rule outcomes read back from it) with plain sqlite3 executemany, so the
ratio ``ratio_vs_raw_sqlite`` says how close Ordo's intake is to the storage limit.
Everything runs on fresh SQLite files in a temporary directory.
"""

from __future__ import annotations

import dataclasses
import gc
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
from ordo.adapters.store.repositories.order_rows import LINE_COLUMNS, ORDER_COLUMNS, order_tuples_of
from ordo.adapters.store.sqlite import TUNING
from ordo.bench.http import bench_http
from ordo.bench.stats import latency_ms, machine
from ordo.bootstrap import bootstrap
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import AcceptedOrder, Order
from ordo.service.orders.intake import IntakeOutcome, intake
from ordo.service.runtime.app import Ordo
from ordo.sim.demand import OrderFactory, schedule
from ordo.sim.world import World, generate_world, load_world

#: The world's stock is multiplied by this so a long run measures intake, not stock-outs.
STOCK_DEPTH = 1000


#: Twenty rules of the kinds intake applies: promotions, freight, a gift, review holds,
#: tags, carrier / profile / warehouse / split routing. ``{gift}`` is one of the world's gifts.
BENCH_RULES = (
    "满299减30",
    "叠加满999减150",
    "每满200减20 上限100元",
    "如果 订单来自上海 且 含赠品 则 运费减免5元",
    "当 订单来自浙江 时 运费减免3元",
    "当 渠道为拼多多 且 订单金额 > 99元 时 免运费",
    "满399送 {gift}",
    '当 订单金额 > 8000元 时 转人工审核 原因 "大额订单"',
    '当 订单金额 > 3000元 且 渠道为抖音 时 转人工审核 原因 "直播大额"',
    "当 客户等级为钻石 时 标记 加急",
    "当 订单金额 > 1000元 时 标记 高价值",
    '当 订单含"紧急"标签 时 红标预警',
    "新疆,西藏 走 邮政",
    "当 订单来自北京 时 优先 WH-PEK-02",
    "当 订单来自广东 时 权重方案 大促",
    "当 渠道为京东 时 走 京东物流",
    "当 订单来自四川 时 排除仓库 WH-SHA-01",
    "当 订单金额 < 30元 时 不拆单",
    "when order.amount > 200000 then tag big_basket",
    "when order.channel = douyin then tag live_stream",
)


def run(*, orders: int, batch: int, http_orders: int, seed: int, rules: bool = True) -> dict[str, Any]:
    world = deep_stock(generate_world(seed))
    generated = generate_orders(world, orders + http_orders, seed)
    with tempfile.TemporaryDirectory(prefix="ordo-bench-") as tmp:
        service = bench_service(Path(tmp) / "service.db", world, generated[:orders], batch, rules=rules)
        extra = written_extras(Path(tmp) / "service.db")
        raw = bench_raw_sqlite(Path(tmp) / "raw.db", generated[:orders], batch, extra)
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
            "rules": len(BENCH_RULES) if rules else 0,
        },
        "service": service,
        "raw_sqlite": raw,
        "ratio_vs_raw_sqlite": round(service["orders_per_s"] / raw["orders_per_s"], 3),
        "cpu_ratio_vs_raw_sqlite": round(service["cpu_orders_per_s"] / raw["cpu_orders_per_s"], 3),
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


def install_rules(app: Ordo, world: World) -> int:
    """Publish :data:`BENCH_RULES` the way people do: draft, backtest, submit, approve, publish."""
    from ordo.domain.access import Role
    from ordo.service.rules.backtest import backtest_draft
    from ordo.service.rules.versions import Actor, approve, create_draft, publish, submit

    author, approver = Actor("bench-author", Role.OPS), Actor("bench-approver", Role.ADMIN)
    text = "\n".join(BENCH_RULES).format(gift=world.gift_skus[0])
    draft = create_draft(app, author, note="benchmark rule set", text=text)["id"]
    backtest_draft(app, author, draft, note="benchmark backtest")
    if submit(app, author, draft, note="benchmark")["status"] != "approved":
        approve(app, approver, draft, note="benchmark")
    return int(publish(app, author, draft, note="benchmark")["version"])


def bench_service(
    path: Path, world: World, orders: Sequence[Order], batch: int, *, rules: bool = True
) -> dict[str, Any]:
    """Batches through ``ordo.service.orders.intake.intake`` (validate, dedupe, locate, rules, route,
    reserve, persist orders + lines + milestones + events + outcomes + decisions) in one
    transaction each."""
    clock = ManualClock(max(o.placed_at_ns for o in orders))
    app = fresh_app(path, world, clock)
    if rules:
        install_rules(app, world)
    per_batch: list[float] = []
    created = 0
    # The pre-generated input (every order of the run, alive throughout) is not what a server
    # holds: moved out of the collector's sight, it is not rescanned at every full collection.
    gc.collect()
    gc.freeze()
    cpu = time.process_time()
    start = time.perf_counter()
    for i in range(0, len(orders), batch):
        t0 = time.perf_counter()
        results = intake(app, orders[i : i + batch])
        per_batch.append(time.perf_counter() - t0)
        created += sum(r.outcome is IntakeOutcome.CREATED for r in results)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    gc.unfreeze()
    with app.store.uow(read_only=True) as uow:
        conn = uow.connection
        fired = conn.exec_driver_sql(
            "SELECT count(*), sum(fired != ''), sum(held), sum(discount_fen) FROM rule_outcomes"
        ).one()
        firings = sum(
            len(f.split(","))
            for (f,) in conn.exec_driver_sql("SELECT fired FROM rule_outcomes WHERE fired != ''")
        )
        statuses: dict[str, int] = dict(
            conn.exec_driver_sql("SELECT status, count(*) FROM routing_decisions GROUP BY status").all()
        )
        size = conn.exec_driver_sql("SELECT avg(length(data)), count(*) FROM routing_decisions").one()
        holds: dict[str | None, int] = dict(
            conn.exec_driver_sql("SELECT hold_reason, count(*) FROM orders GROUP BY hold_reason").all()
        )
    app.store.dispose()
    return {
        "orders": len(orders),
        "created": created,
        "seconds": round(elapsed, 3),
        "orders_per_s": round(len(orders) / elapsed, 1),
        # CPU time of this process (SQLite runs in it): steadier than wall time on a shared machine.
        "cpu_seconds": round(cpu, 3),
        "cpu_orders_per_s": round(len(orders) / cpu, 1),
        "batch_latency": latency_ms(per_batch),
        "rules": {
            "orders_evaluated": fired[0],
            "orders_with_a_rule_fired": int(fired[1] or 0),
            "rules_fired": firings,
            "held_for_review": int(fired[2] or 0),
            "discount_fen": int(fired[3] or 0),
        },
        "routing": {
            "decisions": size[1],
            "by_status": statuses,
            "decision_bytes_avg": round(float(size[0] or 0), 1),
            "holds": {str(k): v for k, v in holds.items() if k is not None},
        },
    }


def written_extras(path: Path) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """The decision and rule-outcome rows the service wrote, by (channel, external id)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    out: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for table in ("routing_decisions", "rule_outcomes"):
        sql = f"SELECT o.channel, o.external_id, x.* FROM {table} x JOIN orders o ON o.id = x.order_id"
        for r in conn.execute(sql):
            row = dict(r)
            key = (row.pop("channel"), row.pop("external_id"))
            out.setdefault(key, []).append((table, row))
    conn.close()
    return out


def bench_raw_sqlite(
    path: Path,
    orders: Sequence[Order],
    batch: int,
    extra: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] | None = None,
) -> dict[str, Any]:
    """The same rows Ordo writes for these orders (order, lines, four milestones, one event,
    and the decision and rule-outcome rows the service wrote for them), inserted with plain
    sqlite3 executemany into the same schema: the storage limit."""
    open_store(f"sqlite:///{path}").dispose()  # Ordo's own schema and indexes
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    for pragma in TUNING:
        conn.execute(pragma)
    conn.execute("PRAGMA foreign_keys=OFF")
    now = max(o.placed_at_ns for o in orders)
    rows = [_raw_rows(orders[i : i + batch], now, i, extra or {}) for i in range(0, len(orders), batch)]
    cpu = time.process_time()
    start = time.perf_counter()
    for tables in rows:
        conn.execute("BEGIN IMMEDIATE")
        for table, table_rows in tables.items():
            _insert(conn, table, table_rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    conn.close()
    return {
        "orders": len(orders),
        "seconds": round(elapsed, 3),
        "orders_per_s": round(len(orders) / elapsed, 1),
        "cpu_seconds": round(cpu, 3),
        "cpu_orders_per_s": round(len(orders) / cpu, 1),
    }


def _raw_rows(
    orders: Sequence[Order],
    now: int,
    first: int,
    extra: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]],
) -> dict[str, list[dict[str, Any]]]:
    accepted = [
        AcceptedOrder(
            dataclasses.replace(o, id=f"RAW{n:012d}{o.external_id[-6:]}"), "processing", "WH", None, now
        )
        for n, o in enumerate(orders, start=first)
    ]
    order_tuples, line_tuples = order_tuples_of(accepted)
    order_rows = [dict(zip(ORDER_COLUMNS, r, strict=True)) for r in order_tuples]
    line_rows = [dict(zip(LINE_COLUMNS, r, strict=True)) for r in line_tuples]
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
    out = {"orders": order_rows, "order_lines": line_rows, "milestones": step_rows, "events": event_rows}
    for a in accepted:
        for table, row in extra.get((a.order.channel, a.order.external_id), ()):
            out.setdefault(table, []).append({**row, "order_id": a.order.id})
    return out


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
    conn.executemany(sql, rows)
