"""Reads filtered by scope: a key or a person bound to channels or shops sees only their
orders, incidents, dead letters, holds, channel stock, exports and events; a figure over every
channel (the overview, incident metrics) is a 403 for them. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from ordo.api import create_app
from ordo.config import Settings
from ordo.domain.access import Perm, Role, Scope
from ordo.service.channels.receive import receive
from ordo.service.incidents.scan import scan
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from tests.conftest import make_app, seed_tiny_world
from tests.integration.api.conftest import TestClient, order_json
from tests.integration.api.test_stream import _events, serving

Headers = dict[str, str]
FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


def _bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def _key(world: Ordo, scope: Scope) -> Headers:
    return _bearer(create_key(world, Role.INTEGRATION, "scoped reader", scope=scope))


def _submit(client: TestClient, admin: Headers, external_id: str, **kw: Any) -> str:
    r = client.post("/api/v1/orders", json=order_json(external_id, **kw), headers=admin)
    assert r.status_code == 201, r.text
    order_id: str = r.json()["results"][0]["order_id"]
    return order_id


def _out_of_scope(r: Any) -> dict[str, Any]:
    assert r.status_code == 403, r.text
    body: dict[str, Any] = r.json()
    assert body["error"] == "out_of_scope", body
    return body


def _ids(r: Any, key: str = "orders", field: str = "id") -> set[str]:
    assert r.status_code == 200, r.text
    return {str(x[field]) for x in r.json()[key]}


def _check_scoped_reads(client: TestClient, world: Ordo, admin: Headers) -> None:
    jd = _submit(client, admin, "SR-JD", channel="jd", lines=[("SKU-RARE", 5)])
    tm = _submit(client, admin, "SR-TM", channel="tmall", lines=[("SKU-RARE", 5)])
    tb = _submit(client, admin, "SR-TB", channel="taobao")
    scan(world)  # stock-out incidents for the orders that cannot be served
    receipt = receive(world, "taobao", (FIXTURES / "taobao" / "create.json").read_bytes())
    assert receipt.dead_letter_id is not None
    one = _key(world, Scope(frozenset({"jd"}), frozenset({Perm.READ})))
    two = _key(world, Scope(frozenset({"jd", "tmall"}), frozenset({Perm.READ})))

    # Orders: the list, one order, its timeline and the worklist.
    assert jd in _ids(client.get("/api/v1/orders", headers=one))
    assert _ids(client.get("/api/v1/orders", headers=one)) <= {jd}
    assert _ids(client.get("/api/v1/orders", headers=two)) == {jd, tm}
    assert _ids(client.get("/api/v1/orders", headers=admin)) >= {jd, tm, tb}
    assert _out_of_scope(client.get("/api/v1/orders", params={"channel": "tmall"}, headers=one))["details"][
        "channels"
    ] == ["tmall"]
    assert client.get(f"/api/v1/orders/{jd}", headers=one).status_code == 200
    for path in (f"/api/v1/orders/{tm}", f"/api/v1/orders/{tm}/timeline", f"/api/v1/worklist/orders/{tm}"):
        assert _out_of_scope(client.get(path, headers=one))["details"]["refused"] == "read orders"
    assert client.get(f"/api/v1/orders/{jd}/timeline", headers=one).status_code == 200
    page = client.get("/api/v1/worklist/orders", headers=one)
    assert _ids(page) == {jd} and page.json()["total"] == 1  # the total counts jd's orders only
    both = client.get("/api/v1/worklist/orders", headers=two)  # several channels: counted in the query
    assert _ids(both) == {jd, tm} and both.json()["total"] == 2
    assert _ids(client.get("/api/v1/worklist/orders", params={"channel": "tmall"}, headers=two)) == {tm}
    _out_of_scope(client.post("/api/v1/worklist/exports", params={"channel": "taobao"}, headers=two))

    # Incidents: the queue, one incident, and the metrics over every channel.
    everyone = client.get("/api/v1/incidents", headers=admin).json()["exceptions"]
    assert {i["order_id"] for i in everyone} >= {jd, tm}
    mine = client.get("/api/v1/incidents", headers=one).json()["exceptions"]
    assert mine and {i["order_id"] for i in mine} == {jd}
    theirs = next(i["id"] for i in everyone if i["order_id"] == tm)
    ours = next(i["id"] for i in everyone if i["order_id"] == jd)
    assert _out_of_scope(client.get(f"/api/v1/incidents/{theirs}", headers=one))["details"]["refused"] == (
        "read incidents"
    )
    assert client.get(f"/api/v1/incidents/{ours}", headers=one).status_code == 200
    _out_of_scope(client.get("/api/v1/incidents/metrics", headers=one))
    assert client.get("/api/v1/incidents/metrics", headers=admin).status_code == 200

    # Dead letters: the taobao one is not a jd key's; the jd one is, though it is not the oldest.
    assert client.get("/api/v1/channels/dead-letters", headers=admin).json()["dead_letters"]
    assert client.get("/api/v1/channels/dead-letters", headers=one).json()["dead_letters"] == []
    jd_letter = receive(world, "jd", b"{not json").dead_letter_id
    assert jd_letter is not None
    page = client.get("/api/v1/channels/dead-letters", params={"limit": 1}, headers=one).json()
    assert [d["id"] for d in page["dead_letters"]] == [jd_letter]

    # Holds, channel stock, the overview and the event stream.
    assert client.post(f"/api/v1/orders/{tb}/hold", json={"reason": "核对"}, headers=admin).status_code == 200
    assert tb in _ids(client.get("/api/v1/holds", headers=admin))
    assert tb not in _ids(client.get("/api/v1/holds", headers=one))
    _out_of_scope(client.get("/api/v1/holds", params={"channel": "taobao"}, headers=one))
    _out_of_scope(client.get("/api/v1/inventory/channels/tmall", headers=one))
    assert client.get("/api/v1/inventory/channels/jd", headers=one).status_code == 200
    _out_of_scope(client.get("/api/v1/stats/overview", headers=one))
    assert client.get("/api/v1/stats/overview", headers=admin).status_code == 200
    _out_of_scope(client.get("/api/v1/stream", params={"channel": "tmall"}, headers=one))


def test_scoped_reads_on_sqlite(client: TestClient, world: Ordo, admin: Headers) -> None:
    _check_scoped_reads(client, world, admin)


def test_a_shop_bound_key_lists_its_shops_orders_only(
    client: TestClient, world: Ordo, admin: Headers
) -> None:
    mine = _submit(client, admin, "SR-SHOP-MINE", channel="taobao")
    theirs = _submit(client, admin, "SR-SHOP-THEIRS", channel="taobao")
    pushed = _submit(client, admin, "SR-SHOP-PUSHED", channel="taobao")
    with world.store.uow() as uow:  # as the puller records which shop each order came from
        uow.platforms.commit_page("tb-flagship", 0, [("taobao", "SR-SHOP-MINE")], 0)
        uow.platforms.commit_page("tb-outlet", 0, [("taobao", "SR-SHOP-THEIRS")], 0)
        uow.commit()
    key = _key(world, Scope(shops=frozenset({"tb-flagship"}), operations=frozenset({Perm.READ})))
    assert _ids(client.get("/api/v1/orders", headers=key)) == {mine}
    assert client.get(f"/api/v1/orders/{mine}", headers=key).status_code == 200
    for other in (theirs, pushed):
        assert _out_of_scope(client.get(f"/api/v1/orders/{other}", headers=key))["details"]["shops"]
    _out_of_scope(client.get("/api/v1/worklist/orders", headers=key))  # a true total it cannot filter
    assert client.get("/api/v1/channels/dead-letters", headers=key).json()["dead_letters"] == []


@pytest.fixture
def pg_world(pg_url: str, clock: Any) -> Iterator[tuple[TestClient, Ordo, Headers]]:
    ordo = make_app(pg_url, clock)
    seed_tiny_world(ordo)
    admin = _bearer(create_key(ordo, Role.ADMIN, "pg admin"))
    with TestClient(create_app(ordo, Settings(database_url=pg_url))) as client:
        yield client, ordo, admin
    ordo.store.dispose()


@pytest.mark.postgres
def test_scoped_reads_on_postgresql(pg_world: tuple[TestClient, Ordo, Headers]) -> None:
    _check_scoped_reads(*pg_world)


def test_a_key_bound_to_two_channels_streams_their_events_only(world: Ordo, settings: Settings) -> None:
    admin = _bearer(create_key(world, Role.ADMIN, "stream admin"))
    two = _key(world, Scope(frozenset({"jd", "tmall"}), frozenset({Perm.READ})))
    shop = _key(world, Scope(shops=frozenset({"tb-flagship"}), operations=frozenset({Perm.READ})))
    with (
        serving(create_app(world, settings, stream_heartbeat_s=0.3)) as url,
        httpx.Client(base_url=url, timeout=10) as http,
    ):

        def post(external_id: str, channel: str) -> str:
            r = http.post("/api/v1/orders", json=order_json(external_id, channel=channel), headers=admin)
            order_id: str = r.json()["results"][0]["order_id"]
            return order_id

        before = [post(f"ST-{i}", ch) for i, ch in enumerate(["taobao", "jd", "tmall", "taobao"])]
        params: dict[str, str | int] = {"last_event_id": 0, "type": "order.created"}
        with http.stream("GET", "/api/v1/stream", params=params, headers=two) as stream:
            lines = stream.iter_lines()
            got = _events(lines, 2)  # from the store: behind the hub's window
            assert [orjson.loads(e["data"])["order_id"] for e in got] == before[1:3]
            after = [post("ST-LIVE-TB", "taobao"), post("ST-LIVE-JD", "jd")]
            [live] = _events(lines, 1)  # from the hub, live
            assert orjson.loads(live["data"])["order_id"] == after[1]
        assert http.get("/api/v1/stream", headers=shop).status_code == 403
