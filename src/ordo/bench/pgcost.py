"""CPU per order on PostgreSQL, split between Ordo's process and the PostgreSQL server.

``python -m ordo.bench.pgcost postgresql://…/<empty database> [orders] [batch]``: loads the
bench world, then takes ``orders`` orders through the service layer (``intake``, the full
pipeline) in transactions of ``batch`` orders, and reports the CPU seconds used per order
by this process (``time.process_time``) and by every PostgreSQL server process together
(utime + stime from ``/proc``, summed over the ``postgres`` processes, before and after:
other clients of the same server on the machine count too, so run it on a quiet server).
Feeds ``docs/SCALING.md``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

from ordo.bench.intake import deep_stock, generate_orders
from ordo.bench.stats import machine
from ordo.bootstrap import bootstrap
from ordo.clock import SystemClock
from ordo.config import Settings
from ordo.service.orders.intake import intake
from ordo.sim.world import generate_world, load_world


def postgres_cpu_s() -> float:
    """CPU seconds used so far by every process named ``postgres`` on this machine."""
    total = 0
    tick = 100.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.find("(") + 1 : text.rfind(")")]
        if name.startswith("postgres"):
            fields = text.rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


def run(url: str, orders: int = 2000, batch: int = 1, seed: int = 5) -> dict[str, Any]:
    world = deep_stock(generate_world(seed))
    app = bootstrap(Settings(database_url=url), clock=SystemClock(), rng=random.Random(seed))
    load_world(app, world)
    generated = generate_orders(world, orders, seed)
    intake(app, generated[:50])  # warm the caches
    todo = generated[50:]
    cpu0, pg0, wall0 = time.process_time(), postgres_cpu_s(), time.perf_counter()
    for i in range(0, len(todo), batch):
        intake(app, todo[i : i + batch])
    cpu, pg, wall = time.process_time() - cpu0, postgres_cpu_s() - pg0, time.perf_counter() - wall0
    app.store.dispose()
    n = len(todo)
    return {
        "orders": n,
        "batch": batch,
        "ordo_cpu_ms_per_order": round(cpu / n * 1000, 3),
        "postgres_cpu_ms_per_order": round(pg / n * 1000, 3),
        "wall_ms_per_order": round(wall / n * 1000, 3),
        "machine": machine(),
    }


if __name__ == "__main__":
    import orjson

    args = sys.argv[1:]
    result = run(args[0], *(int(a) for a in args[1:3]))
    sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
