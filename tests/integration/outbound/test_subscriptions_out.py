"""Events out to subscriptions: signed, retried with backoff, ordered per order, dead-lettered, replayed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ordo.adapters.outbound.http import HttpSender
from ordo.adapters.signing import verify
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.events.delivery import SubscriptionDispatcher
from ordo.service.events.subscriptions import create_subscription, dead_letters, replay
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import RetryPolicy
from tests.conftest import new_order


@pytest.fixture(autouse=True)
def _loopback_allowed(app: Ordo) -> None:
    """The receivers here listen on 127.0.0.1, a target only an admin's allow-list opens."""
    app.settings = replace(app.settings, outbound_allow_hosts=("127.0.0.1",))


class Endpoint:
    """A local HTTP endpoint that fails the first ``failures`` requests, then takes everything."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.refused = 0
        self.received: list[tuple[dict[str, str], bytes]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers["Content-Length"]))
                if endpoint.refused < endpoint.failures:
                    endpoint.refused += 1
                    self.send_response(503)
                else:
                    endpoint.received.append((dict(self.headers), data))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    e = Endpoint(failures=5)
    yield e
    e.close()


@pytest.fixture
def sender() -> Iterator[HttpSender]:
    s = HttpSender(timeout_s=2.0, allow_hosts=("127.0.0.1",))
    yield s
    s.close()


def _traffic(app, clock, n_orders: int = 3) -> list[str]:
    results = intake(app, [new_order(f"W-{i}") for i in range(n_orders)])
    ids = [r.order_id for r in results if r.order_id]
    clock.advance(60)
    steps = [Milestone.PICKED, Milestone.PACKED, Milestone.WAYBILL_ISSUED, Milestone.OUTBOUND]
    # Interleaved across orders, so per-order order is not just outbox order by accident of batching.
    for step in steps:
        advance(app, [MilestoneUpdate(oid, step, clock.now_ns(), "wms") for oid in ids])
        clock.advance(1)
    return ids


def _outbox(app) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return uow.outbox.after(0, limit=10_000)


def _pump(dispatcher: SubscriptionDispatcher, clock, rounds: int = 40) -> None:
    for _ in range(rounds):
        dispatcher.run_once()
        clock.advance(600)  # past any backoff


def test_an_endpoint_that_fails_five_times_then_recovers_gets_every_event_once_in_order(
    world, clock, endpoint, sender
):
    sub = create_subscription(world, endpoint.url, [])
    _traffic(world, clock)
    dispatcher = SubscriptionDispatcher(world, sender, RetryPolicy(max_attempts=8))
    _pump(dispatcher, clock)
    assert endpoint.refused == 5
    ids = [int(h["X-Ordo-Event-Id"]) for h, _ in endpoint.received]
    assert ids == [e["id"] for e in _outbox(world)]  # every event, once, in outbox order
    per_order: dict[str, list[int]] = {}
    for _, body in endpoint.received:
        event = json.loads(body)
        per_order.setdefault(event["order_id"], []).append(event["id"])
        assert event["region"] == "浙江"
    assert all(v == sorted(v) for v in per_order.values())
    headers, body = endpoint.received[0]
    assert verify(sub["secret"], int(headers["X-Ordo-Timestamp"]), body, headers["X-Ordo-Signature"])
    assert not verify(
        "wrong-secret-xxxxxxxx", int(headers["X-Ordo-Timestamp"]), body, headers["X-Ordo-Signature"]
    )


def test_retries_back_off_exponentially_on_the_injected_clock(world, clock, endpoint, sender):
    create_subscription(world, endpoint.url, [])
    _traffic(world, clock, 1)
    dispatcher = SubscriptionDispatcher(world, sender, RetryPolicy(base_s=10, jitter=0.0))
    dispatcher.run_once()
    dispatcher.run_once()  # still inside the first 10 s: no new attempt
    assert endpoint.refused == 1
    clock.advance(10)
    dispatcher.run_once()
    assert endpoint.refused == 2
    clock.advance(10)
    dispatcher.run_once()  # the second wait is 20 s
    assert endpoint.refused == 2


def test_an_endpoint_that_never_recovers_fills_the_dead_letter_list_and_delivery_moves_on(
    world, clock, sender
):
    dead = Endpoint(failures=10**9)
    try:
        sub = create_subscription(world, dead.url, ["order.created"])
        _traffic(world, clock, 2)
        dispatcher = SubscriptionDispatcher(world, sender, RetryPolicy(max_attempts=3))
        _pump(dispatcher, clock, rounds=10)
        letters = dead_letters(world, sub["id"])
        assert len(letters) == 2 and {d["event_type"] for d in letters} == {"order.created"}
        assert all(d["attempts"] == 3 and "503" in d["last_error"] for d in letters)
    finally:
        dead.close()


def test_a_replay_delivers_a_time_range_again(world, clock, sender):
    ok = Endpoint(failures=0)
    try:
        sub = create_subscription(world, ok.url, ["order.created"])
        start = clock.now_ns()
        _traffic(world, clock, 2)
        dispatcher = SubscriptionDispatcher(world, sender)
        _pump(dispatcher, clock, rounds=2)
        assert len(ok.received) == 2
        replay(world, sub["id"], start, start + 1)  # only the creations at T0
        _pump(dispatcher, clock, rounds=3)
        ids = [int(h["X-Ordo-Event-Id"]) for h, _ in ok.received]
        assert len(ids) == 4 and ids[:2] == ids[2:]
    finally:
        ok.close()
