"""A real ``ordo serve`` against raw sockets: huge heads, stalled requests, many slow clients.

Before ``ordo serve`` bounded its connections, an 8 MB head was answered and 24
connections that stopped mid-head or mid-body were still open after 105 s, each
holding memory. Here the read timeouts are set short (``ORDO_HEADER_TIMEOUT_S``,
``ORDO_BODY_TIMEOUT_S``) so the test need not wait ten seconds for each.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ordo.bench.http import free_port, wait_ready
from ordo.bootstrap import bootstrap
from ordo.config import Settings

HEADER_TIMEOUT_S = 2.0
BODY_TIMEOUT_S = 3.0
SLOW = 100


class Server:
    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.process = process

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return sock


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('serve')) / 'limits.db'}"
    bootstrap(Settings(database_url=url)).store.dispose()  # migrated before the server starts
    port = free_port()
    env = {
        **os.environ,
        "ORDO_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S),
        "ORDO_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
    }
    cmd = [sys.executable, "-m", "ordo.cli", "serve", "--port", str(port), "--db", url]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as probe:
            wait_ready(probe, process)
        yield Server(port, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_all(sock: socket.socket, limit_s: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes (and how long that took)."""
    start = time.monotonic()
    sock.settimeout(limit_s)
    chunks = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except (TimeoutError, ConnectionResetError):
        pass
    return b"".join(chunks), time.monotonic() - start


def test_an_8_mb_head_is_refused_with_431(server: Server) -> None:
    sock = server.connect()
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
    sent = 0
    try:
        sock.sendall(head)
        filler = b"a" * 65536
        while sent < 8 * 1024 * 1024:
            sock.sendall(filler)
            sent += len(filler)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server closed on us mid-send, as it should
    answer, _ = _read_all(sock, 10)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert sent < 8 * 1024 * 1024 or b"headers_too_large" in answer


def test_a_head_of_ordinary_size_is_answered(server: Server) -> None:
    sock = server.connect()
    sock.sendall(
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fine: " + b"a" * 8000 + b"\r\nConnection: close\r\n\r\n"
    )
    answer, _ = _read_all(sock, 10)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


@pytest.mark.parametrize(
    ("sent", "bound_s"),
    [
        (b"", HEADER_TIMEOUT_S),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ab", HEADER_TIMEOUT_S),
        (
            b"POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"channel": ',
            BODY_TIMEOUT_S,
        ),
    ],
    ids=["nothing sent", "mid-head", "mid-body"],
)
def test_a_stalled_request_is_closed_within_a_bound(server: Server, sent: bytes, bound_s: float) -> None:
    sock = server.connect()
    sock.sendall(sent)
    answer, waited = _read_all(sock, bound_s + 10)
    sock.close()
    assert waited < bound_s + 3, waited
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_a_client_dribbling_its_head_byte_by_byte_is_still_cut_off(server: Server) -> None:
    sock = server.connect()
    start = time.monotonic()
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Drip: " + b"a" * 200
    closed = False
    for byte in head:
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        time.sleep(0.05)
        if time.monotonic() - start > HEADER_TIMEOUT_S + 5:
            break
    if not closed:
        answer, _ = _read_all(sock, 5)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    sock.close()
    assert time.monotonic() - start < HEADER_TIMEOUT_S + 6


def test_healthz_stays_fast_while_100_slow_connections_are_held(server: Server) -> None:
    slow = []
    for i in range(SLOW):
        sock = server.connect()
        # Half stop mid-head, half mid-body: each holds a connection (and a parser) open.
        if i % 2:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        else:
            sock.sendall(b"POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
        slow.append(sock)
    timings: list[float] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.port}") as client:
            client.get("/healthz")
            deadline = time.monotonic() + HEADER_TIMEOUT_S * 0.8  # all within the slow ones' lifetime
            while time.monotonic() < deadline or len(timings) < 50:
                start = time.perf_counter()
                r = client.get("/healthz")
                timings.append(time.perf_counter() - start)
                assert r.status_code == 200
                if len(timings) >= 400:
                    break
    finally:
        for sock in slow:
            sock.close()
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    p50 = timings[len(timings) // 2]
    print(f"healthz, {SLOW} slow held: n={len(timings)} p50={p50 * 1e3:.1f} ms p99={p99 * 1e3:.1f} ms")
    assert p99 <= 0.050, p99
