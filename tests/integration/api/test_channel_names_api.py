"""Channel names as users type them, through HTTP: webhooks, SKU maps and the channel list."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordo.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from ordo.clock import ManualClock
from ordo.service.channels.receive import set_secret
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import Headers, TestClient

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"
NS = 1_000_000_000
SECRET = "new-platform-secret-0123456789"


def push(client: TestClient, clock: ManualClock, name: str, body: bytes) -> dict[str, object]:
    ts = clock.now_ns() // NS
    headers = {
        TIMESTAMP_HEADER: str(ts),
        SIGNATURE_HEADER: sign(SECRET, ts, body),
        "content-type": "application/json",
    }
    r = client.post(f"/api/v1/channels/{name}/webhook", content=body, headers=headers)
    assert r.status_code in (200, 202), r.text
    out: dict[str, object] = r.json()
    return out


@pytest.mark.parametrize(
    ("typed", "channel", "fixture", "external_id"),
    [
        ("视频号", "wechat_channels", "detail.json", "3712345678901234567"),
        ("YZ", "youzan", "trade_get.json", "E20261111010000093806201"),
        ("小红书", "xiaohongshu", "detail.json", "P712345678901234567"),
    ],
)
def test_a_push_to_an_alias_creates_the_order_under_the_canonical_channel(
    client: TestClient, admin: Headers, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, world: Ordo,
    typed: str, channel: str, fixture: str, external_id: str,
) -> None:  # fmt: skip
    monkeypatch.setattr(world, "wall", clock)
    set_secret(world, typed, SECRET)  # stored for the canonical channel
    for platform_sku in ("998877", "4801234567891"):
        r = client.post(
            f"/api/v1/channels/{typed}/sku-map",
            json={"platform_sku": platform_sku, "ordo_sku": "SKU-CUP"},
            headers=admin,
        )
        assert r.status_code == 200, r.text
        assert r.json()["channel"] == channel
    receipt = push(client, clock, typed, (FIXTURES / channel / fixture).read_bytes())
    assert receipt["outcome"] == "created" and receipt["channel"] == channel
    assert receipt["external_id"] == external_id
    r = client.get(f"/api/v1/orders/{receipt['order_id']}", headers=admin)
    assert r.status_code == 200 and r.json()["channel"] == channel


def test_the_channel_list_shows_aliases(client: TestClient, admin: Headers) -> None:
    r = client.get("/api/v1/channels", headers=admin)
    assert r.status_code == 200
    listed = {c["channel"]: c for c in r.json()["channels"]}
    assert {"wechat_channels", "youzan", "xiaohongshu"} <= set(listed)
    assert "有赞" in listed["youzan"]["aliases"] and "tb" in listed["taobao"]["aliases"]
