"""``bench stream``: a milestone update accepted by the API → its event at an SSE subscriber.

A real ``ordo serve`` process (one uvicorn process) on a temporary SQLite file with a
loaded world and ``orders`` orders taken in through the service layer beforehand. One
subscriber thread holds ``GET /api/v1/stream?type=order.milestone_recorded`` open and
notes when each event arrives; the sender posts ``POST /api/v1/milestones`` in batches
of ``batch`` updates, ``rate / batch`` requests a second on a fixed schedule (no
coordinated omission: a late request is sent at once, the schedule is not moved), and
notes when each response has been read ("accepted"). ``senders`` threads (each its own
keep-alive connection) share the schedule, so a slow response does not hold back the
next request. Events are matched to updates by
``(order_id, milestone)``.

Figures, each named with its unit:

* ``accepted_to_event`` – event arrival − response read (p50_ms, p99_ms, max_ms). It can be
  slightly negative: the server commits, then writes the response, and the stream may win;
* ``sent_to_event`` – event arrival − request start (the whole path, for comparison);
* ``request`` – the POST's own latency;
* ``updates_per_s`` – updates accepted per second over the sending window.
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from ordo.bench.http import free_port, iso, wait_ready
from ordo.bench.intake import deep_stock, generate_orders
from ordo.bench.stats import latency_ms, machine, percentile
from ordo.bootstrap import bootstrap
from ordo.clock import SystemClock
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.orders.intake import intake
from ordo.service.runtime.keys import create_key
from ordo.sim.world import generate_world, load_world

#: Milestones after ``routed``, in lifecycle order: each order takes them one by one.
STEPS = (
    "released_to_warehouse", "picked", "packed", "waybill_issued", "outbound",
    "collected", "departed", "in_transit", "out_for_delivery", "delivered",
)  # fmt: skip


def _cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far; None where /proc is not there.

    The server shares the cores with the load generator (and, on a busy machine, with
    anything else), so its CPU per update is the figure that load does not distort.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Subscriber(threading.Thread):
    """Reads the SSE stream; ``arrivals[(order_id, milestone)] = perf_counter()``."""

    def __init__(self, base: str, key: str) -> None:
        super().__init__(name="bench-sse", daemon=True)
        self.base, self.key = base, key
        self.arrivals: dict[tuple[str, str], float] = {}
        self.events = 0
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            headers = {"Authorization": f"Bearer {self.key}", "Accept": "text/event-stream"}
            timeout = httpx.Timeout(10, read=None)
            with httpx.Client(base_url=self.base, headers=headers, timeout=timeout) as client:
                params = {"type": "order.milestone_recorded"}
                with client.stream("GET", "/api/v1/stream", params=params) as response:
                    response.raise_for_status()
                    for line in response.iter_lines():
                        if not self.ready.is_set():
                            self.ready.set()  # the "retry:" preamble: the stream is open
                        if self.stop.is_set():
                            return
                        if not line.startswith("data:"):
                            continue
                        at = time.perf_counter()
                        data = orjson.loads(line[5:])
                        payload = data.get("payload")
                        if isinstance(payload, str):
                            payload = orjson.loads(payload)
                        self.events += 1
                        key = (str(data.get("order_id")), str((payload or {}).get("milestone")))
                        self.arrivals.setdefault(key, at)
        except BaseException as exc:  # reported by run()
            if not self.stop.is_set():
                self.error = exc
        finally:
            self.ready.set()


def run(
    *,
    rate: int = 1000,
    batch: int = 10,
    seconds: float = 10.0,
    orders: int | None = None,
    senders: int = 4,
    seed: int = 7,
) -> dict[str, Any]:
    """One JSON-able dict; ``rate`` updates/s in requests of ``batch`` updates for ``seconds``."""
    total = int(rate * seconds)
    n_orders = orders or max(100, -(-total // len(STEPS)))
    if n_orders * len(STEPS) < total:
        raise ValueError(f"{n_orders} orders give at most {n_orders * len(STEPS)} updates < {total}")
    with tempfile.TemporaryDirectory(prefix="ordo-bench-stream-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'stream.db'}"
        world = deep_stock(generate_world(seed))
        app = bootstrap(Settings(database_url=url), clock=SystemClock(), rng=random.Random(seed))
        load_world(app, world)
        t0 = time.perf_counter()
        ids: list[str] = []
        generated = generate_orders(world, n_orders, seed)
        for i in range(0, len(generated), 500):
            ids += [r.order_id for r in intake(app, generated[i : i + 500]) if r.order_id]
        prepare_s = time.perf_counter() - t0
        key = create_key(app, Role.INTEGRATION, "bench-stream")
        app.store.dispose()
        plan = [(oid, m) for m in STEPS for oid in ids][:total]
        port = free_port()
        server = _serve(url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            return _measure(
                base, key, server, plan, rate, batch, senders, n_orders, len(ids), prepare_s, seconds
            )
        finally:
            server.terminate()
            server.wait(timeout=15)


def _serve(url: str, port: int) -> Any:
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "ordo.cli", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _measure(
    base: str,
    key: str,
    server: Any,
    plan: list[tuple[str, str]],
    rate: int,
    batch: int,
    senders: int,
    n_orders: int,
    n_ids: int,
    prepare_s: float,
    seconds: float,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        wait_ready(client, server)
        sub = _Subscriber(base, key)
        sub.start()
        if not sub.ready.wait(15) or sub.error:
            raise RuntimeError(f"SSE subscriber did not start: {sub.error!r}")
        time.sleep(0.3)  # the stream's cursor is taken; updates from now on are new
        sent: dict[tuple[str, str], tuple[float, float]] = {}  # key -> (request start, response read)
        request_s: list[float] = []
        outcomes: dict[str, int] = {}
        interval = batch / rate
        slots = list(range(0, len(plan), batch))
        late = [0]
        failures: list[str] = []
        cpu_before = _cpu_s(server.pid)
        start = time.perf_counter()

        def send(which: int) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=30) as own:
                for n in range(which, len(slots), senders):
                    due = start + n * interval
                    now = time.perf_counter()
                    if now < due:
                        time.sleep(due - now)
                    elif now - due > interval:
                        late[0] += 1
                    part = plan[slots[n] : slots[n] + batch]
                    at = iso(time.time_ns())
                    updates = [{"order_id": o, "milestone": m, "at": at, "source": "bench"} for o, m in part]
                    body = {"updates": updates}
                    t0 = time.perf_counter()
                    response = own.post("/api/v1/milestones", json=body)
                    t1 = time.perf_counter()
                    if response.status_code != 200:
                        failures.append(f"{response.status_code} {response.text[:300]}")
                        return
                    request_s.append(t1 - t0)
                    for r in response.json()["results"]:
                        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
                        if r["outcome"] == "recorded":
                            sent[(r["order_id"], r["milestone"])] = (t0, t1)

        threads = [threading.Thread(target=send, args=(w,), name=f"bench-send-{w}") for w in range(senders)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if failures:
            raise RuntimeError(f"milestones failed: {failures[0]}")
        send_s = time.perf_counter() - start
        cpu_after = _cpu_s(server.pid)
        # Let the last events arrive.
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline and not all(k in sub.arrivals for k in sent):
            time.sleep(0.05)
        sub.stop.set()
    accepted = [sub.arrivals[k] - t1 for k, (t0, t1) in sent.items() if k in sub.arrivals]
    whole = [sub.arrivals[k] - t0 for k, (t0, t1) in sent.items() if k in sub.arrivals]
    updates = sum(outcomes.values())
    server_cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {
        "bench": "stream",
        "server": "ordo serve (uvicorn, 1 process), SQLite WAL",
        "cores": os.cpu_count(),
        "machine": machine(),
        "params": {
            "target_updates_per_s": rate,
            "batch": batch,
            "requests_per_s": round(rate / batch, 1),
            "seconds": seconds,
            "orders": n_orders,
            "orders_created": n_ids,
        },
        "prepare_s": round(prepare_s, 2),
        "send_s": round(send_s, 3),
        "updates": updates,
        "outcomes": outcomes,
        "updates_per_s": round(updates / send_s, 1),
        "requests_late": late[0],
        "senders": senders,
        "events_received": sub.events,
        "matched": len(accepted),
        "missing": len(sent) - len(accepted),
        "accepted_to_event": {
            **latency_ms(accepted),
            "min_ms": round(min(accepted, default=0) * 1000, 3),
            "max_ms": round(max(accepted, default=0) * 1000, 3),
        },
        "sent_to_event": latency_ms(whole),
        "request": latency_ms(request_s),
        # Server CPU over the sending window (request handling, SSE, background work).
        "server_cpu_s": None if server_cpu is None else round(server_cpu, 2),
        "server_cpu_ms_per_update": None
        if server_cpu is None or not updates
        else round(1000 * server_cpu / updates, 3),
        "targets": {"p50_ms": 10, "p99_ms": 50},
        # Latency targets count only at the target rate: a slower run is not a pass.
        "rate_reached": updates / send_s >= 0.95 * rate,
        "meets_targets": bool(accepted)
        and updates / send_s >= 0.95 * rate
        and percentile(accepted, 50) * 1000 <= 10
        and percentile(accepted, 99) * 1000 <= 50,
    }


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    args = sys.argv[1:]
    print(
        json.dumps(
            run(
                seconds=float(args[0]) if args else 10.0,
                rate=int(args[1]) if len(args) > 1 else 1000,
                batch=int(args[2]) if len(args) > 2 else 10,
                senders=int(args[3]) if len(args) > 3 else 4,
            ),
            ensure_ascii=False,
        )
    )
