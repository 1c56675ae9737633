"""Channel webhooks through HTTP: signatures, replay window, idempotency, ordering, dead letters."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from ordo.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from ordo.adapters.store.schema import core as tables
from ordo.clock import ManualClock
from ordo.service.channels.receive import set_secret
from ordo.service.runtime.app import Ordo
from tests.conftest import T0
from tests.integration.api.conftest import Headers, TestClient, count_rows

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"
SECRET = "taobao-test-secret-0123456789"
JD_SECRET = "jd-secret-in-the-store-0123456"
NS = 1_000_000_000

Post = Callable[..., httpx.Response]


def fixture(channel: str, name: str) -> bytes:
    return (FIXTURES / channel / name).read_bytes()


@pytest.fixture
def post(client: TestClient, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, world: Ordo) -> Post:
    # Signature windows run on wall time; here the wall is the injected clock too.
    monkeypatch.setattr(world, "wall", clock)
    monkeypatch.setenv("ORDO_CHANNEL_SECRET_TAOBAO", SECRET)
    monkeypatch.setenv("ORDO_CHANNEL_SECRET_DOUYIN", SECRET)
    set_secret(world, "jd", JD_SECRET)

    def send(channel: str, body: bytes, *, secret: str | None = None, skew_s: int = 0,
             headers: dict[str, str] | None = None) -> httpx.Response:  # fmt: skip
        ts = clock.now_ns() // NS + skew_s
        key = secret or (JD_SECRET if channel == "jd" else SECRET)
        h = {
            TIMESTAMP_HEADER: str(ts),
            SIGNATURE_HEADER: sign(key, ts, body),
            "content-type": "application/json",
        }
        h.update(headers or {})
        response: httpx.Response = client.post(f"/api/v1/channels/{channel}/webhook", content=body, headers=h)
        return response

    return send


@pytest.fixture
def mapped_cup(client: TestClient, admin: Headers) -> None:
    r = client.post(
        "/api/v1/channels/taobao/sku-map",
        json={"platform_sku": "4801234567891", "ordo_sku": "SKU-CUP"},
        headers=admin,
    )
    assert r.status_code == 200, r.text


def order(client: TestClient, admin: Headers, order_id: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/orders/{order_id}", headers=admin)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def steps_of(body: dict[str, Any]) -> set[str]:
    return {m["milestone"] for m in body["milestones"]}


def test_a_signed_push_creates_the_order(
    post: Post, mapped_cup: None, client: TestClient, admin: Headers
) -> None:
    r = post("taobao", fixture("taobao", "create.json"))
    assert r.status_code == 200, r.text
    receipt = r.json()
    assert receipt["outcome"] == "created" and receipt["external_id"] == "3312456789012345678"
    body = order(client, admin, receipt["order_id"])
    assert body["total_fen"] == 28300 and body["channel"] == "taobao"
    assert body["adcode"] == "330106" and body["status"] == "processing"
    assert {"created", "paid", "stock_locked"} <= steps_of(body)


@pytest.mark.parametrize(
    "tamper",
    [
        {"secret": "not-the-secret-at-all-000"},
        {"headers": {SIGNATURE_HEADER: "sha256=" + "0" * 64}},
        {"headers": {SIGNATURE_HEADER: ""}},
        {"headers": {TIMESTAMP_HEADER: "yesterday"}},
    ],
)
def test_a_bad_signature_is_401_json_and_writes_nothing(
    post: Post, mapped_cup: None, world: Ordo, tamper: dict[str, Any]
) -> None:
    r = post("taobao", fixture("taobao", "create.json"), **tamper)
    assert r.status_code == 401
    assert r.json()["error"] == "unauthenticated" and "/" in r.json()["message"]
    assert count_rows(world, "orders") == 0
    assert count_rows(world, "channel_dead_letters") == 0
    assert count_rows(world, "channel_pending") == 0


def test_a_channel_without_a_secret_refuses_every_push(post: Post, world: Ordo) -> None:
    r = post("kuaishou", fixture("kuaishou", "create.json"))
    # The caller is not told the channel lacks a secret (the operator's log says so).
    assert r.status_code == 401 and "KUAISHOU" not in r.json()["message"]
    assert count_rows(world, "channel_dead_letters") == 0


def test_the_signature_covers_the_body(
    post: Post, client: TestClient, clock: ManualClock, world: Ordo
) -> None:
    ts = clock.now_ns() // NS
    body = fixture("taobao", "create.json")
    h = {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(SECRET, ts, body)}
    r = client.post("/api/v1/channels/taobao/webhook", content=body.replace(b"283.00", b"1.00"), headers=h)
    assert r.status_code == 401 and count_rows(world, "orders") == 0


@pytest.mark.parametrize(("skew", "ok"), [(-299, True), (299, True), (-301, False), (301, False)])
def test_the_timestamp_window_is_300_seconds_on_the_injected_wall_clock(
    post: Post, mapped_cup: None, world: Ordo, skew: int, ok: bool
) -> None:
    r = post("taobao", fixture("taobao", "create.json"), skew_s=skew)
    assert (r.status_code == 200) is ok, r.text
    assert count_rows(world, "orders") == (1 if ok else 0)


def test_the_window_follows_wall_time_not_a_demo_clock_running_hours_ahead(
    post: Post, mapped_cup: None, client: TestClient, world: Ordo, clock: ManualClock
) -> None:
    wall = ManualClock(T0)
    world.wall = wall
    clock.advance(6 * 3600)  # business time, as a demo's 60x clock runs ahead
    ts = wall.now_ns() // NS
    body = fixture("taobao", "create.json")
    h = {
        TIMESTAMP_HEADER: str(ts),
        SIGNATURE_HEADER: sign(SECRET, ts, body),
        "content-type": "application/json",
    }
    r = client.post("/api/v1/channels/taobao/webhook", content=body, headers=h)
    assert r.status_code == 200 and r.json()["outcome"] == "created", r.text
    biz = clock.now_ns() // NS  # signed on the business clock: six hours from the wall
    stale = client.post(
        "/api/v1/channels/taobao/webhook",
        content=body,
        headers={**h, TIMESTAMP_HEADER: str(biz), SIGNATURE_HEADER: sign(SECRET, biz, body)},
    )
    assert stale.status_code == 401


def test_unknown_channel_is_the_same_401_as_a_bad_signature(post: Post) -> None:
    r = post("myspace", b"{}")
    assert r.status_code == 401 and "myspace" not in r.text and "tmall" not in r.text


def test_the_same_order_pushed_three_times_is_one_order(post: Post, mapped_cup: None, world: Ordo) -> None:
    outcomes = [post("taobao", fixture("taobao", "create.json")).json() for _ in range(3)]
    assert [o["outcome"] for o in outcomes] == ["created", "duplicate", "duplicate"]
    assert len({o["order_id"] for o in outcomes}) == 1
    assert count_rows(world, "orders") == 1


def test_status_pushes_advance_the_order_and_never_move_it_back(
    post: Post, mapped_cup: None, client: TestClient, admin: Headers
) -> None:
    oid = post("taobao", fixture("taobao", "create.json")).json()["order_id"]
    shipped = post("taobao", fixture("taobao", "shipped.json")).json()
    assert shipped["outcome"] == "duplicate" and shipped["recorded"] == ["outbound"]
    finished = post("taobao", fixture("taobao", "finished.json")).json()
    assert finished["status"] == "completed"
    again = post("taobao", fixture("taobao", "shipped.json")).json()  # late, stale push
    assert again["recorded"] == [] and again["status"] == "completed"
    assert {"outbound", "delivered", "completed"} <= steps_of(order(client, admin, oid))


def test_a_cancel_push_cancels_and_releases_the_stock(post: Post, mapped_cup: None, world: Ordo) -> None:
    post("taobao", fixture("taobao", "create.json"))
    r = post("taobao", fixture("taobao", "closed.json")).json()
    assert r["status"] == "cancelled" and r["recorded"] == ["cancelled"]
    with world.store.uow(read_only=True) as uow:
        reserved = uow.connection.execute(sa.select(sa.func.sum(tables.stock.c.reserved))).scalar_one()
    assert reserved == 0


def test_an_update_before_the_create_is_kept_and_applied_when_the_order_arrives(
    post: Post, mapped_cup: None, client: TestClient, admin: Headers, world: Ordo
) -> None:
    early = post("taobao", fixture("taobao", "shipped.json"))
    assert early.status_code == 202 and early.json()["outcome"] == "pending"
    assert count_rows(world, "channel_pending") == 1 and count_rows(world, "orders") == 0
    created = post("taobao", fixture("taobao", "create.json")).json()
    assert created["outcome"] == "created" and "outbound" in created["recorded"]
    assert count_rows(world, "channel_pending") == 0 and count_rows(world, "orders") == 1
    assert "outbound" in steps_of(order(client, admin, created["order_id"]))


def test_a_full_order_in_an_update_creates_it(post: Post, client: TestClient, admin: Headers) -> None:
    payload = json.loads(fixture("douyin", "create.json"))
    detail = payload["data"]["shop_order_detail"]
    detail.update(order_status=3, ship_time=detail["create_time"] + 3600)
    first = post("douyin", json.dumps(payload).encode()).json()
    assert first["outcome"] == "created" and "outbound" in first["recorded"]
    later = post("douyin", fixture("douyin", "create.json")).json()  # the "create" arrives late
    assert later["outcome"] == "duplicate" and later["order_id"] == first["order_id"]
    assert "outbound" in steps_of(order(client, admin, first["order_id"]))


def test_unmappable_payload_is_dead_lettered_then_replayed_after_the_mapping_is_fixed(
    post: Post, client: TestClient, admin: Headers, world: Ordo
) -> None:
    r = post("taobao", fixture("taobao", "create.json"))
    assert r.status_code == 202
    receipt = r.json()
    assert receipt["outcome"] == "dead_lettered" and receipt["reasons"][0]["code"] == "unmapped_sku"
    assert count_rows(world, "orders") == 0
    listed = client.get("/api/v1/channels/dead-letters", headers=admin).json()["dead_letters"]
    assert [d["id"] for d in listed] == [receipt["dead_letter_id"]]
    assert listed[0]["external_id"] == "3312456789012345678" and listed[0]["body"]

    still = client.post("/api/v1/channels/dead-letters/replay", json={}, headers=admin).json()["results"]
    assert still[0]["outcome"] == "dead_lettered" and count_rows(world, "channel_dead_letters") == 1

    client.post(
        "/api/v1/channels/taobao/sku-map",
        json={"platform_sku": "4801234567891", "ordo_sku": "SKU-CUP"},
        headers=admin,
    )
    done = client.post(
        "/api/v1/channels/dead-letters/replay", json={"ids": [receipt["dead_letter_id"]]}, headers=admin
    ).json()["results"]
    assert done[0]["outcome"] == "created" and count_rows(world, "orders") == 1
    assert client.get("/api/v1/channels/dead-letters", headers=admin).json()["dead_letters"] == []


def test_a_malformed_but_authentic_body_is_kept_as_a_dead_letter(post: Post, world: Ordo) -> None:
    r = post("taobao", b"{not json")
    assert r.status_code == 202 and r.json()["reasons"][0]["code"] == "malformed_payload"
    assert count_rows(world, "channel_dead_letters") == 1


def test_an_unresolvable_address_holds_the_order_as_an_address_incident(
    post: Post, mapped_cup: None, client: TestClient, admin: Headers
) -> None:
    payload = json.loads(fixture("taobao", "create.json"))
    payload.update(receiver_city="南京市")
    r = post("taobao", json.dumps(payload).encode()).json()
    assert r["outcome"] == "created" and r["hold_reason"] == "address_unresolved"
    body = order(client, admin, r["order_id"])
    assert body["warehouse_id"] is None and body["adcode"] is None
    assert "stock_locked" not in steps_of(body)


def test_a_store_secret_works_like_an_env_secret(post: Post) -> None:
    r = post("jd", fixture("jd", "create.json"))
    assert r.status_code == 202 and r.json()["reasons"][0]["code"] == "unmapped_sku"


def test_sku_map_to_an_unknown_ordo_sku_is_refused(client: TestClient, admin: Headers) -> None:
    r = client.post(
        "/api/v1/channels/jd/sku-map", json={"platform_sku": "1", "ordo_sku": "NOPE"}, headers=admin
    )
    assert r.status_code == 422 and r.json()["error"] == "unknown_sku"


def test_channels_list_shows_each_vocabulary(client: TestClient, admin: Headers) -> None:
    channels = {c["channel"]: c for c in client.get("/api/v1/channels", headers=admin).json()["channels"]}
    assert channels["taobao"]["statuses"]["TRADE_FINISHED"][-1] == "completed"
    assert {"taobao", "tmall", "jd", "douyin", "pinduoduo"} <= set(channels)


def test_concurrent_pushes_are_batched_and_each_gets_its_own_receipt(
    post: Post, mapped_cup: None, api: Any, world: Ordo
) -> None:
    assert api.state.webhook_batcher is not None  # the app is started: pushes go through it
    payload = json.loads(fixture("taobao", "create.json"))

    def push(n: int) -> httpx.Response:
        payload_n = {**payload, "tid": str(5_000 + n), "tid_str": str(5_000 + n)}
        return post("taobao", json.dumps(payload_n).encode())

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(push, [n % 20 for n in range(30)]))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    receipts = [r.json() for r in responses]
    assert [r["external_id"] for r in receipts] == [str(5_000 + n % 20) for n in range(30)]
    assert sorted(r["outcome"] for r in receipts).count("created") == 20
    by_tid: dict[str, set[str]] = {}
    for r in receipts:
        by_tid.setdefault(r["external_id"], set()).add(r["order_id"])
    assert all(len(ids) == 1 for ids in by_tid.values()) and count_rows(world, "orders") == 20
