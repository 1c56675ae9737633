"""``ordo bench customers``: does the customer-value refresh keep up with 5,000 orders/s intake?

Two parts, on fresh SQLite files in a temporary directory (or the database ``--db`` names, for
the refresh part):

* **refresh** — the path intake runs for customer value, alone, batch after batch in one
  transaction each: read each order's customer from ``customer_stats`` and judge its recency,
  RFM scores and group (``service.customers.value.history_stats``, what the rules read), then
  add the orders to the running statistics (``add_orders``, the upsert intake always runs).
  It reports the cost per order of each step and the sustained rate of the whole path, against
  the target of 5,000 orders/s.
* **intake** — the full intake (``ordo bench intake``'s twenty rules, A), the same plus four
  rules that read customer value (客户分群, 距上次下单天数, RFM, 累计消费; B), so intake also
  reads and judges every order's customer, and the same plus four rules with the same actions
  on order fields (C). B over A is what value rules cost intake; B over C what reading and
  judging customer value costs apart from four more rules. Each side runs ``rounds`` times
  on its own fresh file, in turn.
"""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ordo.bench.intake import BENCH_RULES, deep_stock, fresh_app, generate_orders
from ordo.bench.stats import latency_ms, machine
from ordo.bootstrap import bootstrap
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.orders.model import Order
from ordo.service.customers.value import default_model, history_stats
from ordo.service.orders.intake import IntakeOutcome, intake
from ordo.service.runtime.app import Ordo
from ordo.sim.world import World, generate_world

TARGET_PER_S = 5_000
#: Rules that read customer value, added to the intake bench's twenty for the B side.
VALUE_RULES = (
    "如果 客户分群 为 重要价值客户 则 标记 重点客户",
    "如果 距上次下单天数 >= 30 则 标记 回流",
    "如果 客户R值 >= 4 且 客户F值 >= 3 则 标记 活跃",
    "如果 客户累计消费 > 5000元 则 标记 老客",
)
#: The same four actions on order fields only (the C side): B over C is what reading and
#: judging customer value costs, apart from evaluating four more rules.
ORDER_RULES = (
    "如果 订单金额 > 800元 则 标记 重点客户",
    "如果 商品行数 >= 3 则 标记 回流",
    "如果 商品件数 >= 3 且 订单金额 > 100元 则 标记 活跃",
    "如果 订单金额 > 5000元 则 标记 老客",
)


def run(
    *,
    orders: int = 100_000,
    customers: int = 20_000,
    batch: int = 1_000,
    intake_orders: int = 10_000,
    rounds: int = 3,
    seed: int = 1,
    db: str | None = None,
) -> dict[str, Any]:
    world = deep_stock(generate_world(seed, customers=customers))
    generated = generate_orders(world, max(orders, intake_orders), seed)
    with tempfile.TemporaryDirectory(prefix="ordo-bench-customers-") as tmp:
        refresh = bench_refresh(db or f"sqlite:///{Path(tmp) / 'refresh.db'}", generated[:orders], batch)
        ab = (
            bench_intake_ab(Path(tmp), world, generated[:intake_orders], batch, rounds)
            if intake_orders
            else None
        )
    return {
        "bench": "customers",
        "target_orders_per_s": TARGET_PER_S,
        "customers_in_world": customers,
        "refresh": refresh,
        "intake_ab": ab,
        "machine": machine(),
    }


def bench_refresh(url: str, orders: Sequence[Order], batch: int) -> dict[str, Any]:
    """The refresh path alone, one transaction per batch: read + judge, then the upsert."""
    app = bootstrap(Settings(database_url=url), clock=ManualClock(o_now(orders)), rng=random.Random(1))
    model = default_model()
    with app.store.uow() as uow:  # a reused database starts from what its orders say
        uow.customer_stats.rebuild(0)
        uow.commit()
    read_s: list[float] = []
    write_s: list[float] = []
    read_cpu = write_cpu = 0.0
    per_batch: list[float] = []
    gc.collect()
    gc.freeze()
    cpu = time.process_time()
    start = time.perf_counter()
    for i in range(0, len(orders), batch):
        chunk = orders[i : i + batch]
        t0, c0 = time.perf_counter(), time.process_time()
        with app.store.uow() as uow:
            history_stats(uow, chunk, model)
            t1, c1 = time.perf_counter(), time.process_time()
            uow.customer_stats.add_orders(
                [(o.customer_ref, o.total_fen, o.placed_at_ns) for o in chunk], o_now(chunk)
            )
            uow.commit()
        t2, c2 = time.perf_counter(), time.process_time()
        read_cpu += c1 - c0
        write_cpu += c2 - c1
        read_s.append(t1 - t0)
        write_s.append(t2 - t1)
        per_batch.append(t2 - t0)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    gc.unfreeze()
    with app.store.uow(read_only=True) as uow:
        kept = len(uow.customer_stats.every())
    app.store.dispose()
    n = len(orders)
    rate = n / elapsed
    return {
        "backend": url.split(":", 1)[0].split("+", 1)[0],
        "orders": n,
        "batch": batch,
        "customers_kept": kept,
        "seconds": round(elapsed, 3),
        "orders_per_s": round(rate, 1),
        "cpu_orders_per_s": round(n / cpu, 1) if cpu > 0 else None,
        "us_per_order": {
            "read_and_judge": round(sum(read_s) / n * 1e6, 2),
            "upsert_and_commit": round(sum(write_s) / n * 1e6, 2),
            "total": round(elapsed / n * 1e6, 2),
        },
        # CPU time of this process (SQLite runs in it): what the path costs on a core of its own.
        "cpu_us_per_order": {
            "read_and_judge": round(read_cpu / n * 1e6, 2),
            "upsert_and_commit": round(write_cpu / n * 1e6, 2),
        },
        "batch_latency": latency_ms(per_batch),
        "keeps_up": rate >= TARGET_PER_S,
        "headroom_vs_target": round(rate / TARGET_PER_S, 2),
    }


