"""What each platform module asks of its platform, through a fake call (no HTTP): JD's
shipment groups waybills by company as JOS documents ``logiCoprId`` / ``logiNo``, and each
stock call carries the documented parameters for a full quantity (Kuaishou: the difference)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from ordo.adapters.platforms.client import APIS, STOCK_PLATFORMS
from ordo.adapters.platforms.jd import JdApi


class FakeCall:
    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, method: str, biz: Mapping[str, Any]) -> dict[str, Any]:
        self.seen.append((method, dict(biz)))
        return self.answers.pop(0)


def test_jd_confirms_every_waybill_grouped_by_company() -> None:
    call = FakeCall({"jingdong_pop_order_shipment_responce": {"sopjosshipment_result": {"success": True}}})
    assert JdApi().confirm(call, "jd", "3001", [("SF1", "467"), ("ZT3", "1499"), ("SF2", "467")], ())
    assert call.seen == [
        (
            "jingdong.pop.order.shipment",
            {"orderId": "3001", "logiCoprId": "467|1499", "logiNo": "SF1,SF2|ZT3"},
        )
    ]


@pytest.mark.parametrize(
    ("channel", "answer", "method", "params"),
    [
        (
            "taobao",
            {"item_quantity_update_response": {"item": {}}},
            "taobao.item.quantity.update",
            {"num_iid": "612", "sku_id": "48", "quantity": "7", "type": "1"},
        ),
        (
            "jd",
            {"jingdong_stock_write_updateSkuStock_responce": {"success": True}},
            "jingdong.stock.write.updateSkuStock",
            {"skuId": 48, "stockNum": 7},
        ),
        (
            "pinduoduo",
            {"goods_quantity_update_response": {"is_success": True}},
            "pdd.goods.quantity.update",
            {"goods_id": "612", "sku_id": "48", "quantity": 7, "update_type": 1},
        ),
        (
            "douyin",
            {"code": 10000, "data": {}},
            "sku.syncStock",
            {"product_id": 612, "sku_id": 48, "stock_num": 7, "incremental": False},
        ),
        (
            "youzan",
            {"success": True, "code": 200, "data": {"is_success": True}},
            "youzan.item.quantity.update",
            {"item_id": 612, "sku_id": 48, "quantity": 7, "type": 0},
        ),
        (
            "wechat_channels",
            {"errcode": 0, "errmsg": "ok"},
            "/channels/ec/product/stock/update",
            {"product_id": "612", "sku_id": "48", "diff_type": 3, "num": 7},
        ),
    ],
)
def test_each_stock_call_sets_a_full_quantity(
    channel: str, answer: dict[str, Any], method: str, params: dict[str, Any]
) -> None:
    call = FakeCall(answer)
    APIS[channel].update_quantity(call, channel, "612", "48", 7)
    assert call.seen == [(method, params)]


@pytest.mark.parametrize(("held", "change"), [(10, (3, 2)), (4, (3, 1)), (7, None)])
def test_kuaishou_reads_the_stock_and_sends_the_difference(held: int, change: tuple[int, int] | None) -> None:
    item = {"result": 1, "data": {"skuInfos": [{"kwaiSkuId": 48, "skuStock": held}]}}
    call = FakeCall(item, {"result": 1, "data": {}})
    APIS["kuaishou"].update_quantity(call, "kuaishou", "612", "48", 7)
    assert call.seen[0] == ("open.item.get", {"kwaiItemId": 612})
    if change is None:
        assert len(call.seen) == 1  # nothing to change: no update call
    else:
        amount, kind = change
        assert call.seen[1] == (
            "open.item.sku.stock.update",
            {"kwaiItemId": 612, "skuId": 48, "skuChangeStock": amount, "changeType": kind},
        )


def test_the_platforms_that_take_stock() -> None:
    assert {
        "taobao",
        "tmall",
        "jd",
        "pinduoduo",
        "douyin",
        "kuaishou",
        "youzan",
        "wechat_channels",
    } == STOCK_PLATFORMS
