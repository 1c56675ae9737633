"""What split-parcel confirmations and e-waybill cancellations ask of each platform, through a
fake call (no HTTP), and which lines each parcel of an order holds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from ordo.adapters.platforms.client import PlatformError
from ordo.adapters.platforms.parcels import Parcel, confirm_split, splits
from ordo.adapters.platforms.waybill_cancel import cancel_waybill
from ordo.service.channels import parcel_lines
from ordo.service.ports.platforms import PlatformLine


class FakeCall:
    def __init__(self, *answers: dict[str, Any] | PlatformError) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, method: str, biz: Mapping[str, Any]) -> dict[str, Any]:
        self.seen.append((method, dict(biz)))
        answer = self.answers.pop(0)
        if isinstance(answer, PlatformError):
            raise answer
        return answer


TWO = [Parcel("SF1", "SF", (("11", 2),)), Parcel("SF2", "SF", (("12", 1), ("13", 1)))]
TOP_OK = {"logistics_offline_send_response": {"shipping": {"is_success": True}}}


def test_top_confirms_each_parcel_with_is_split_and_its_sub_orders() -> None:
    call = FakeCall(TOP_OK, TOP_OK)
    assert confirm_split(call, "taobao", "3001", TWO) == [None, None]
    assert call.seen == [
        ("taobao.logistics.offline.send",
         {"tid": "3001", "out_sid": "SF1", "company_code": "SF", "is_split": "1", "sub_tid": "11"}),
        ("taobao.logistics.offline.send",
         {"tid": "3001", "out_sid": "SF2", "company_code": "SF", "is_split": "1", "sub_tid": "12,13"}),
    ]  # fmt: skip


def test_douyin_ships_single_packs_with_units_and_an_idempotent_request_id() -> None:
    call = FakeCall({"code": 10000, "data": {"pack_id": "P1"}}, {"code": 10000, "data": {"pack_id": "P2"}})
    assert confirm_split(call, "douyin", "6901", TWO) == [None, None]
    method, biz = call.seen[1]
    assert method == "order.logisticsAddSinglePack"
    assert biz == {
        "order_id_list": ["6901"],
        "shipped_order_info": [
            {"shipped_order_id": "12", "shipped_num": 1},
            {"shipped_order_id": "13", "shipped_num": 1},
        ],
        "logistics_code": "SF2",
        "company_code": "SF",
        "request_id": "6901-SF2",
    }


def test_wechat_sends_every_parcel_with_its_products_in_one_call() -> None:
    call = FakeCall({"errcode": 0})
    parcels = [Parcel("SF1", "SF", (("234245:23424", 2),)), Parcel("SF2", "SF", (("234246:998877", 1),))]
    assert confirm_split(call, "wechat_channels", "3712345678901234567", parcels) == [None, None]
    assert call.seen == [
        ("/channels/ec/order/delivery/send", {
            "order_id": 3712345678901234567,
            "delivery_list": [
                {"delivery_id": "SF", "waybill_id": "SF1", "deliver_type": 1,
                 "product_infos": [{"product_id": 234245, "sku_id": 23424, "product_cnt": 2}]},
                {"delivery_id": "SF", "waybill_id": "SF2", "deliver_type": 1,
                 "product_infos": [{"product_id": 234246, "sku_id": 998877, "product_cnt": 1}]},
            ],
        }),
    ]  # fmt: skip


def test_pinduoduo_sends_the_first_waybill_then_the_others_as_extra_waybills() -> None:
    call = FakeCall(
        {"logistics_online_send_response": {"is_success": True}},
        {"order_upload_extra_logistics_response": {"success": True}},
    )
    parcels = [Parcel("SF1", "44", (("1", 1),)), Parcel("SF2", "44", (("2", 1),))]
    assert confirm_split(call, "pinduoduo", "261111-1", parcels) == [None, None]
    assert call.seen[0] == (
        "pdd.logistics.online.send",
        {"order_sn": "261111-1", "logistics_id": "44", "tracking_number": "SF1"},
    )
    method, biz = call.seen[1]
    assert method == "pdd.order.upload.extra.logistics" and biz["extra_track_type"] == "1"
    assert json.loads(biz["extra_track_list"]) == [{"shipping_id": 44, "tracking_number": "SF2"}]


def test_a_pinduoduo_order_shipped_before_takes_a_retried_parcel_as_an_extra_waybill() -> None:
    shipped = PlatformError("refused", "already_shipped", "订单已发货")
    call = FakeCall(shipped, {"order_upload_extra_logistics_response": {"success": True}})
    assert confirm_split(call, "pinduoduo", "261111-1", [Parcel("SF2", "44", (("2", 1),))]) == [None]
    assert call.seen[1][0] == "pdd.order.upload.extra.logistics"


def test_a_refused_parcel_is_its_own_error_and_the_others_pass() -> None:
    refused = PlatformError("refused", "isv.invalid-parameter", "sub_tid")
    answers = confirm_split(FakeCall(TOP_OK, refused), "tmall", "3001", TWO)
    assert answers[0] is None and answers[1] is refused


def test_only_parcels_that_name_their_lines_on_a_platform_that_takes_them_are_split() -> None:
    assert splits("taobao", TWO) and splits("douyin", TWO[1:])
    assert not splits("taobao", [Parcel("SF1", "SF"), TWO[1]])
    assert not splits("jd", TWO) and not splits("kuaishou", TWO) and not splits("taobao", [])


def test_parcels_hold_the_lines_of_their_warehouse_in_line_order() -> None:
    lines = [
        PlatformLine(0, "11", 2, "WH-SH"),
        PlatformLine(1, "12", 1, "WH-GZ"),
        PlatformLine(2, "13", 1, "WH-SH"),
    ]
    assert parcel_lines.assign(2, lines) == ["11=2,13=1", "12=1"]
    assert parcel_lines.decode("11=2,13=1") == (("11", 2), ("13", 1))
    assert parcel_lines.decode("234245:23424=2") == (("234245:23424", 2),)
    # not knowable: one waybill, more waybills than warehouses, a line with no platform id
    assert parcel_lines.assign(1, lines) == [""]
    assert parcel_lines.assign(3, lines) == ["", "", ""]
    assert parcel_lines.assign(2, [*lines[:2], PlatformLine(2, "", 1, "WH-SH")]) == ["", ""]


@pytest.mark.parametrize(
    ("channel", "method", "biz", "answer"),
    [
        ("taobao", "cainiao.waybill.ii.cancel", {"cp_code": "SF", "waybill_code": "SF9"},
         {"cainiao_waybill_ii_cancel_response": {"cancel_result": True}}),
        ("douyin", "logistics.cancelOrder", {"logistics_code": "SF", "track_no": "SF9"},
         {"code": 10000, "data": {"cancel_result": {"success": True}}}),
    ],
)  # fmt: skip
def test_an_e_waybill_is_cancelled_with_the_documented_call(
    channel: str, method: str, biz: dict[str, str], answer: dict[str, Any]
) -> None:
    call = FakeCall(answer)
    cancel_waybill(call, channel, "SF9", "SF")
    assert call.seen == [(method, biz)]


def test_douyin_counts_a_repeat_as_done_and_a_collected_parcel_as_final() -> None:
    again = PlatformError("throttled", "isv.business-failed:10801", "该运单已取消成功,请勿重复操作")
    cancel_waybill(FakeCall(again), "douyin", "SF9", "shunfeng")
    collected = PlatformError("throttled", "isv.business-failed:10802", "该运单已取件，不允许取消")
    with pytest.raises(PlatformError) as refused:
        cancel_waybill(FakeCall(collected), "douyin", "SF9", "shunfeng")
    assert refused.value.kind == "refused" and not refused.value.retryable
    with pytest.raises(PlatformError) as unsupported:
        cancel_waybill(FakeCall(), "jd", "SF9", "467")
    assert unsupported.value.code == "unsupported"