def o_now(chunk: Sequence[Order]) -> int:
    return max(o.placed_at_ns for o in chunk)


def _install(app: Ordo, world: World, extra: Sequence[str]) -> None:
    from ordo.domain.access import Role
    from ordo.service.rules.backtest import backtest_draft
    from ordo.service.rules.versions import Actor, approve, create_draft, publish, submit

    author, approver = Actor("bench-author", Role.OPS), Actor("bench-approver", Role.ADMIN)
    text = "\n".join((*BENCH_RULES, *extra)).format(gift=world.gift_skus[0])
    draft = create_draft(app, author, note="benchmark rule set", text=text)["id"]
    backtest_draft(app, author, draft, note="benchmark backtest")
    if submit(app, author, draft, note="benchmark")["status"] != "approved":
        approve(app, approver, draft, note="benchmark")
    publish(app, author, draft, note="benchmark")


def _intake_once(
    path: Path, world: World, orders: Sequence[Order], batch: int, extra: Sequence[str]
) -> dict[str, Any]:
    clock = ManualClock(max(o.placed_at_ns for o in orders))
    app = fresh_app(path, world, clock)
    _install(app, world, extra)
    created = 0
    gc.collect()
    gc.freeze()
    cpu = time.process_time()
    start = time.perf_counter()
    for i in range(0, len(orders), batch):
        created += sum(r.outcome is IntakeOutcome.CREATED for r in intake(app, orders[i : i + batch]))
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    gc.unfreeze()
    tagged = 0
    if extra:
        with app.store.uow(read_only=True) as uow:
            tagged = int(
                uow.connection.exec_driver_sql(
                    "SELECT count(*) FROM orders WHERE tags LIKE '%重点客户%' OR tags LIKE '%回流%'"
                    " OR tags LIKE '%活跃%' OR tags LIKE '%老客%'"
                ).scalar_one()
            )
    app.store.dispose()
    return {
        "orders_per_s": len(orders) / elapsed,
        "cpu_orders_per_s": len(orders) / cpu if cpu > 0 else 0.0,
        "created": created,
        "tagged_by_value_rules": tagged,
    }


def bench_intake_ab(
    tmp: Path, world: World, orders: Sequence[Order], batch: int, rounds: int
) -> dict[str, Any]:
    """Intake with the twenty rules (A) and with the value rules added (B), alternated."""
    a: list[dict[str, Any]] = []
    b: list[dict[str, Any]] = []
    c: list[dict[str, Any]] = []
    for r in range(rounds):
        a.append(_intake_once(tmp / f"a{r}.db", world, orders, batch, ()))
        b.append(_intake_once(tmp / f"b{r}.db", world, orders, batch, VALUE_RULES))
        c.append(_intake_once(tmp / f"c{r}.db", world, orders, batch, ORDER_RULES))

    def med(runs: list[dict[str, Any]], key: str) -> float:
        return round(float(statistics.median(float(x[key]) for x in runs)), 1)

    return {
        "orders": len(orders),
        "rounds": rounds,
        "a_twenty_rules": {
            "orders_per_s": med(a, "orders_per_s"),
            "cpu_orders_per_s": med(a, "cpu_orders_per_s"),
        },
        "b_plus_value_rules": {
            "orders_per_s": med(b, "orders_per_s"),
            "cpu_orders_per_s": med(b, "cpu_orders_per_s"),
            "tagged_by_value_rules": b[-1]["tagged_by_value_rules"],
        },
        "c_plus_order_rules": {
            "orders_per_s": med(c, "orders_per_s"),
            "cpu_orders_per_s": med(c, "cpu_orders_per_s"),
        },
        "ratio_b_over_a": round(med(b, "orders_per_s") / med(a, "orders_per_s"), 3),
        "cpu_ratio_b_over_a": round(med(b, "cpu_orders_per_s") / med(a, "cpu_orders_per_s"), 3),
        "cpu_ratio_b_over_c": round(med(b, "cpu_orders_per_s") / med(c, "cpu_orders_per_s"), 3),
    }
