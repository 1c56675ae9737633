"""``ordo bench status``: status-update ingestion through the status graph, in batches, on SQLite.

Orders come from the simulator and are taken in first (not measured); then each
order gets a realistic run of reports from several systems in their own words
(WMS, carrier, CRM), in batches, through ``report_statuses``: translation,
conflict check, lifecycle and outbox, one transaction per batch.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from ordo.bench.intake import deep_stock, fresh_app, generate_orders
from ordo.bench.stats import latency_ms, machine
from ordo.clock import ManualClock
from ordo.service.orders.intake import intake
from ordo.service.orders.status_updates import StatusReport, report_statuses
from ordo.sim.world import generate_world

#: One order's reports, in order: (source, code, minutes after the order).
SCRIPT = (
    ("wms", "PICKING", 10),
    ("wms", "PACKING", 20),
    ("sf", "WAYBILL_CREATED", 25),
    ("wms", "OUTBOUND", 30),
    ("sf", "揽收", 60),
    ("tms", "装车发运", 90),
    ("sf", "IN_TRANSIT", 300),
    ("sf", "派送中", 1400),
    ("crm", "DELIVERED", 1500),
    ("wms", "PACKING", 1600),  # late and contradicting: a status conflict
)


def run(*, orders: int = 4_000, batch: int = 1_000, seed: int = 1) -> dict[str, Any]:
    world = deep_stock(generate_world(seed))
    generated = generate_orders(world, orders, seed)
    with tempfile.TemporaryDirectory(prefix="ordo-bench-") as tmp:
        clock = ManualClock(max(o.placed_at_ns for o in generated))
        app = fresh_app(Path(tmp) / "status.db", world, clock)
        ids: list[tuple[str, int]] = []
        for start in range(0, len(generated), 1_000):
            chunk = generated[start : start + 1_000]
            results = intake(app, chunk)
            ids.extend(
                (r.order_id, o.placed_at_ns) for r, o in zip(results, chunk, strict=True) if r.order_id
            )
        clock.advance(3 * 86_400)
        reports = [
            StatusReport(source, code, placed + minutes * 60_000_000_000, order_id=oid)
            for source, code, minutes in SCRIPT
            for oid, placed in ids
        ]
        outcomes: dict[str, int] = {}
        timings: list[float] = []
        cpu_began = time.process_time()
        began = time.perf_counter()
        for start in range(0, len(reports), batch):
            t0 = time.perf_counter()
            for r in report_statuses(app, reports[start : start + batch]):
                outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
            timings.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - began
        cpu = time.process_time() - cpu_began
        app.store.dispose()
    return {
        "bench": "status",
        "machine": machine(),
        "params": {
            "orders": len(ids),
            "updates": len(reports),
            "batch": batch,
            "seed": seed,
            "store": "sqlite (WAL, synchronous=NORMAL)",
        },
        "updates_per_s": round(len(reports) / elapsed),
        # This process's CPU time over the same run: on a shared machine wall-clock
        # throughput falls with the load, CPU per update does not (much).
        "cpu_s": round(cpu, 3),
        "updates_per_cpu_s": round(len(reports) / cpu) if cpu > 0 else None,
        "batch_latency_ms": latency_ms(timings),
        "outcomes": outcomes,
    }
