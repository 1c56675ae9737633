"""The platforms' real answers go the whole way in: a detail envelope, a list element or a
middleman's envelope received like any push becomes an order; masked receivers never link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ordo.service.channels.receive import ChannelOutcome, receive, set_sku_mapping
from ordo.service.customers.identity import find_customer
from ordo.service.runtime.app import Ordo

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


@pytest.mark.parametrize(
    ("channel", "name", "external_id"),
    [
        ("jd", "jd/order_get_response.json", "281046817987"),
        ("jd", "jd/search_element.json", "301234567891"),
        ("douyin", "douyin/order_detail_response.json", "6950123456789012345"),
        ("kuaishou", "kuaishou/detail_response.json", "2611110012345679"),
        ("taobao", "middlemen/jushita_rds_row.json", "3312456789012345681"),
        ("pinduoduo", "middlemen/erp_forward_pinduoduo.json", "261111-012345678901234"),
    ],
)
def test_a_platforms_own_answer_is_taken_in_as_an_order(
    world: Ordo, channel: str, name: str, external_id: str
) -> None:
    set_sku_mapping(world, "jd", "100012345678", "SKU-TEA")
    set_sku_mapping(world, "taobao", "4801234567891", "SKU-CUP")
    receipt = receive(world, channel, (FIXTURES / name).read_bytes())
    assert receipt.outcome is ChannelOutcome.CREATED, receipt.as_dict()
    assert receipt.external_id == external_id


def test_the_same_masked_phone_on_two_buyers_never_links_them(world: Ordo) -> None:
    body = json.loads((FIXTURES / "douyin/order_detail_response.json").read_text("utf-8"))
    first = receive(world, "douyin", json.dumps(body).encode())
    detail = body["data"]["shop_order_detail"]
    detail["order_id"], detail["doudian_open_id"] = "6950123456789099999", "1@#T3RoZXJCdXllcg=="
    second = receive(world, "douyin", json.dumps(body).encode())
    assert first.outcome is second.outcome is ChannelOutcome.CREATED
    assert find_customer(world, "phone", detail["encrypt_post_tel"]) is None
    one = find_customer(world, "buyer_id", "1@#Zk9wQ2xvdWQ=")
    other = find_customer(world, "buyer_id", "1@#T3RoZXJCdXllcg==")
    assert one is not None and other is not None and one != other
