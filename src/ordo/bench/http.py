"""The HTTP half of ``ordo bench intake``: a real ``ordo serve`` process on a free port,
fed by a keep-alive client in this process — single-order requests and batches."""

from __future__ import annotations

import datetime as dt
import random
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from ordo.bench.stats import latency_ms
from ordo.bootstrap import bootstrap
from ordo.clock import SystemClock
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.domain.orders.model import Order
from ordo.service.runtime.keys import create_key
from ordo.sim.world import World, load_world

#: At most this many orders go one per request; the rest go in batches.
SINGLES = 1000


def iso(at_ns: int) -> str:
    return dt.datetime.fromtimestamp(at_ns / 1e9, dt.UTC).isoformat()


def order_json(o: Order) -> dict[str, Any]:
    """An order as ``POST /api/v1/orders`` takes it."""
    s = o.ship_to
    body: dict[str, Any] = {
        "channel": o.channel,
        "external_id": o.external_id,
        "customer_ref": o.customer_ref,
        "ship_to": {
            "province": s.province,
            "city": s.city,
            "district": s.district,
            "detail": s.detail,
            "adcode": s.adcode,
            "lat": s.lat,
            "lng": s.lng,
            "name": s.name,
            "phone": s.phone,
        },
        "lines": [
            {
                "sku": li.sku,
                "quantity": li.quantity,
                "unit_price_fen": li.unit_price_fen,
                "discount_fen": li.discount_fen,
                "flags": sorted(li.flags),
            }
            for li in o.lines
        ],
        "placed_at": iso(o.placed_at_ns),
        "freight_fen": o.freight_fen,
        "discount_fen": o.discount_fen,
        "tags": list(o.tags),
        "priority": o.priority,
        "remark": o.remark,
    }
    if o.paid_at_ns is not None:
        body["paid_at"] = iso(o.paid_at_ns)
    return body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bench_http(path: Path, world: World, orders: Sequence[Order], *, batch: int) -> dict[str, Any]:
    url = f"sqlite:///{path}"
    app = bootstrap(Settings(database_url=url), clock=SystemClock(), rng=random.Random(2))
    load_world(app, world)
    key = create_key(app, Role.INTEGRATION, "bench")
    app.store.dispose()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ordo.cli", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
            wait_ready(client, server)
            bodies = [order_json(o) for o in orders]
            n_single = min(SINGLES, len(bodies) // 4)
            singles = _post_all(client, [b for b in bodies[:n_single]])
            batches = _post_all(
                client, [{"orders": bodies[i : i + batch]} for i in range(n_single, len(bodies), batch)]
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    n_batched = len(bodies) - n_single
    return {
        "server": "ordo serve (uvicorn, 1 process)",
        "single": {
            "orders": n_single,
            "orders_per_s": round(n_single / singles[0], 1),
            "request_latency": latency_ms(singles[1]),
        },
        "batched": {
            "orders": n_batched,
            "batch": batch,
            "orders_per_s": round(n_batched / batches[0], 1),
            "request_latency": latency_ms(batches[1]),
        },
    }


def _post_all(client: httpx.Client, bodies: list[dict[str, Any]]) -> tuple[float, list[float]]:
    samples: list[float] = []
    start = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        response = client.post("/api/v1/orders", json=body)
        samples.append(time.perf_counter() - t0)
        if response.status_code != 201:
            raise RuntimeError(f"intake failed: {response.status_code} {response.text[:300]}")
    return time.perf_counter() - start, samples


def wait_ready(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            err = server.stderr.read().decode() if server.stderr else ""
            raise RuntimeError(f"ordo serve exited: {err[-500:]}")
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("ordo serve did not become ready in 30 s")
