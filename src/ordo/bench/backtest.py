"""``ordo bench backtest``: replay 100 rules over N stored orders, reading included.

Seeds N synthetic orders (default 1,000,000) straight into the store with bulk inserts
(:func:`ordo.adapters.store.rows.bulk_insert`: orders, one or two lines each, and the
stock-locked / routed milestones of most of them), *not* through intake: intake's
allocation and outbox are not what this measures, and a million orders through it
would take minutes. A database that already holds orders is reused as it is.

Then measures, each figure named with its unit:

* ``parse_compile_ms_per_rule`` – parse one sentence and compile it to a closure (median
  over the 100; the first, which loads the grammar and glossary, apart; and the whole set
  compiled into one function);
* ``read_s`` – the facts table from the store (columnar when ConnectorX can reach it:
  ``columnar_reader``; else one query per table per chunk through the driver);
* ``evaluate_s`` – both rule sets (≈50 old, 100 new) over the table, outcomes and report;
* ``backtest_s`` – the whole :func:`ordo.service.rules.backtest.backtest_rulesets` call;

with the CPU seconds of the read and the evaluation beside their wall time (this process
and the read's worker), and the 1-minute load average, so figures from a busy machine
can be told apart.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from ordo.adapters.store.rows import bulk_insert
from ordo.adapters.store.schema import core as t
from ordo.bench.rules_data import bench_rules
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.rules.evaluation.compile_py import compile_rule
from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.language.parser import parse_rule
from ordo.service.runtime.app import Ordo

NS = 1_000_000_000
T0 = 1_780_000_000 * NS
_PROVINCES = [("上海市", "上海市"), ("浙江省", "杭州市"), ("江苏省", "南京市"), ("广东省", "广州市"),
              ("北京市", "北京市"), ("新疆维吾尔自治区", "乌鲁木齐市"), ("西藏自治区", "拉萨市"),
              ("四川省", "成都市"), ("青海省", "西宁市"), ("湖北省", "武汉市")]  # fmt: skip
_CHANNELS = ["tmall", "taobao", "jd", "douyin", "pinduoduo", "pos"]
_SKUS = [f"SKU-{i:03d}" for i in range(50)]


def hundred_rules() -> list[str]:
    """The rules benchmark's ~50 sentences plus more of the same shapes, 100 in all."""
    out = bench_rules()
    i = 0
    while len(out) < 100:
        ch = ["天猫", "京东", "抖音", "拼多多"][i % 4]
        out.append(f'当 订单金额 > {300 + 70 * i} 且 渠道 为 {ch} 时 标记 "新档{i}"')
        out.append(f"满{199 + 100 * i}减{20 + 5 * i} (渠道为{ch})")
        i += 1
    return out[:100]


def seed(app: Ordo, orders: int, *, seed: int = 7, batch: int = 50_000) -> float:
    """Bulk-insert ``orders`` synthetic orders (see the module docstring); returns seconds."""
    from ordo.domain.orders.model import Sku
    from ordo.service.inventory.catalog import save_catalog

    rng = random.Random(seed)
    save_catalog(
        app, skus=[Sku(s, s, f"cat{i % 5}", 1_000 + 500 * i, 200 + 10 * i) for i, s in enumerate(_SKUS)]
    )
    t0 = time.perf_counter()
    for start in range(0, orders, batch):
        rows, lines, steps = [], [], []
        for n in range(start, min(orders, start + batch)):
            oid = f"OB{n:018d}"
            prov, city = _PROVINCES[rng.randrange(len(_PROVINCES))]
            placed = T0 + rng.randrange(0, 30 * 86_400) * NS
            qty = rng.randrange(1, 5)
            price = rng.randrange(1_000, 200_000)
            freight = rng.choice((0, 800, 1_200))
            gift = rng.random() < 0.2
            rows.append({
                "id": oid, "channel": rng.choice(_CHANNELS), "external_id": oid,
                "customer_ref": f"C{n % 5000}",
                "status": "processing", "warehouse_id": "WH-1", "hold_reason": None, "province": prov,
                "city": city, "district": "", "detail": "x", "adcode": None, "lat": None, "lng": None,
                "recipient_name": "x", "recipient_phone": "", "goods_fen": qty * price, "discount_fen": 0,
                "freight_fen": freight, "total_fen": qty * price + freight,
                "tags": ["urgent"] if rng.random() < 0.1 else [], "priority": 0,
                "remark": rng.choice(("", "尽快发货", "要退款")), "placed_at_ns": placed,
                "paid_at_ns": placed + 60 * NS,
                "promised_at_ns": None, "created_at_ns": placed, "updated_at_ns": placed,
            })  # fmt: skip
            lines.append({"order_id": oid, "line_no": 0, "sku": rng.choice(_SKUS), "quantity": qty,
                          "unit_price_fen": price, "discount_fen": 0, "flags": "gift" if gift else "",
                          "warehouse_id": "WH-1"})  # fmt: skip
            if rng.random() < 0.7:
                for m, dt in (("stock_locked", 120), ("routed", 180)):
                    at = placed + dt * NS
                    steps.append({"order_id": oid, "milestone": m, "at_ns": at, "source": "bench",
                                  "recorded_at_ns": at})  # fmt: skip
        with app.store.uow() as uow:
            bulk_insert(uow.connection, t.orders, rows)
            bulk_insert(uow.connection, t.order_lines, lines)
            bulk_insert(uow.connection, t.milestones, steps)
            uow.commit()
    return time.perf_counter() - t0


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the columnar read's worker)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _parse_compile(sentences: list[str]) -> tuple[dict[str, float], list[Any]]:
    """Parse + compile each sentence on its own: the first (grammar and glossary loaded
    on first use) apart, the others as the median and p95 ms; then the whole set."""
    clock = time.perf_counter
    rules, each = [], []
    t = clock()
    rules.append(parse_rule(sentences[0], rule_id="r1"))
    compile_rule(rules[0])
    cold = clock() - t
    for i, s in enumerate(sentences[1:], start=2):
        t = clock()
        rules.append(parse_rule(s, rule_id=f"r{i}"))
        compile_rule(rules[-1])
        each.append(clock() - t)
    each.sort()
    t = clock()
    CompiledRuleSet(RuleSet.of(rules))
    whole = clock() - t
    return {
        "parse_compile_ms_per_rule": round(statistics.median(each) * 1000, 3),
        "parse_compile_ms_p95": round(each[int(len(each) * 0.95)] * 1000, 3),
        "parse_compile_ms_first_rule": round(cold * 1000, 3),
        "ruleset_compile_ms": round(whole * 1000, 3),
    }, rules


