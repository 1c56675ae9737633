"""Order health for every open order, and its aggregates by channel, warehouse, carrier, region.

Reads the open orders once (the scan's watch list joined with the orders), turns them
into NumPy columns, scores them all at once (``ordo.domain.orders.health``) and groups with
``bincount``. The clock is the injected one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ordo.domain.incidents.incident import Detector
from ordo.domain.orders import health as H
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.milestones import Milestone
from ordo.service.runtime.app import Ordo

_TRANSPORT = frozenset({Detector.PICKUP_FAILURE.value, Detector.COLD_CHAIN.value})
DIMENSIONS = ("channel", "warehouse", "carrier", "region")


def inputs_of(rows: Sequence[tuple[Any, ...]], open_by_order: Sequence[tuple[str, str]]) -> H.HealthInputs:
    """Columns from ``health_rows`` tuples and the open (order, detector) pairs."""
    n = len(rows)
    ids = [r[0] for r in rows]
    index = {oid: i for i, oid in enumerate(ids)}
    exc = np.zeros(n, dtype=np.int64)
    transport = np.zeros(n, dtype=np.int64)
    conflicts = np.zeros(n, dtype=np.int64)
    for oid, detector in open_by_order:
        i = index.get(oid)
        if i is None:
            continue
        exc[i] += 1
        transport[i] += detector in _TRANSPORT
        conflicts[i] += detector == Detector.STATUS_CONFLICT.value
    holds = [r[3] for r in rows]
    no_stock, address = HoldReason.NO_STOCK.value, HoldReason.ADDRESS.value

    def floats(col: int) -> H.F:
        return np.array([np.nan if r[col] is None else float(r[col]) for r in rows], dtype=np.float64)

    return H.HealthInputs(
        last_milestone=np.array([Milestone(r[4]).number for r in rows], dtype=np.int64),
        last_at_ns=np.array([r[5] for r in rows], dtype=np.int64),
        promised_at_ns=floats(11),
        next_due_ns=floats(7),
        held_no_stock=np.array([h == no_stock for h in holds], dtype=bool),
        held_address=np.array([h == address for h in holds], dtype=bool),
        transport_open=transport,
        incidents_open=exc,
        conflicts_open=conflicts,
        tier_risk=H.lookup([r[2] for r in rows], H.TIER_RISK, 0.0),
        total_fen=floats(10),
        channel_penalty=H.lookup([r[1] for r in rows], H.CHANNEL_PENALTY, 0.3),
        weather_risk=H.lookup([r[9] for r in rows], H.WEATHER_RISK, 0.1),
        carrier_reliability=H.lookup([r[6] for r in rows], H.CARRIER_RELIABILITY, np.nan),
    )


def summary(app: Ordo, *, worst: int = 20, weights: H.HealthWeights | None = None) -> dict[str, Any]:
    """Bands overall and per dimension, and the ``worst`` open orders with their main indicators."""
    with app.store.uow(read_only=True) as uow:
        rows = uow.incidents.health_rows()
        pairs = uow.incidents.open_by_order()
    now = app.clock.now_ns()
    x = inputs_of(rows, pairs)
    s, band = H.score(x, now, weights)
    bands = Counter(H.Band(int(b)).name.lower() for b in band)
    out: dict[str, Any] = {
        "at_ns": now,
        "orders": len(rows),
        "bands": {b.name.lower(): bands.get(b.name.lower(), 0) for b in H.Band},
        "mean_score": round(float(s.mean()), 1) if len(rows) else None,
        "by": {},
    }
    columns = {"channel": 1, "warehouse": 8, "carrier": 6, "region": 9}
    for dim in DIMENSIONS:
        labels, codes = np.unique(
            np.array([r[columns[dim]] or "-" for r in rows], dtype=object), return_inverse=True
        )
        out["by"][dim] = H.summarise(codes.astype(np.int64), [str(v) for v in labels], s, band)
    ind = H.indicators(x, now, weights)
    order = np.argsort(s, kind="stable")[:worst]
    out["worst"] = [
        {
            "order_id": rows[i][0],
            "score": round(float(s[i]), 1),
            "band": H.BAND_LABELS[H.Band(int(band[i]))][0],
            "band_zh": H.BAND_LABELS[H.Band(int(band[i]))][1],
            "indicators": {k: round(float(v[i]), 3) for k, v in ind.items() if v[i] > 0},
        }
        for i in order
    ]
    return out
