"""``ordo bench health``: order health recomputed for a million open orders.

Synthetic columns shaped like the open-order book (milestones, dwell, holds, open
incidents, tiers, values, channels, provinces, carriers) are scored with
``ordo.domain.orders.health.score`` and grouped by channel, warehouse, carrier and region.
Figures: ``recompute_ms`` (score + bands, median of ``repeat`` runs), ``aggregate_ms``
(the four group-bys), ``total_ms`` and ``orders_per_s``; target: total ≤ 2,000 ms.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ordo.bench.stats import machine
from ordo.domain.orders import health as H

NS = 1_000_000_000
NOW = 1_794_355_200 * NS


def synthetic(n: int, seed: int = 1) -> tuple[H.HealthInputs, dict[str, np.ndarray[Any, Any]]]:
    rng = np.random.default_rng(seed)
    last = rng.integers(1, 16, n)
    held = rng.random(n)
    promised = NOW + rng.normal(36, 30, n) * 3600 * NS
    promised[rng.random(n) < 0.3] = np.nan
    due = NOW + rng.normal(2, 3, n) * 3600 * NS
    due[rng.random(n) < 0.5] = np.nan
    x = H.HealthInputs(
        last_milestone=last.astype(np.int64),
        last_at_ns=(NOW - rng.exponential(2 * 3600, n) * NS).astype(np.int64),
        promised_at_ns=promised,
        next_due_ns=due,
        held_no_stock=held < 0.01,
        held_address=(held >= 0.01) & (held < 0.015),
        transport_open=(rng.random(n) < 0.01).astype(np.int64),
        incidents_open=rng.poisson(0.05, n).astype(np.int64),
        conflicts_open=(rng.random(n) < 0.003).astype(np.int64),
        tier_risk=rng.choice([0.0, 0.25, 0.6, 1.0], n, p=[0.7, 0.2, 0.08, 0.02]),
        total_fen=rng.lognormal(10.5, 1.0, n),
        channel_penalty=rng.choice(list(H.CHANNEL_PENALTY.values()), n),
        weather_risk=rng.choice([0.1, 0.3, 0.4], n, p=[0.8, 0.15, 0.05]),
        carrier_reliability=np.where(last >= 12, rng.choice(list(H.CARRIER_RELIABILITY.values()), n), np.nan),
    )
    groups = {
        "channel": rng.integers(0, 10, n),
        "warehouse": rng.integers(0, 40, n),
        "carrier": rng.integers(0, 8, n),
        "region": rng.integers(0, 34, n),
    }
    return x, groups


def run(orders: int = 1_000_000, repeat: int = 5, seed: int = 1) -> dict[str, Any]:
    x, groups = synthetic(orders, seed)
    recompute: list[float] = []
    aggregate: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        s, band = H.score(x, NOW)
        t1 = time.perf_counter()
        for codes in groups.values():
            H.summarise(codes, [str(i) for i in range(int(codes.max()) + 1)], s, band)
        t2 = time.perf_counter()
        recompute.append((t1 - t0) * 1000)
        aggregate.append((t2 - t1) * 1000)
    rec, agg = float(np.median(recompute)), float(np.median(aggregate))
    total = rec + agg
    counts = np.bincount(band, minlength=3)
    return {
        "bench": "health",
        "orders": orders,
        "indicators": len(H.INDICATORS),
        "recompute_ms": round(rec, 1),
        "aggregate_ms": round(agg, 1),
        "total_ms": round(total, 1),
        "orders_per_s": round(orders / (total / 1000)),
        "target_total_ms": 2000,
        "within_target": total <= 2000,
        "bands": {"green": int(counts[0]), "yellow": int(counts[1]), "red": int(counts[2])},
        "repeat": repeat,
        **machine(),
    }
