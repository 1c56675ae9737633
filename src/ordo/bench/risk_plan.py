"""``ordo bench risk --plan-orders N``: a disposal plan over N exposed open orders.

Seeds a store (a temporary SQLite file, or the ``--db`` given) with the ten warehouses of
``ordo bench risk`` (广州 and 深圳 inside the typhoon's reach), the simulated world's eight
carriers, 40 SKUs with deep stock everywhere, and N paid orders (1–3 lines) into
广东's districts taken in through intake itself — so each has its lines, its reservation at
广州 or 深圳 and its routing decision, as in use. Then, ``repeat`` times over the same store:
a typhoon track over 华南 is recorded and its plan is timed phase by phase —

* ``propose`` – the what-if: the exposed orders read in a few queries, routed again as one
  wave away from the event's warehouses, with each re-route's cost and promise effect;
* ``approve`` – by the plan's tier (a plan this wide needs L3: a risk-role approver);
* ``execute`` – the approved actions applied as proposed (no routing again): each order's
  version and the approved warehouse's stock checked under lock, stock released and
  reserved, orders and lines moved, the proposal's decision and an ``order.rerouted`` event
  each written, the plan's result and history.

Each run's plan is then reverted (timed too, not part of the total) so the next run finds
the orders back at their warehouses. Medians over the runs, with the process's CPU time.

Target (issue 17): propose + approve + execute for 10,000 orders within 5 s.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from typing import Any

from ordo.bench.backtest import NS
from ordo.bench.risk import _WAREHOUSES, typhoon_draft
from ordo.bench.stats import machine
from ordo.bench.store import seeded_store
from ordo.service.runtime.app import Ordo

TARGET_S = 5.0
_SKUS = 40
_CHANNELS = ["tmall", "taobao", "jd", "douyin", "pinduoduo"]
#: Orders a warehouse ships a day: the runs re-route the same orders back and forth within
#: one business day, which the default 10,000 would not hold.
_CAPACITY = 1_000_000
#: The warehouses inside the bench typhoon's reach.
_EXPOSED = frozenset({"WH-GZ", "WH-SZ"})


def seed(app: Ordo, orders: int, *, seed: int = 17, batch: int = 1_000) -> float:
    """The network, deep stock and ``orders`` orders into 广东 through intake; seconds taken."""
    from ordo.domain.orders.model import (
        Address,
        Line,
        Order,
        Sku,
        Stock,
        Warehouse,
        WarehouseClass,
    )
    from ordo.service.inventory.catalog import save_catalog
    from ordo.service.orders.intake import intake
    from ordo.sim.world import carriers

    t0 = time.perf_counter()
    div = app.divisions
    provinces = {p.adcode[:2]: p.name for p in div.provinces()}
    skus = [Sku(f"SKU-{i:03d}", f"商品 {i}", "home", 1_000 + 137 * i, 200 + 10 * i) for i in range(_SKUS)]
    with app.store.uow(read_only=True) as uow:
        fresh = not uow.catalog.warehouses()
    if fresh:
        save_catalog(
            app,
            warehouses=[
                Warehouse(
                    w,
                    name,
                    provinces[code[:2]],
                    name[:2] + "市",
                    code,
                    lat,
                    lng,
                    WarehouseClass.REGIONAL,
                    daily_capacity=_CAPACITY,
                )
                for w, name, code, lat, lng in _WAREHOUSES
            ],
            carriers=carriers(div),
            skus=skus,
            stock=[Stock(w[0], s.sku, 1_000_000) for w in _WAREHOUSES for s in skus],
        )
    rng = random.Random(seed)
    districts = [d for d in div.by_code.values() if d.level == "district" and d.adcode.startswith("44")]
    placed = app.clock.now_ns() - 3_600 * NS
    # Eastern 广东 ships from 福州 and is not exposed: orders are added until ``orders`` of
    # them are reserved at the typhoon's two warehouses.
    first, exposed = _seeded(app), _exposed(app)
    while exposed < orders:
        part = []
        for n in range(first, first + min(batch, orders - exposed)):
            d = districts[rng.randrange(len(districts))]
            city = div.city_of(d)
            lines = tuple(
                Line(s.sku, rng.randrange(1, 4), s.price_fen)
                for s in rng.sample(skus, rng.choice((1, 1, 2, 3)))
            )
            part.append(
                Order(
                    id="",
                    channel=_CHANNELS[n % len(_CHANNELS)],
                    external_id=f"RISKPLAN-{seed}-{n}",
                    customer_ref=f"C{rng.randrange(50_000)}",
                    ship_to=Address(
                        provinces["44"], city.name, d.name, "某路 1 号", name="张三", phone="13800000000"
                    ),
                    lines=lines,
                    placed_at_ns=placed,
                    paid_at_ns=placed,
                )
            )
        first += len(part)
        exposed += sum(1 for r in intake(app, part) if r.warehouse_id in _EXPOSED)
    return time.perf_counter() - t0


def _seeded(app: Ordo) -> int:
    with app.store.uow(read_only=True) as uow:
        return uow.catalog.count("orders")


def _exposed(app: Ordo) -> int:
    import sqlalchemy as sa

    from ordo.adapters.store.schema import core as t

    with app.store.uow(read_only=True) as uow:
        q = sa.select(sa.func.count()).where(t.orders.c.warehouse_id.in_(sorted(_EXPOSED)))
        return int(uow.connection.execute(q).scalar_one())


def _median(xs: list[float]) -> float:
    return round(statistics.median(xs) * 1000, 1)


def run(plan_orders: int = 10_000, *, db: str | None = None, repeat: int = 3) -> dict[str, Any]:
    from ordo.domain.access import Role
    from ordo.service.risk import events, plans
    from ordo.service.rules.records import Actor

    proposer, approver = Actor("bench.ops", Role.OPS), Actor("bench.risk", Role.RISK)
    second = Actor("bench.ops2", Role.OPS)
    phases: dict[str, list[float]] = {k: [] for k in ("propose", "approve", "execute", "total", "revert")}
    cpu: list[float] = []
    last: dict[str, Any] = {}
    with seeded_store("risk-plan", plan_orders, db, seed) as store:
        app = store.app
        for _ in range(repeat):
            now = app.clock.now_ns()
            draft = typhoon_draft(now, f"bench-plan-{time.time_ns()}")
            ev = events.record(app, draft, actor="bench")
            c0 = time.process_time()
            t0 = time.perf_counter()
            plan = plans.propose(app, ev["id"], actor=proposer)
            t1 = time.perf_counter()
            # By the plan's tier: a wide plan needs risk (L3), a narrow one another operator.
            plans.approve(app, plan["id"], actor=approver if plan["tier"] == "L3" else second)
            t2 = time.perf_counter()
            done = plans.execute(app, plan["id"], actor=proposer)
            t3 = time.perf_counter()
            cpu.append(time.process_time() - c0)
            back = plans.revert(app, plan["id"], actor=proposer)
            t4 = time.perf_counter()
            events.end(app, ev["id"], actor="bench")
            for k, s in (("propose", t1 - t0), ("approve", t2 - t1), ("execute", t3 - t2)):
                phases[k].append(s)
            phases["total"].append(t3 - t0)
            phases["revert"].append(t4 - t3)
            reverted = back["result"]["reverted"]
            last = {
                "plan_orders": plan["orders"],
                "tier": plan["tier"],
                "counts": plan["counts"],
                "cost_delta_fen": plan["cost_delta_fen"],
                "done": done["result"]["done"],
                "refused": done["result"]["refused"],
                "reverted": sum(1 for v in reverted.values() if v == "reverted"),
            }
        total = statistics.median(phases["total"])
        return {
            "bench": "risk-plan",
            "backend": app.store.dialect,
            "cores": os.cpu_count(),
            "load_1m": os.getloadavg()[0],
            "machine": machine(),
            "orders": _seeded(app),
            "seed_s": round(store.seed_s, 2),
            "runs": repeat,
            **last,
            "median_ms": {k: _median(v) for k, v in phases.items()},
            "max_total_ms": round(max(phases["total"]) * 1000, 1),
            # This process's CPU time for propose + approve + execute: on a shared machine the
            # wall time also holds the waits for a core (``load_1m``).
            "total_cpu_ms": _median(cpu),
            "target_s": TARGET_S,
            "meets_target": total <= TARGET_S,
        }
