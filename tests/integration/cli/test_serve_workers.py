"""``ordo serve --workers 2`` as a real process: orders in, read back, streamed, delivered once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from ordo.bench.http import free_port, wait_ready
from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.events.subscriptions import create_subscription
from ordo.service.runtime.keys import create_key
from tests.conftest import seed_tiny_world
from tests.integration.api.conftest import order_json

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]
ORDERS = 24


class Receiver:
    """A local subscription endpoint that records every event id it is sent."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.created: set[str] = set()
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                event = orjson.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    receiver.ids.append(int(self.headers["X-Ordo-Event-Id"]))
                    if event["type"] == "order.created":
                        receiver.created.add(event["order_id"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _workers_of(pid: int) -> list[int]:
    """Child processes started by multiprocessing's spawn (uvicorn's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return found


def _listeners(port: int) -> int:
    """Sockets listening on ``port`` (IPv4), from /proc/net/tcp: state 0A is LISTEN."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for r in rows if r.split()[1].endswith(f":{port:04X}") and r.split()[3] == "0A")


def _orders_counted_per_worker(base: str) -> dict[str, float]:
    """Each worker's own count of accepted order submissions, from its /metrics.

    Keyed by the worker's summed request time for them, which tells the processes apart.
    """
    count = 'ordo_http_requests_total{method="POST",route="/api/v1/orders",status="201"} '
    took = 'ordo_http_request_duration_seconds_sum{method="POST",route="/api/v1/orders"} '
    seen: dict[str, float] = {}
    for _ in range(40):  # a fresh connection each time: the kernel picks the worker
        lines = httpx.get(f"{base}/metrics").text.splitlines()
        n = [float(x[len(count) :]) for x in lines if x.startswith(count)]
        key = [x[len(took) :] for x in lines if x.startswith(took)]
        if n and key:
            seen[key[0]] = n[0]
        if len(seen) == 2:
            break
    return seen


def _stream_created(
    base: str, headers: dict[str, str], want: int, out: set[str], ready: threading.Event
) -> None:
    """Read the SSE stream from the present on, collecting order.created ids until ``want``."""
    params = {"type": "order.created"}
    with (
        httpx.Client(base_url=base, timeout=httpx.Timeout(60.0)) as client,
        client.stream("GET", "/api/v1/stream", params=params, headers=headers) as r,
    ):
        ready.set()
        for line in r.iter_lines():
            if line.startswith("data: "):
                out.add(orjson.loads(line[6:])["order_id"])
                if len(out) >= want:
                    return


@pytest.mark.parametrize("db", ["sqlite_url", "pg_url"])
def test_two_workers_serve_one_store_stream_every_event_and_deliver_each_to_a_subscription_once(
    request: pytest.FixtureRequest, db: str, receiver: Receiver
) -> None:
    url = request.getfixturevalue(db)
    # The receiver listens on loopback, a target only an admin's allow-list opens.
    ordo = bootstrap(Settings(database_url=url, outbound_allow_hosts=("127.0.0.1",)))
    seed_tiny_world(ordo)
    key = create_key(ordo, Role.ADMIN, "workers test")
    create_subscription(ordo, receiver.url, ["order.created"])
    ordo.store.dispose()
    port = free_port()
    env = {**os.environ, "ORDO_OUTBOUND_IDLE_S": "0.2", "ORDO_OUTBOUND_ALLOW_HOSTS": "127.0.0.1"}
    cmd = [sys.executable, "-m", "ordo.cli", "serve", "--workers", "2", "--port", str(port), "--db", url]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base, headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {key}"}
    workers: list[int] = []
    try:
        with httpx.Client(base_url=base) as probe:
            wait_ready(probe, server)
        deadline = time.monotonic() + 30
        while len(_workers_of(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = _workers_of(server.pid)
        assert len(workers) == 2
        # Each worker binds its own SO_REUSEPORT socket once it has started: connections go only
        # to bound ones, so wait for both before counting on the kernel to spread them.
        while _listeners(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _listeners(port) == 2

        streamed: set[str] = set()
        ready = threading.Event()
        reader = threading.Thread(
            target=_stream_created, args=(base, headers, ORDERS, streamed, ready), daemon=True
        )
        reader.start()
        assert ready.wait(30)

        def submit(i: int) -> str:
            # A fresh connection per order, so the kernel spreads them over both workers.
            with httpx.Client(base_url=base, timeout=30) as c:
                r = c.post("/api/v1/orders", json=order_json(f"MW-{i}"), headers=headers)
            assert r.status_code == 201, r.text
            order_id: str = r.json()["results"][0]["order_id"]
            return order_id

        with ThreadPoolExecutor(6) as pool:
            ids = list(pool.map(submit, range(ORDERS)))
        assert len(set(ids)) == ORDERS
        shares = _orders_counted_per_worker(base)
        assert len(shares) == 2 and sum(shares.values()) == ORDERS  # both workers took a share

        with ThreadPoolExecutor(6) as pool:
            reads = list(pool.map(lambda i: httpx.get(f"{base}/api/v1/orders/{i}", headers=headers), ids))
        assert [r.status_code for r in reads] == [200] * ORDERS
        assert [r.json()["id"] for r in reads] == ids

        reader.join(30)
        assert streamed == set(ids)  # commits from either worker reach a stream on either

        deadline = time.monotonic() + 30
        while receiver.created != set(ids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert receiver.created == set(ids)
        time.sleep(1.0)  # a second dispatcher, if one ran, would deliver again meanwhile
        assert len(receiver.ids) == len(set(receiver.ids)) == ORDERS
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # no orphaned worker
