"""The ``ordo serve --workers 2`` supervisor as real processes: a worker killed with SIGKILL
is restarted, one killed again and again is reported as crash-looping, and SIGTERM lets a
request in flight finish before the server exits."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from ordo.bench.http import free_port, wait_ready
from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.runtime.keys import create_key
from tests.conftest import seed_tiny_world
from tests.integration.api.conftest import order_json
from tests.integration.cli.test_serve_workers import _workers_of

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]


class Node:
    def __init__(self, process: subprocess.Popen[bytes], port: int, key: str, log: Path) -> None:
        self.process, self.port, self.key, self.log = process, port, key, log
        self.base = f"http://127.0.0.1:{port}"

    def health(self) -> dict[str, Any]:
        """The node's health from a fresh connection (so any worker answers). A connection the
        kernel had queued on a worker's listener just as it was killed is reset: ask again."""
        deadline = time.monotonic() + 5
        while True:
            try:
                with httpx.Client(base_url=self.base, timeout=5) as c:
                    found: dict[str, Any] = c.get("/healthz").json()
                    return found
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def wait_workers(self, n: int, timeout_s: float = 30) -> list[int]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pids = _workers_of(self.process.pid)
            if len(pids) == n:
                return pids
            time.sleep(0.05)
        raise AssertionError(f"not {n} workers within {timeout_s} s: {_workers_of(self.process.pid)}")


@pytest.fixture
def node(sqlite_url: str) -> Iterator[Node]:
    ordo = bootstrap(Settings(database_url=sqlite_url))
    seed_tiny_world(ordo)
    key = create_key(ordo, Role.ADMIN, "supervisor test")
    ordo.store.dispose()
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="ordo-serve-", suffix=".log")[1])
    cmd = [
        sys.executable,
        "-m",
        "ordo.cli",
        "serve",
        "--workers",
        "2",
        "--port",
        str(port),
        "--db",
        sqlite_url,
    ]
    with log.open("wb") as err:
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    n = Node(process, port, key, log)
    try:
        with httpx.Client(base_url=n.base) as probe:
            wait_ready(probe, process)
        n.wait_workers(2)
        yield n
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.unlink(missing_ok=True)


def _slots(node: Node) -> list[dict[str, Any]]:
    slots: list[dict[str, Any]] = node.health()["node"]["workers"]["slots"]
    return slots


def test_a_killed_worker_is_restarted_and_counted(node: Node) -> None:
    first = node.wait_workers(2)
    os.kill(first[0], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while True:
        now = _workers_of(node.process.pid)
        if len(now) == 2 and first[0] not in now:
            break
        assert time.monotonic() < deadline, "the killed worker was not replaced within 10 s"
        time.sleep(0.05)
    headers = {"Authorization": f"Bearer {node.key}"}
    for i in range(6):  # fresh connections, so both workers answer
        with httpx.Client(base_url=node.base, timeout=10) as c:
            assert c.post("/api/v1/orders", json=order_json(f"SV-{i}"), headers=headers).status_code == 201
    deadline = time.monotonic() + 5
    while sorted(s["restarts"] for s in _slots(node)) != [0, 1]:
        assert time.monotonic() < deadline, _slots(node)
        time.sleep(0.1)
    assert all(s["state"] == "running" for s in _slots(node))
    health = node.health()["node"]
    assert health["workers"]["crash_looping"] == []
    assert set(health["duties"].values()) == {"held"}  # one node: it holds every duty
    assert "exited with signal 9; restarting" in node.log.read_text()


def test_a_worker_killed_over_and_over_is_reported_as_crash_looping(node: Node) -> None:
    victim = next(s for s in _slots(node) if s["pid"])
    slot = victim["slot"]
    for _ in range(5):
        pid = None
        deadline = time.monotonic() + 30
        while pid is None:  # the slot's current process, once it is up
            assert time.monotonic() < deadline
            pid = next(s["pid"] for s in _slots(node) if s["slot"] == slot)
            if pid is None:
                time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        deadline = time.monotonic() + 5
        while next(s["pid"] for s in _slots(node) if s["slot"] == slot) == pid:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    deadline = time.monotonic() + 5
    while node.health()["node"]["workers"]["crash_looping"] != [slot]:
        assert time.monotonic() < deadline, node.health()
        time.sleep(0.1)
    assert "crash-looping" in node.log.read_text()
    # The other worker still serves meanwhile.
    assert httpx.get(f"{node.base}/livez").status_code == 200


def test_sigterm_lets_a_request_in_flight_finish_then_exits(node: Node) -> None:
    body = orjson.dumps(order_json("DRAIN-1"))
    head = (
        f"POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {node.key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", node.port), timeout=10)
    sock.sendall(head + body[:10])  # in flight: the body is on its way
    time.sleep(0.3)
    node.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    # Draining: no new connection is accepted meanwhile.
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{node.base}/livez", timeout=2)
    sock.sendall(body[10:])
    answer = b""
    while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < 2:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    assert node.process.wait(20) == 0
