"""The intercept (拦截) round trip over the API: an order the warehouse has is held, the WMS
subscription receives ``order.intercept_requested``, the WMS answers in its own words through
POST /status-updates, and GET /orders/{id} shows ``intercept`` with its state, time and source.
While held, the release to the warehouse is refused with ``order_on_hold``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from ordo.adapters.outbound.http import HttpSender
from ordo.service.events.delivery import SubscriptionDispatcher
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import RetryPolicy
from tests.integration.outbound.test_subscriptions_out import Endpoint

URL = "/api/v1/orders"
UPDATES = "/api/v1/status-updates"


@pytest.fixture(autouse=True)
def _later(clock, app: Ordo) -> None:
    clock.advance(3 * 86_400)
    app.settings = replace(app.settings, outbound_allow_hosts=("127.0.0.1",))


@pytest.fixture
def wms() -> Iterator[Endpoint]:
    e = Endpoint(failures=0)
    yield e
    e.close()


def _u(order_id: str, status: str, at: str, source: str = "wms") -> dict[str, str]:
    return {"order_id": order_id, "source": source, "status": status, "at": at}


def test_a_held_order_is_intercepted_and_the_answer_shows_on_the_order(client, admin, post_order, world, wms):
    sub = client.post(
        "/api/v1/subscriptions",
        json={"url": wms.url, "event_types": ["order.intercept_requested"]},
        headers=admin,
    )
    assert sub.status_code == 201, sub.text
    oid = post_order("IC-1")
    released = {"updates": [_u(oid, "RELEASED", "2026-11-11T09:00:00+08:00")]}
    r = client.post(UPDATES, json=released, headers=admin)
    assert r.json()["results"][0]["outcome"] == "recorded"
    assert client.get(f"{URL}/{oid}", headers=admin).json()["intercept"] is None

    held = client.post(f"{URL}/{oid}/hold", json={"reason": "买家要求改地址"}, headers=admin)
    assert held.status_code == 200, held.text
    assert held.json()["intercept"] == "requested"
    shown = client.get(f"{URL}/{oid}", headers=admin).json()["intercept"]
    assert shown["state"] == "requested" and shown["hold_reason"] == "manual:买家要求改地址"
    assert shown["at"].endswith("+08:00")

    # The WMS adapter's subscription receives the request.
    sender = HttpSender(timeout_s=2.0, allow_hosts=("127.0.0.1",))
    try:
        SubscriptionDispatcher(world, sender, RetryPolicy(max_attempts=3)).run_once()
    finally:
        sender.close()
    [(_, body)] = wms.received
    event = json.loads(body)
    assert (event["type"], event["order_id"]) == ("order.intercept_requested", oid)
    assert event["payload"]["warehouse_id"] and event["payload"]["steps_done"] == ["released_to_warehouse"]

    answer = client.post(
        UPDATES, json={"updates": [_u(oid, "拦截成功", "2026-11-11T09:30:00+08:00")]}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["signal"] == "intercepted"
    shown = client.get(f"{URL}/{oid}", headers=admin).json()["intercept"]
    assert (shown["state"], shown["source"]) == ("intercepted", "wms")
    assert shown["at"] == "2026-11-11T09:30:00+08:00"


def test_while_held_the_release_is_refused_and_picking_is_kept(client, admin, post_order):
    oid = post_order("IC-2")
    held = client.post(f"{URL}/{oid}/hold", json={"reason": "风控"}, headers=admin)
    assert held.json()["intercept"] is None
    body = {
        "updates": [
            _u(oid, "RELEASED", "2026-11-11T09:00:00+08:00"),
            _u(oid, "PICKED", "2026-11-11T09:10:00+08:00"),
        ]
    }
    results = client.post(UPDATES, json=body, headers=admin).json()["results"]
    assert results[0]["outcome"] == "rejected" and results[0]["error"]["code"] == "order_on_hold"
    assert "挂起" in results[0]["error"]["message"]
    assert results[1]["outcome"] == "recorded"
    failed = client.post(
        UPDATES, json={"updates": [_u(oid, "拦截失败", "2026-11-11T09:20:00+08:00")]}, headers=admin
    )
    assert failed.json()["results"][0]["signal"] == "intercept_failed"
    assert client.get(f"{URL}/{oid}", headers=admin).json()["intercept"]["state"] == "failed"
