"""``ordo serve`` killed with SIGKILL around an order with an Idempotency-Key: the retry,
sent to the restarted server, gets the first answer, or (if the first never committed)
creates the order, once. The answer is stored in the transaction of the orders, so there
is no moment at which one exists without the other.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from ordo.adapters.store.schema import core as t
from ordo.bench.http import free_port, wait_ready
from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.runtime.keys import create_key
from tests.conftest import seed_tiny_world
from tests.integration.api.conftest import order_json

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]
URL = "/api/v1/orders"


class Server:
    """One ``ordo serve`` process at a time on the database, restarted after each kill."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "ordo.cli", "serve", "--port", str(self.port), "--db", self.db]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ)
        with httpx.Client(base_url=self.base) as probe:
            wait_ready(probe, self.proc)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture(params=["sqlite_url", "pg_url"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Server, dict[str, str]]]:
    db = request.getfixturevalue(request.param)
    ordo = bootstrap(Settings(database_url=db))
    seed_tiny_world(ordo)
    key = create_key(ordo, Role.ADMIN, "crash test")
    ordo.store.dispose()
    server = Server(db)
    server.start()
    try:
        yield server, {"Authorization": f"Bearer {key}"}
    finally:
        server.stop()


def _stored(db: str, external_id: str) -> int:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            q = sa.select(sa.func.count()).select_from(t.orders).where(t.orders.c.external_id == external_id)
            return int(conn.execute(q).scalar_one())
    finally:
        engine.dispose()


def test_a_retry_after_kill_9_gets_the_first_answer(served: tuple[Server, dict[str, str]]) -> None:
    server, auth = served
    headers = {**auth, "Idempotency-Key": "crash-acked"}
    first = httpx.post(server.base + URL, json=order_json("KILL-ACK"), headers=headers, timeout=30)
    server.kill()  # right after the acknowledgement
    assert first.status_code == 201, first.text
    server.start()
    again = httpx.post(server.base + URL, json=order_json("KILL-ACK"), headers=headers, timeout=30)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["results"][0]["outcome"] == "created"
    assert _stored(server.db, "KILL-ACK") == 1


@pytest.mark.parametrize("delay_s", [0.0, 0.01])
def test_a_retry_after_kill_9_mid_request_creates_the_order_once(
    served: tuple[Server, dict[str, str]], delay_s: float
) -> None:
    """Killed while the request may be anywhere: before intake, inside it, after its commit."""
    server, auth = served
    headers = {**auth, "Idempotency-Key": f"crash-{delay_s}"}
    body = order_json(f"KILL-{delay_s}")
    got: list[Any] = []

    def send() -> None:
        try:
            got.append(httpx.post(server.base + URL, json=body, headers=headers, timeout=30))
        except httpx.TransportError as exc:
            got.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(delay_s)
    server.kill()
    sender.join(30)
    server.start()
    again = httpx.post(server.base + URL, json=body, headers=headers, timeout=30)
    assert again.status_code == 201, again.text
    assert again.json()["results"][0]["outcome"] == "created"  # never "duplicate, created: 0"
    [first] = got
    if isinstance(first, httpx.Response):  # acknowledged before the kill: the same answer
        assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert _stored(server.db, body["external_id"]) == 1
