"""Service intents: the held-out set is tagged at ≥ 90 %; a complaint about a known order opens
one incident for a person (not two for the same complaint), a question opens none, and an
order outside the caller's scope is not linked."""

from __future__ import annotations

import pytest

from ordo.api import create_app
from ordo.bench.intents import TARGET
from ordo.config import Settings
from ordo.domain.access import Role, Scope
from ordo.domain.errors import ValidationError
from ordo.service.insight.intents import classify, default_model, examples, tag_message
from ordo.service.orders.intake import intake
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from tests.conftest import new_order
from tests.integration.api.conftest import TestClient


def test_the_held_out_messages_are_tagged_at_the_target() -> None:
    held = examples("intents_held_out.jsonl")
    model = default_model()
    right = sum(next(iter(model.scores(t))) == i for t, i in held)
    assert len(held) >= 60 and right / len(held) >= TARGET


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("亲 订单怎么还没发货啊", "催单"),
        ("I want a refund for this", "退货退款"),
        ("客服态度太差 我要投诉", "投诉"),
    ],
)
def test_plain_messages(text: str, intent: str) -> None:
    found = classify(text)
    assert found["intent"] == intent and found["confidence"] > 0.5
    assert abs(sum(found["scores"].values()) - 1) < 1e-3


def test_an_empty_message_is_refused() -> None:
    with pytest.raises(ValidationError):
        classify("   ")


def test_a_complaint_about_a_known_order_opens_one_incident(
    history: tuple[Ordo, dict[str, int]], url: str
) -> None:
    app, _ = history
    [placed] = intake(app, [new_order("3900000000000055555")])  # a Taobao-shaped order number
    first = tag_message(app, "订单3900000000000055555 等了好久 客服也不理人 我要投诉")
    assert first["intent"] == "投诉" and first["order_id"] == placed.order_id
    assert isinstance(first["incident_id"], int)
    again = tag_message(app, "还是没人管 投诉", order_ref="3900000000000055555")
    assert again["incident_id"] == "already_open"
    asked = tag_message(app, "这款有赠品吗", order_ref="SH-1")
    assert asked["intent"] == "咨询" and asked["order_id"] and asked["incident_id"] is None
    outside = tag_message(app, "投诉！！", order_ref="SH-3", scope=Scope(channels=frozenset({"jd"})))
    assert outside["order_id"] is None and outside["incident_id"] is None
    key = create_key(app, Role.OPS, "intents test")
    with TestClient(create_app(app, Settings(database_url=url))) as client:
        got = client.post(
            "/api/v1/service/messages",
            json={"text": "地址写错了 帮我改成杭州市西湖区", "order": "SH-4"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert got.status_code == 200, got.text
        assert got.json()["intent"] == "改地址" and got.json()["incident_id"]
        viewer = create_key(app, Role.VIEWER, "viewer")
        refused = client.post(
            "/api/v1/service/messages", json={"text": "投诉"}, headers={"Authorization": f"Bearer {viewer}"}
        )
        assert refused.status_code == 403
