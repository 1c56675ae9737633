"""Substitute SKUs over the API: saved by inventory writers with errors naming the field, read
by anyone with the units each substitute has, removed once (then 404)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from ordo.domain.access import Role

Headers = dict[str, str]


def test_substitutes_are_saved_read_and_removed_with_errors_naming_the_field(
    client: TestClient, auth: Callable[[Role], Headers], admin: Headers
) -> None:
    body = {"items": [{"sku": "SKU-RARE", "substitute": "SKU-TEA", "ratio": 1, "channel": "tmall"}]}
    assert client.put("/api/v1/substitutes", json=body, headers=auth(Role.VIEWER)).status_code == 403
    bad = {"items": [{"sku": "SKU-RARE", "substitute": "SKU-TEA", "ratio": 0}]}
    r = client.put("/api/v1/substitutes", json=bad, headers=admin)
    assert r.status_code == 422 and "ratio" in r.text
    unknown = {"items": [{"sku": "SKU-RARE", "substitute": "SKU-NONE"}]}
    r = client.put("/api/v1/substitutes", json=unknown, headers=admin)
    assert r.status_code == 422 and r.json()["details"]["field"] == "items[0].substitute"
    r = client.put("/api/v1/substitutes", json=body, headers=admin)
    assert r.status_code == 200 and r.json()["saved"] == 1
    r = client.get(
        "/api/v1/substitutes", params={"sku": "SKU-RARE", "channel": "tmall"}, headers=auth(Role.VIEWER)
    )
    [row] = r.json()["items"]
    assert (row["substitute"], row["channel"], row["available"]) == ("SKU-TEA", "tmall", 300)
    assert row["updated_by"] and row["warehouses"]
    assert client.get(
        "/api/v1/substitutes", params={"sku": "SKU-RARE", "channel": "jd"}, headers=admin
    ).json() == {"items": []}
    path = "/api/v1/substitutes/SKU-RARE/SKU-TEA"
    assert client.delete(path, params={"channel": "tmall"}, headers=admin).status_code == 200
    assert client.delete(path, params={"channel": "tmall"}, headers=admin).status_code == 404