def _columnar(app: Ordo) -> bool:
    from ordo.adapters.store import columnar

    with app.store.uow(read_only=True) as uow:
        return (
            columnar.read_frames(uow.connection, [(sa.select(t.orders.c.id).limit(1), {"id": pl.String})])
            is not None
        )


def run(orders: int = 1_000_000, db: str | None = None, repeat: int = 3) -> dict[str, Any]:
    """Seed (unless ``db`` already holds orders), then time the backtest. One JSON-able dict."""
    from ordo.bootstrap import bootstrap
    from ordo.service.rules.backtest import backtest_rulesets, compare, referenced_columns

    tmp = None
    if db is None:
        tmp = tempfile.TemporaryDirectory()
        db = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    app = bootstrap(Settings(database_url=db), clock=ManualClock(T0 + 40 * 86_400 * NS))
    try:
        with app.store.uow(read_only=True) as uow:
            have = uow.catalog.count("orders")
        seed_s = seed(app, orders - have) if have < orders else 0.0
        sentences = hundred_rules()
        parse_ms, rules = _parse_compile(sentences)
        old, new = RuleSet.of(rules[: len(rules) // 2]), RuleSet.of(rules)

        from ordo.adapters.store.repositories.rules_history import HistoryFilter, read_facts

        best_total = best_read = best_eval = float("inf")
        read_cpu = eval_cpu = float("inf")
        report: dict[str, Any] = {}
        for _ in range(repeat):
            t = time.perf_counter()
            report = backtest_rulesets(app, old, new, HistoryFilter(limit=orders), samples=5)
            best_total = min(best_total, time.perf_counter() - t)
        with app.store.uow(read_only=True) as uow:
            t, c = time.perf_counter(), _cpu_s()
            facts = read_facts(
                uow.connection,
                referenced_columns([old, new]),
                HistoryFilter(limit=orders),
                now_ns=app.clock.now_ns(),
            )
            best_read, read_cpu = time.perf_counter() - t, _cpu_s() - c
        for _ in range(repeat):
            t, c = time.perf_counter(), _cpu_s()
            compare(old, new, facts, samples=5)
            best_eval = min(best_eval, time.perf_counter() - t)
            eval_cpu = min(eval_cpu, _cpu_s() - c)
        return {
            "bench": "backtest",
            "backend": app.store.dialect,
            "orders": report["orders"],
            "rules_old": len(old.rules),
            "rules_new": len(new.rules),
            "columns_read": len(referenced_columns([old, new])),
            "seed_s": round(seed_s, 2),
            **parse_ms,
            "columnar_reader": _columnar(app),
            "read_s": round(best_read, 3),
            "read_cpu_s": round(read_cpu, 3),
            "evaluate_s": round(best_eval, 3),
            "evaluate_cpu_s": round(eval_cpu, 3),
            "backtest_s": round(best_total, 3),
            "orders_per_s": round(report["orders"] / best_total),
            "changed": report["changed"],
            "matched": report["matched"],
            "cores": os.cpu_count(),
            "load_avg_1m": round(os.getloadavg()[0], 2),
        }
    finally:
        app.store.dispose()
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(json.dumps(run(n, sys.argv[2] if len(sys.argv) > 2 else None), ensure_ascii=False))
