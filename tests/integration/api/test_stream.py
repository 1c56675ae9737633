"""The SSE stream, over a real uvicorn server (TestClient buffers endless responses)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import orjson
import pytest
import uvicorn

from ordo.api import create_app
from ordo.domain.access import Role
from tests.integration.api.conftest import order_json

pytestmark = pytest.mark.timeout(60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    # uvicorn would otherwise wait for open streams before it stops.
    config.timeout_graceful_shutdown = 1
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _events(lines: Iterator[str], n: int) -> list[dict]:
    """Read SSE lines until n events have arrived; comments and retry hints are skipped."""
    out: list[dict] = []
    current: dict = {}
    for line in lines:
        if line == "":
            if "data" in current:
                out.append(current)
                if len(out) == n:
                    return out
            current = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            current[name] = value
    return out


@pytest.fixture
def server(world, settings):
    with serving(create_app(world, settings, stream_heartbeat_s=0.3)) as url:
        yield url


@pytest.fixture
def headers(world, api_keys):
    return {"Authorization": f"Bearer {api_keys[Role.ADMIN]}"}


def _listeners(world) -> int:
    return len(world.notifier._listeners)


def test_a_new_order_and_its_milestone_arrive_on_the_stream(server, headers, world):
    with (
        httpx.Client(base_url=server, headers=headers, timeout=10) as http,
        http.stream("GET", "/api/v1/stream") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")  # the stream is open: post now
        r = http.post("/api/v1/orders", json=order_json("S-1"))
        order_id = r.json()["results"][0]["order_id"]
        update = {
            "order_id": order_id,
            "milestone": "picked",
            "at": "2026-11-11T08:00:00+08:00",
            "source": "wms",
        }
        http.post("/api/v1/milestones", json={"updates": [update]})
        first, second = _events(lines, 2)
    assert first["event"] == "order.created"
    assert second["event"] == "order.milestone_recorded"
    assert int(second["id"]) > int(first["id"])
    data = orjson.loads(second["data"])
    assert data["order_id"] == order_id
    assert data["payload"]["milestone"] == "picked"
    assert data["id"] == int(second["id"])


def test_last_event_id_resumes_after_that_event_and_filters_apply(server, headers, world):
    with httpx.Client(base_url=server, headers=headers, timeout=10) as http:
        posted = [
            http.post("/api/v1/orders", json=order_json(f"S-{i}", channel=ch))
            for i, ch in enumerate(["jd", "tmall", "jd"])
        ]
        ids = [r.json()["results"][0]["order_id"] for r in posted]
        with http.stream("GET", "/api/v1/stream", headers={"Last-Event-ID": "1"}) as stream:
            [event] = _events(stream.iter_lines(), 1)
        assert event["id"] == "2"
        with http.stream("GET", "/api/v1/stream", params={"last_event_id": 0, "channel": "jd"}) as stream:
            got = _events(stream.iter_lines(), 2)
        assert [orjson.loads(e["data"])["order_id"] for e in got] == [ids[0], ids[2]]
        params = {"last_event_id": 0, "order_id": ids[1], "type": "order.created"}
        with http.stream("GET", "/api/v1/stream", params=params) as stream:
            [event] = _events(stream.iter_lines(), 1)
        assert orjson.loads(event["data"])["order_id"] == ids[1]


def test_an_idle_stream_sends_heartbeats_and_holds_no_database_connection(server, headers, world):
    with (
        httpx.Client(base_url=server, headers=headers, timeout=10) as http,
        http.stream("GET", "/api/v1/stream") as stream,
    ):
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        assert next(lines) == ""
        assert next(lines) == ": keep-alive"
        # The stream polls the outbox now and then, holding a connection for the read
        # only; so sample for a while: an idle stream must be seen holding none.
        samples = []
        for _ in range(40):
            samples.append(world.store.engine.pool.checkedout())
            time.sleep(0.025)
        assert min(samples) == 0, samples


def test_a_client_that_leaves_is_forgotten_by_the_server(server, headers, world):
    before = _listeners(world)
    with (
        httpx.Client(base_url=server, headers=headers, timeout=10) as http,
        http.stream("GET", "/api/v1/stream") as stream,
    ):
        # Keep the line iterator: dropping it closes the connection (httpcore closes its
        # stream on GeneratorExit), and the server would rightly forget the client at once.
        lines = stream.iter_lines()
        next(lines)
        time.sleep(0.5)  # past a heartbeat: a client that stays is not dropped
        assert _listeners(world) == before + 1
    deadline = time.monotonic() + 5
    while _listeners(world) != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _listeners(world) == before


def test_the_stream_needs_a_key_and_refuses_unknown_event_types(server, headers):
    with httpx.Client(base_url=server, timeout=10) as http:
        assert http.get("/api/v1/stream").status_code == 401
        r = http.get("/api/v1/stream", params={"type": "order.exploded"}, headers=headers)
        assert r.status_code == 422
        assert r.json()["details"]["field"] == "type"


def test_events_committed_together_arrive_as_separate_events_in_order(server, headers, world):
    with (
        httpx.Client(base_url=server, headers=headers, timeout=10) as http,
        http.stream("GET", "/api/v1/stream", params={"type": "order.milestone_recorded"}) as stream,
    ):
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        order_id = http.post("/api/v1/orders", json=order_json("S-1")).json()["results"][0]["order_id"]
        steps = ["released_to_warehouse", "picked", "packed"]
        at = "2026-11-11T08:00:00+08:00"
        updates = [{"order_id": order_id, "milestone": m, "at": at, "source": "wms"} for m in steps]
        assert http.post("/api/v1/milestones", json={"updates": updates}).status_code == 200
        got = _events(lines, 3)
    ids = [int(e["id"]) for e in got]
    assert ids == sorted(set(ids))
    assert [orjson.loads(e["data"])["payload"]["milestone"] for e in got] == steps
    assert all(e["event"] == "order.milestone_recorded" for e in got)
