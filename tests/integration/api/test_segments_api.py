"""GET /api/v1/segments: every customer in one of the value groups, the RFM grid and each
group's top customers with masked names and phones; a group that does not exist is a 422
naming ``segment``; a key bound to channels counts only its channels' customers, one bound to
shops is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ordo.clock import ManualClock
from ordo.domain.access import Role, Scope
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from tests.integration.api.conftest import Headers, TestClient, order_json


def _submit(client: TestClient, admin: Headers, n: int, ref: str, channel: str = "tmall") -> None:
    body = order_json(f"SEG-{ref}-{n}", [("SKU-TEA", 2)], channel=channel, customer_ref=ref)
    r = client.post("/api/v1/orders", json=body, headers=admin)
    assert r.status_code == 201, r.text


def _bearer(world: Ordo, scope: Scope) -> Headers:
    return {"Authorization": f"Bearer {create_key(world, Role.INTEGRATION, 'scoped', scope=scope)}"}


def _groups(r: Any) -> dict[str, dict[str, Any]]:
    assert r.status_code == 200, r.text
    return {g["id"]: g for g in r.json()["groups"]}


def test_the_segments_read_counts_groups_and_masks_the_top_customers(
    client: TestClient, admin: Headers, auth: Callable[[Role], Headers], world: Ordo, clock: ManualClock
) -> None:
    for n in range(5):  # 5 × 256 yuan: F 4, M 4, and R 5 as the orders are of today
        _submit(client, admin, n, "BIG")
    _submit(client, admin, 0, "SMALL", channel="jd")
    clock.advance(3600)
    r = client.get("/api/v1/segments", params={"top": 3}, headers=auth(Role.VIEWER))
    groups = _groups(r)
    body = r.json()
    assert body["customers"] == 2 and len(groups) == 7 and "as_of" in body
    assert groups["important_value"]["customers"] == 1
    assert groups["important_value"]["spend_fen"] == 5 * 25_600
    [big] = groups["important_value"]["top"]
    assert big["customer_ref"] == "BIG" and big["rfm"] == "544" and big["last_order_id"]
    assert big["name"] == "张**" and big["phone"] == "138****1234"
    assert groups["general"]["customers"] == 1
    assert sum(c["customers"] for c in body["rfm_grid"]) == 2
    assert {s["id"] for s in body["model"]["segments"]} == set(groups)

    only = _groups(client.get("/api/v1/segments", params={"segment": "general"}, headers=admin))
    assert "top" in only["general"] and "top" not in only["important_value"]

    bad = client.get("/api/v1/segments", params={"segment": "whales"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "segment", bad.text
    assert client.get("/api/v1/segments", params={"top": 51}, headers=admin).status_code == 422
    assert client.get("/api/v1/segments").status_code == 401

    jd = _bearer(world, Scope(channels=frozenset({"jd"})))
    scoped = client.get("/api/v1/segments", headers=jd)
    assert scoped.status_code == 200, scoped.text
    assert scoped.json()["customers"] == 1 and _groups(scoped)["general"]["top"][0]["customer_ref"] == "SMALL"
    shop = _bearer(world, Scope(shops=frozenset({"S1"})))
    refused = client.get("/api/v1/segments", headers=shop)
    assert refused.status_code == 403 and refused.json()["error"] == "out_of_scope"
