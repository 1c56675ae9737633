"""``bench pages``: the dashboard's overview and the order search over a million stored orders.

Seeds ``orders`` synthetic orders into a temporary SQLite file with
:func:`ordo.bench.backtest.seed` (bulk inserts, not intake), then runs
``ordo db rebuild-aggregates``' recount once (timed apart: ``rebuild_aggregates_s``;
bulk loads bypass the outbox, so the projection must be told). Then times, through
the real FastAPI app (``fastapi.testclient.TestClient``: auth, validation, query,
rendering; no socket):

* ``overview_cold`` – ``GET /api/v1/stats/overview`` as the first request of a NEW
  process (a fresh interpreter, app and connection pool, nothing cached), against the
  persisted aggregates; one process per repeat;
* ``overview_warm`` – the same request again and again in this process;
* ``search.<name>`` – ``GET /api/v1/orders`` with typical filters (status, channel,
  province, tag, a time window, and these combined), first page of 50, newest first.

Each as p50_ms / p99_ms / max_ms over the repeats. Targets: overview ≤ 1 s, search ≤ 300 ms.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from ordo.bench.backtest import NS, T0, seed
from ordo.bench.stats import latency_ms, machine
from ordo.bench.store import seeded_store

OVERVIEW_TARGET_MS = 1000
SEARCH_TARGET_MS = 300


def _iso(ns: int) -> str:
    return dt.datetime.fromtimestamp(ns / 1e9, dt.UTC).isoformat()


def searches() -> dict[str, dict[str, str]]:
    """Typical list-page filters over the seeded month (``T0`` .. ``T0`` + 30 days)."""
    day_from, day_to = _iso(T0 + 10 * 86_400 * NS), _iso(T0 + 11 * 86_400 * NS)
    return {
        "none": {},
        "status": {"status": "processing"},
        "channel": {"channel": "jd"},
        "province": {"province": "浙江省"},
        "window_1d": {"created_from": day_from, "created_to": day_to},
        "channel_province_window": {
            "channel": "douyin",
            "province": "西藏自治区",
            "created_from": day_from,
            "created_to": day_to,
        },
        "status_channel_province": {"status": "processing", "channel": "tmall", "province": "青海省"},
        "rare_no_match": {"status": "cancelled", "channel": "pos"},
        "tag": {"tag": "urgent"},
        "tag_province": {"tag": "urgent", "province": "青海省"},
        "tag_channel_window": {
            "tag": "urgent",
            "channel": "jd",
            "created_from": day_from,
            "created_to": day_to,
        },
        "tag_rare_no_match": {"tag": "urgent", "status": "cancelled"},
        "province_status": {"province": "西藏自治区", "status": "processing"},
    }


def _timed(call: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    samples: list[float] = []
    last = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        last = call()
        samples.append(time.perf_counter() - t0)
    return samples, last


def _figures(samples: list[float]) -> dict[str, Any]:
    return {**latency_ms(samples), "max_ms": round(max(samples) * 1000, 3), "n": len(samples)}


def run(
    orders: int = 1_000_000, *, db: str | None = None, repeat: int = 20, cold_repeat: int = 3
) -> dict[str, Any]:
    """Seed (unless ``db`` already holds enough orders), then time the pages. One JSON-able dict."""
    from fastapi.testclient import TestClient

    from ordo.api.app import create_app
    from ordo.domain.access import Role
    from ordo.service.events.projector import rebuild
    from ordo.service.runtime.keys import create_key

    with seeded_store("pages", orders, db, seed) as store:
        app, settings, db, have, seed_s = store.app, store.settings, store.db, store.had, store.seed_s
        t0 = time.perf_counter()
        rebuild(app)  # what `ordo db rebuild-aggregates` does after a bulk load
        rebuild_s = time.perf_counter() - t0
        key = create_key(app, Role.VIEWER, "bench-pages")
        api = create_app(app, settings)
        with TestClient(api, headers={"Authorization": f"Bearer {key}"}) as client:

            def overview() -> Any:
                r = client.get("/api/v1/stats/overview")
                if r.status_code != 200:
                    raise RuntimeError(f"overview: {r.status_code} {r.text[:300]}")
                return r.json()

            cold = [cold_in_new_process(db, key, app.clock.now_ns()) for _ in range(cold_repeat)]
            warm, snap = _timed(overview, repeat)
            search: dict[str, Any] = {}
            for name, params in searches().items():

                def one(params: dict[str, str] = params) -> int:
                    r = client.get("/api/v1/orders", params=params)
                    if r.status_code != 200:
                        raise RuntimeError(f"search {params}: {r.status_code} {r.text[:300]}")
                    return len(r.json()["orders"])

                s, found = _timed(one, repeat)
                search[name] = {"params": params, "rows": found, **_figures(s)}
        worst_search = max(v["p99_ms"] for v in search.values())
        return {
            "bench": "pages",
            "backend": app.store.dialect,
            "client": "fastapi TestClient (in process, no socket)",
            "cores": os.cpu_count(),
            "machine": machine(),
            "orders": max(orders, have),
            "seed_s": round(seed_s, 2),
            "seed_orders_per_s": round((orders - have) / seed_s) if seed_s else None,
            "rebuild_aggregates_s": round(rebuild_s, 2),
            "repeat": repeat,
            "overview_cold": _figures(cold),
            "overview_warm": _figures(warm),
            "overview_orders_counted": _total(snap),
            "search": search,
            "targets": {"overview_ms": OVERVIEW_TARGET_MS, "search_ms": SEARCH_TARGET_MS},
            "meets_targets": {
                "overview_cold_p99": max(cold) * 1000 <= OVERVIEW_TARGET_MS,
                "search_p99": worst_search <= SEARCH_TARGET_MS,
            },
        }


_PROBE = """
import sys, time
from fastapi.testclient import TestClient
from ordo.api.app import create_app
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.bootstrap import bootstrap
db, key, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = Settings(database_url=db)
app = bootstrap(settings, clock=ManualClock(now))
with TestClient(create_app(app, settings), headers={"Authorization": f"Bearer {key}"}) as client:
    t0 = time.perf_counter()
    r = client.get("/api/v1/stats/overview")
    took = time.perf_counter() - t0
    if r.status_code != 200:
        sys.exit(f"overview: {r.status_code} {r.text[:300]}")
print(took)
app.store.dispose()
"""


def cold_in_new_process(db: str, key: str, now_ns: int) -> float:
    """Seconds of the first overview request in a freshly started interpreter (imports and
    app start-up excluded, as a server has done them before its first page view)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, db, key, str(now_ns)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"cold probe failed: {done.stderr[-500:]}")
    return float(done.stdout.strip().splitlines()[-1])


def _total(snap: Any) -> Any:
    """A sanity figure from the snapshot: its order total, wherever the snapshot keeps it."""
    if not isinstance(snap, dict):
        return None
    for k in ("orders_total", "total_orders", "orders"):
        v = snap.get(k)
        if isinstance(v, int):
            return v
        if isinstance(v, dict):
            for kk in ("total", "all", "count"):
                if isinstance(v.get(kk), int):
                    return v[kk]
    return None


if __name__ == "__main__":  # pragma: no cover
    import json

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(json.dumps(run(n, db=sys.argv[2] if len(sys.argv) > 2 else None), ensure_ascii=False))
