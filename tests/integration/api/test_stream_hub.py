"""One outbox reader per process feeds every SSE client: many clients, one query per round;
events committed by another node (another Ordo on the database, no shared notifier)
reach them; filters still apply; a client that starts behind the reader catches up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest

from ordo.api import create_app
from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.domain.access import Role
from tests.integration.api.conftest import TestClient, order_json
from tests.integration.api.test_stream import _events, serving

pytestmark = pytest.mark.timeout(60)
CLIENTS = 12
ORDERS = 8


def _collect(
    base: str,
    headers: dict[str, str],
    params: dict[str, str],
    want: int,
    out: list[dict],
    ready: threading.Barrier,
) -> None:
    with (
        httpx.Client(base_url=base, headers=headers, timeout=30) as http,
        http.stream("GET", "/api/v1/stream", params=params) as stream,
    ):
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        ready.wait()
        out += _events(lines, want)


@pytest.fixture
def served(world, settings) -> Iterator[tuple[str, object]]:
    app = create_app(world, settings, stream_heartbeat_s=0.3)
    with serving(app) as url:
        yield url, app


def test_many_clients_share_one_reader_and_see_another_nodes_commits(served, world, api_keys) -> None:
    base, app = served
    headers = {"Authorization": f"Bearer {api_keys[Role.ADMIN]}"}
    # The other node: its own Ordo on the same database, so this server is never poked.
    other = bootstrap(Settings(database_url=world.store.url), clock=world.clock, migrate=False)
    results: list[list[dict]] = [[] for _ in range(CLIENTS + 1)]
    ready = threading.Barrier(CLIENTS + 1)
    threads = [
        threading.Thread(
            target=_collect, args=(base, headers, {"type": "order.created"}, ORDERS + 1, results[i], ready)
        )
        for i in range(CLIENTS)
    ]
    # One more client (below) replays a single order's events from the start.
    for t in threads:
        t.start()
    ready.wait()  # every stream open before the first order
    ready_first = threading.Barrier(2)
    with TestClient(create_app(other, Settings(database_url=world.store.url))) as remote:
        first = remote.post("/api/v1/orders", json=order_json("HUB-0"), headers=headers)
        first_id = first.json()["results"][0]["order_id"]
        lone = threading.Thread(
            target=_collect,
            args=(
                base,
                headers,
                {"order_id": first_id, "last_event_id": "0"},
                1,
                results[CLIENTS],
                ready_first,
            ),
        )
        lone.start()
        ready_first.wait()
        [hub] = app.state.stream_hubs.values()
        reads_before = hub.reads
        started = time.monotonic()
        posted = {first_id}
        for i in range(1, ORDERS + 1):
            r = remote.post("/api/v1/orders", json=order_json(f"HUB-{i}"), headers=headers)
            assert r.status_code == 201, r.text
            posted.add(r.json()["results"][0]["order_id"])
        for t in threads:
            t.join(30)
        lone.join(30)
        elapsed = time.monotonic() - started
    other.store.dispose()
    ids = {orjson.loads(e["data"])["order_id"] for e in results[0]}
    assert ids == posted
    for got in results[1:CLIENTS]:
        assert [e["id"] for e in got] == [e["id"] for e in results[0]]
    [only] = results[CLIENTS]
    assert orjson.loads(only["data"])["order_id"] == first_id and only["event"] == "order.created"
    # One read per poll period (and per batch) for all clients, never one per client.
    polls = elapsed / 0.02
    assert hub.reads - reads_before <= polls + ORDERS + 10, (hub.reads - reads_before, polls)
    assert hub.reads - reads_before < CLIENTS * ORDERS or polls > CLIENTS * ORDERS
