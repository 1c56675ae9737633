"""A key bound to platform shops submits, and reports statuses by (channel, external id) for,
only the orders its shops were pulled with; anything else is 403 out_of_scope and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from ordo.domain.access import Perm, Role, Scope
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from tests.integration.api.conftest import TestClient, count_rows, order_json

Headers = dict[str, str]


@pytest.fixture
def flagship(world: Ordo) -> Headers:
    with world.store.uow() as uow:  # as each shop's puller records the orders it pulled
        uow.platforms.commit_page("tb-flagship", 0, [("taobao", "SW-MINE"), ("taobao", "SW-MINE-2")], 0)
        uow.platforms.commit_page("tb-outlet", 0, [("taobao", "SW-THEIRS")], 0)
        uow.commit()
    ops = frozenset({Perm.READ, Perm.ORDERS_WRITE, Perm.MILESTONES_WRITE})
    token = create_key(
        world, Role.INTEGRATION, "flagship erp", scope=Scope(shops=frozenset({"tb-flagship"}), operations=ops)
    )
    return {"Authorization": f"Bearer {token}"}


def _refused(r: Any, what: str, shop: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["error"] == "out_of_scope" and body["details"]["refused"] == what
    assert body["details"]["shops"] == [shop] and body["details"]["allowed_shops"] == ["tb-flagship"]


def _writes(world: Ordo) -> tuple[int, ...]:
    return tuple(count_rows(world, t) for t in ("orders", "anomalies", "events", "milestones"))


def test_a_shop_key_submits_only_its_shops_orders(client: TestClient, world: Ordo, flagship: Headers) -> None:
    before = _writes(world)
    for external_id, shop in (("SW-THEIRS", "tb-outlet"), ("SW-PUSHED", "-")):
        r = client.post("/api/v1/orders", json=order_json(external_id, channel="taobao"), headers=flagship)
        _refused(r, "submit orders", shop)
    # A batch with one order outside is refused whole.
    batch = {"orders": [order_json("SW-MINE-2", channel="taobao"), order_json("SW-THEIRS", channel="taobao")]}
    _refused(client.post("/api/v1/orders", json=batch, headers=flagship), "submit orders", "tb-outlet")
    assert _writes(world) == before
    r = client.post("/api/v1/orders", json=order_json("SW-MINE", channel="taobao"), headers=flagship)
    assert r.status_code == 201 and r.json()["results"][0]["outcome"] == "created", r.text


def test_a_shop_key_reports_statuses_by_external_id_for_its_shops_orders_only(
    client: TestClient, world: Ordo, flagship: Headers, post_order: Any
) -> None:
    mine, _ = post_order("SW-MINE", channel="taobao"), post_order("SW-THEIRS", channel="taobao")
    post_order("SW-PUSHED", channel="taobao")

    def update(external_id: str) -> dict[str, Any]:
        step = {"source": "wms", "status": "PICKED", "at": "2026-11-11T09:00:00+08:00"}
        return {"updates": [{"channel": "taobao", "external_id": external_id, **step}]}

    before = _writes(world)
    for external_id, shop in (("SW-THEIRS", "tb-outlet"), ("SW-PUSHED", "-"), ("SW-NEVER", "-")):
        _refused(client.post("/api/v1/status-updates", json=update(external_id), headers=flagship),
                 "report statuses", shop)  # fmt: skip
    assert _writes(world) == before
    r = client.post("/api/v1/status-updates", json=update("SW-MINE"), headers=flagship)
    assert r.status_code == 200, r.text
    [res] = r.json()["results"]
    assert res["order_id"] == mine  # admitted: what the status graph makes of it is its own business
