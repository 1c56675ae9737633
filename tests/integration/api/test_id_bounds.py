"""Integer ids past a signed 64-bit column are a 422 naming the parameter, never a 500.

SQLite raised OverflowError on any id ≥ 2^63 in 16 operations (paths, queries, bodies).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import Headers, TestClient

HUGE = 2**63
NOTE = {"note": "a note"}

# (method, path with {id}, json body or None)
CASES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/rules/drafts/{id}", None),
    ("PATCH", "/api/v1/rules/drafts/{id}", NOTE),
    ("POST", "/api/v1/rules/drafts/{id}/backtest", NOTE),
    ("POST", "/api/v1/rules/drafts/{id}/submit", NOTE),
    ("POST", "/api/v1/rules/drafts/{id}/approve", NOTE),
    ("POST", "/api/v1/rules/drafts/{id}/publish", NOTE),
    ("GET", "/api/v1/rules/versions/{id}", None),
    ("POST", "/api/v1/rules/rollbacks/{id}/approve", NOTE),
    ("GET", "/api/v1/rules/audit?draft_id={id}", None),
    ("GET", "/api/v1/rules/audit?version={id}", None),
    ("GET", "/api/v1/incidents/{id}", None),
    ("POST", "/api/v1/incidents/{id}/assign", {"assignee": "someone"}),
    ("POST", "/api/v1/incidents/{id}/acknowledge", NOTE),
    ("POST", "/api/v1/incidents/{id}/resolve", NOTE),
    ("POST", "/api/v1/incidents/{id}/dismiss", NOTE),
    ("POST", "/api/v1/customers/merges/{id}/split", {"reason": "wrong merge"}),
]


@pytest.mark.parametrize(("method", "path", "body"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
@pytest.mark.parametrize("value", [HUGE, 10**30, -HUGE])
def test_an_id_past_64_bits_is_refused_not_a_500(
    client: TestClient, admin: Headers, method: str, path: str, body: dict[str, Any] | None, value: int
) -> None:
    r = client.request(method, path.format(id=value), json=body, headers=admin)
    assert r.status_code in (404, 422), (r.status_code, r.text)
    if r.status_code == 422:
        assert r.json()["error"] == "validation_failed"


def test_replaying_dead_letters_by_huge_ids_is_refused(client: TestClient, admin: Headers) -> None:
    r = client.post("/api/v1/channels/dead-letters/replay", json={"ids": [HUGE]}, headers=admin)
    assert r.status_code == 422, r.text


def test_the_largest_storable_id_is_simply_not_found(client: TestClient, admin: Headers) -> None:
    r = client.get(f"/api/v1/rules/drafts/{HUGE - 1}", headers=admin)
    assert r.status_code == 404, r.text
