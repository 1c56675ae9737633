"""A filtered order list stays live over a large store: a new order → visible in the open view.

Used by ``ordo bench worklist --live N`` on its seeded store. A real ``ordo serve`` on that
database; a subscriber holds the event stream open as the orders page does
(``/api/v1/stream?type=order.created,…``); then ``N`` orders of one channel are posted one at a
time through ``POST /api/v1/orders``. For each, as the page does: when its ``order.created``
event arrives, wait the page's 300 ms debounce and read the filtered first page
(``GET /api/v1/worklist/orders?channel=…&limit=50``). ``appears`` is the time from the POST
being sent to that page coming back with the order on it (p50 / p99 / max ms); target ≤ 1 s.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import orjson

from ordo.bench.http import free_port, iso, wait_ready
from ordo.bench.stats import latency_ms

TARGET_MS = 1000
#: The orders page waits this long after an event before it reads the list again.
DEBOUNCE_S = 0.3
#: The view's filter. The seeded orders' ids (``OW…``) sort after the ids Ordo issues, so in a
#: view that holds them a new order would not be first: the view is one channel they lack.
CHANNEL = "kuaishou"


class _Events(threading.Thread):
    def __init__(self, base: str, key: str) -> None:
        super().__init__(name="bench-live-sse", daemon=True)
        self.base, self.key = base, key
        self.arrived: dict[str, float] = {}
        self.ready = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "text/event-stream"}
        try:
            with httpx.Client(base_url=self.base, headers=headers, timeout=httpx.Timeout(10, read=None)) as c:
                params = {"type": "order.created,order.held,order.released"}
                with c.stream("GET", "/api/v1/stream", params=params) as response:
                    for line in response.iter_lines():
                        self.ready.set()
                        if self.stop.is_set():
                            return
                        if line.startswith("data:"):
                            order_id = str(orjson.loads(line[5:]).get("order_id"))
                            self.arrived.setdefault(order_id, time.perf_counter())
        except httpx.HTTPError:
            if not self.stop.is_set():
                raise
        finally:
            self.ready.set()


def _order(n: int) -> dict[str, Any]:
    return {
        "channel": CHANNEL,
        "external_id": f"LIVE-{time.time_ns()}-{n}",
        "customer_ref": "C-LIVE",
        "ship_to": {
            "province": "广东省",
            "city": "广州市",
            "district": "天河区",
            "detail": "天河路 1 号",
            "name": "李四",
            "phone": "13800000000",
        },
        "lines": [{"sku": "SKU-00001", "quantity": 1, "unit_price_fen": 1000}],
        "placed_at": iso(time.time_ns()),
        "paid_at": iso(time.time_ns()),
    }


def measure(db: str, key: str, orders: int) -> dict[str, Any]:
    """Start a server on ``db`` and time ``orders`` new orders into the open filtered view."""
    import subprocess
    import sys

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ordo.cli", "serve", "--db", db, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    events = _Events(base, key)
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            wait_ready(client, server)
            events.start()
            events.ready.wait(15)
            appears: list[float] = []
            for n in range(orders):
                t0 = time.perf_counter()
                r = client.post("/api/v1/orders", json=_order(n))
                if r.status_code != 201:
                    raise RuntimeError(f"POST /api/v1/orders: {r.status_code} {r.text[:300]}")
                order_id = r.json()["results"][0]["order_id"]
                while order_id not in events.arrived and time.perf_counter() - t0 < 10:
                    time.sleep(0.002)
                time.sleep(DEBOUNCE_S)
                page = client.get("/api/v1/worklist/orders", params={"channel": CHANNEL, "limit": 50}).json()
                if not any(o["id"] == order_id for o in page["orders"]):
                    raise RuntimeError(f"order {order_id} not in the view after its event")
                appears.append(time.perf_counter() - t0)
    finally:
        events.stop.set()
        server.terminate()
        server.wait(timeout=15)
    lat = latency_ms(appears)
    return {"orders": orders, "appears": {**lat, "max_ms": round(max(appears) * 1000, 1)},
            "target_ms": TARGET_MS, "met": lat["p99_ms"] <= TARGET_MS}  # fmt: skip
