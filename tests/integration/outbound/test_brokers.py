"""MQTT and NATS JetStream relays against the real brokers: an outage loses nothing.

The shared brokers cannot be stopped from a test, so the outage is a relay pointed
at a closed port first, then at the real broker under the same consumer offset.
Skipped, with the reason shown, when a broker is not reachable.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from typing import Any

import orjson
import pytest

from ordo.adapters.outbound.mqtt import MqttPublisher
from ordo.adapters.outbound.nats import NatsPublisher
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.events.relay import Relay
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from tests.conftest import new_order

MQTT = ("127.0.0.1", 1883)
NATS_URL = "nats://127.0.0.1:4222"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _traffic(app, clock) -> None:
    results = intake(
        app, [new_order(f"B-{i}", province=p) for i, p in enumerate(["浙江省", "广东省", "上海市"])]
    )
    clock.advance(60)
    advance(
        app,
        [MilestoneUpdate(r.order_id, Milestone.PICKED, clock.now_ns(), "wms") for r in results if r.order_id],
    )


def _outbox_ids(app) -> list[int]:
    with app.store.uow(read_only=True) as uow:
        return [e["id"] for e in uow.outbox.after(0, limit=10_000)]


def _relay_until_idle(relay: Relay) -> None:
    for _ in range(20):
        if relay.run_once() == 0:
            return


@pytest.mark.skipif(not _reachable(*MQTT), reason="Mosquitto not reachable on 127.0.0.1:1883")
def test_mqtt_relay_publishes_every_event_after_the_broker_comes_back(world, clock):
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    prefix = f"ordo-test/{secrets.token_hex(4)}/events"
    got: list[tuple[str, dict[str, Any]]] = []
    ready = threading.Event()
    sub = mqtt.Client(CallbackAPIVersion.VERSION2)
    sub.on_connect = lambda c, *_: (c.subscribe(f"{prefix}/#", qos=1), ready.set())
    sub.on_message = lambda _c, _u, msg: got.append((msg.topic, orjson.loads(msg.payload)))
    sub.connect(*MQTT)
    sub.loop_start()
    try:
        assert ready.wait(5)
        time.sleep(0.2)
        down = MqttPublisher(f"mqtt://127.0.0.1:{_closed_port()}", prefix=prefix)
        outage = Relay(world, down, start="earliest")
        _traffic(world, clock)
        assert outage.run_once() == 0
        assert outage.offset() == 0  # not advanced on failure
        up = MqttPublisher(f"mqtt://{MQTT[0]}:{MQTT[1]}", prefix=prefix)
        relay = Relay(world, up, start="earliest")
        _relay_until_idle(relay)
        up.close()
        expected = _outbox_ids(world)
        deadline = time.monotonic() + 5
        while len(got) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(e["id"] for _, e in got) == expected
        assert relay.offset() == expected[-1]
        topics = {t for t, _ in got}
        assert f"{prefix}/order.milestone_recorded/浙江" in topics
        assert f"{prefix}/order.created/广东" in topics
    finally:
        sub.loop_stop()
        sub.disconnect()


@pytest.mark.skipif(not _reachable("127.0.0.1", 4222), reason="NATS not reachable on 127.0.0.1:4222")
def test_nats_relay_publishes_every_event_to_jetstream_after_the_server_comes_back(world, clock):
    import nats

    got: list[dict[str, Any]] = []
    loop = asyncio.new_event_loop()

    async def subscribe() -> Any:
        nc = await nats.connect(NATS_URL)

        async def on(msg: Any) -> None:
            got.append({"subject": msg.subject, **orjson.loads(msg.data)})

        await nc.subscribe("ordo.events.>", cb=on)
        await nc.flush()
        return nc

    nc = loop.run_until_complete(subscribe())
    try:
        down = NatsPublisher(f"nats://127.0.0.1:{_closed_port()}")
        outage = Relay(world, down, start="earliest")
        _traffic(world, clock)
        assert outage.run_once() == 0
        assert outage.offset() == 0
        down.close()
        up = NatsPublisher(NATS_URL)
        relay = Relay(world, up, start="earliest")
        _relay_until_idle(relay)
        up.close()
        expected = _outbox_ids(world)
        mine = set(expected)
        deadline = time.monotonic() + 5
        # Other test runs may publish on the shared server too: count only this database's events.
        while time.monotonic() < deadline:
            loop.run_until_complete(asyncio.sleep(0.05))
            if {e["id"] for e in got if e["id"] in mine} == mine:
                break
        assert {e["id"] for e in got} >= mine
        assert relay.offset() == expected[-1]
        assert any(e["subject"] == "ordo.events.order.milestone_recorded" for e in got)
    finally:
        loop.run_until_complete(nc.close())
        loop.close()
