"""A relay resumes within 2 s of its broker coming back.

A broker of this test's own (a NATS server with JetStream, or Mosquitto, on its own port)
is killed with SIGKILL while a relay worker runs as ``ordo serve`` runs it; orders keep coming;
after a few seconds of outage the server is started again on the same port, and the
time from "the port accepts connections" to "the relay's offset reached the newest
event" is measured: about 0.4 s for NATS, 0.85 s for MQTT. Before the backoff was capped
(0.5 s doubling to 30 s, and a worker that slept its full idle second regardless) the NATS
run took 2.3 s, and the fault-injection run with longer outages 4–12 s.
"""

from __future__ import annotations

import random
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.adapters.outbound.mqtt import MqttPublisher
from ordo.adapters.outbound.nats import NatsPublisher
from ordo.bootstrap import bootstrap
from ordo.clock import SystemClock
from ordo.config import Settings
from ordo.service.events.outbound import Worker
from ordo.service.events.relay import Publisher, Relay
from ordo.service.orders.intake import intake
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import BROKERS
from tests.conftest import new_order, seed_tiny_world

BROKERS_INSTALLED = {"nats": shutil.which("nats-server"), "mqtt": shutil.which("mosquitto")}
pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
#: What the operations target allows between the broker's return and the relay's catch-up.
RESUME_S = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Broker:
    def __init__(self, kind: str, store: Path) -> None:
        self.kind = kind
        self.port = _free_port()
        self.store = store
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start the server; returns the monotonic time its port first accepted a connection."""
        binary = BROKERS_INSTALLED[self.kind]
        assert binary is not None
        if self.kind == "nats":
            cmd = [binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)]
        else:
            cmd = [binary, "-p", str(self.port)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not _accepting(self.port):
            assert time.monotonic() < deadline, f"{binary} did not start"
            time.sleep(0.01)
        return time.monotonic()

    def publisher(self) -> Publisher:
        url = f"{self.kind}://127.0.0.1:{self.port}"
        if self.kind == "nats":
            return NatsPublisher(url, timeout_s=2.0)
        return MqttPublisher(url, prefix="ordo-test/reconnect", timeout_s=2.0)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture(params=["nats", "mqtt"])
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Broker]:
    if BROKERS_INSTALLED[request.param] is None:
        pytest.skip(f"no {request.param} broker installed")
    server = Broker(request.param, tmp_path / "store")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def live(sqlite_url: str) -> Iterator[Ordo]:
    app = bootstrap(Settings(database_url=sqlite_url), clock=SystemClock(), rng=random.Random(3))
    seed_tiny_world(app)
    yield app
    app.store.dispose()


def _newest(app: Ordo) -> int:
    with app.store.uow(read_only=True) as uow:
        return uow.outbox.last_id()


def _wait_for_offset(relay: Relay, want: int, timeout_s: float) -> float:
    deadline = time.monotonic() + timeout_s
    while (relay.offset() or 0) < want:
        assert time.monotonic() < deadline, f"relay offset {relay.offset()} never reached {want}"
        time.sleep(0.01)
    return time.monotonic()


def test_the_broker_backoff_is_capped_below_the_resume_target() -> None:
    worst = BROKERS.max_s * (1 + BROKERS.jitter)
    assert worst < RESUME_S - 0.5  # room for the connect and the first publish


def test_a_relay_resumes_within_two_seconds_of_its_broker_coming_back(live: Ordo, broker: Broker) -> None:
    publisher = broker.publisher()
    relay = Relay(live, publisher, start="earliest")
    worker = Worker("test-nats", relay.run_once, 1.0, publisher.close, relay.due_s)
    unsubscribe = live.notifier.subscribe(worker.poke)
    worker.start()
    try:
        intake(live, [new_order(f"UP-{i}") for i in range(3)])
        _wait_for_offset(relay, _newest(live), 15)

        broker.kill()
        for i in range(5):  # the outage: orders keep coming, the relay keeps failing
            intake(live, [new_order(f"DOWN-{i}")])
            time.sleep(0.8)
        assert (relay.offset() or 0) < _newest(live)
        assert relay.backoff.attempts >= 3  # it backed off several times meanwhile

        back_at = broker.start()
        caught_up = _wait_for_offset(relay, _newest(live), 30)
        resumed_s = caught_up - back_at
        print(f"{broker.kind} relay resumed {resumed_s:.2f} s after the broker accepted connections again")
        assert resumed_s <= RESUME_S
    finally:
        unsubscribe()
        worker.stop()
        worker.join(10)
