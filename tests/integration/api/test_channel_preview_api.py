"""``POST /api/v1/channels/{channel}/preview``: the API twin of ``ordo channels map``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ordo.domain.access import Role
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import Headers, TestClient, count_rows

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


def test_the_preview_shows_the_order_and_flags_the_unmapped_line_with_suggestions(
    client: TestClient, admin: Headers, world: Ordo
) -> None:
    r = client.post(
        "/api/v1/channels/taobao/preview?suggest_skus=true",
        content=(FIXTURES / "taobao" / "create.json").read_bytes(),
        headers={**admin, "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["accepted"] is False and out["order"]["lines"][1]["sku"] is None
    [problem] = [p for p in out["problems"] if p["severity"] == "error"]
    assert problem["field"] == "lines[1].sku" and problem["suggestions"][0]["sku"] == "SKU-CUP"
    assert count_rows(world, "channel_dead_letters") == 0 and count_rows(world, "orders") == 0


def test_a_documentation_answer_previews_as_accepted(
    client: TestClient, auth: Callable[[Role], Headers]
) -> None:
    r = client.post(
        "/api/v1/channels/jd/preview",
        content=(FIXTURES / "jd" / "search_element.json").read_bytes(),
        headers={**auth(Role.VIEWER), "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] is True and r.json()["order"]["total_fen"] == 1999


def test_an_unknown_channel_is_404_and_a_garbled_body_is_a_flagged_problem(
    client: TestClient, admin: Headers
) -> None:
    assert client.post("/api/v1/channels/nope/preview", content=b"{}", headers=admin).status_code == 404
    r = client.post("/api/v1/channels/jd/preview", content=b"not json", headers=admin)
    assert r.status_code == 200 and r.json()["problems"][0]["code"] == "malformed_payload"
