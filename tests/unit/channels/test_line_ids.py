"""Every channel keeps the platform's own id of each line (its sub-order), through mapping
into the canonical order: what a split parcel is confirmed to the platform by. Expected
values are written out from the fixtures (ids past 2^53 read exactly)."""

from __future__ import annotations

import pytest

from tests.unit.channels.conftest import map_fixture

CASES = [
    # Taobao / Tmall: orders.order[].oid (numbers past 2^53 in the answer)
    ("taobao", "fullinfo_response.json", ["4012345678901234568", "4012345678901234569"]),
    ("taobao", "create.json", ["3312456789012345679", "3312456789012345680", "3312456789012345681"]),
    # JD confirms per order: the line is its skuId
    ("jd", "order_get_response.json", ["100012345678"]),
    # Pinduoduo has no sub-orders: the line is its sku_id
    ("pinduoduo", "information_get_response.json", ["1234567890", "1234567891"]),
    # Douyin: sku_order_list[].order_id, the SKU order (子订单)
    (
        "douyin",
        "order_detail_response.json",
        ["6950123456789012346", "6950123456789012347", "6950123456789012348"],
    ),
    # Kuaishou: one SKU per order
    ("kuaishou", "detail_response.json", ["2201234568"]),
    # WeChat Channels / mini-program shop: product_id:sku_id (a split parcel names both)
    ("wechat_channels", "detail.json", ["234245:23424", "234246:998877"]),
    ("wechat_mp", "get_two_products.json", ["10000012346:2000001235", "10000012345:2000001234"]),
    # Youzan: orders[].oid
    ("youzan", "trade_get.json", ["1463796275690872643", "1463796275690872644", "1463796275690872645"]),
    # Xiaohongshu: skuList[].skuId
    ("xiaohongshu", "detail.json", ["603c00000b0a", "603c00000b0b"]),
]


@pytest.mark.parametrize(("channel", "fixture", "expected"), CASES, ids=[f"{c}-{f}" for c, f, _ in CASES])
def test_each_line_keeps_the_platform_line_id(channel: str, fixture: str, expected: list[str]) -> None:
    m = map_fixture(channel, fixture)
    assert [ln.line_id for ln in m.source.lines] == expected
    assert m.order is not None
    assert [ln.platform_line_id for ln in m.order.lines] == expected
