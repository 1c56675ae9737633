"""Each adapter against payloads written from the platforms' documentation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ordo.adapters.channels import ADAPTERS, Mapped, Unmappable, is_masked, to_canonical
from ordo.adapters.geo.address import default_resolver
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.milestones import Milestone as M
from ordo.domain.orders.model import IdentifierKind
from tests.unit.channels.conftest import load, lookup

MapFixture = Callable[[str, str], Mapped]
NS = 1_000_000_000
MIDNIGHT = 1_794_326_400 * NS  # 2026-11-11 00:00 Asia/Shanghai


def steps(m: Mapped) -> list[M]:
    return [s for s, _ in m.source.steps]


def test_every_adapter_follows_the_protocol_and_names_its_channel() -> None:
    for name, adapter in ADAPTERS.items():
        assert adapter.channel == name
        assert adapter.statuses and all(M.CREATED in v for v in adapter.statuses.values())


# -- Taobao / Tmall -------------------------------------------------------------
def test_taobao_trade_maps_to_the_canonical_order_with_exact_amounts(mapped: MapFixture) -> None:
    m = mapped("taobao", "create.json")
    o = m.order
    assert o is not None
    assert (o.channel, o.external_id) == ("taobao", "3312456789012345678")
    assert [(ln.sku, ln.quantity, ln.unit_price_fen, ln.discount_fen) for ln in o.lines] == [
        ("SKU-TEA", 2, 12800, 1000),
        ("SKU-CUP", 1, 3900, 0),
        ("SKU-CUP", 1, 0, 0),
    ]
    assert "gift" in o.lines[2].flags and "fragile" in o.lines[1].flags
    assert (o.freight_fen, o.discount_fen, o.total_fen) == (800, 1000, 28300)  # total == payment
    assert o.remark == "请尽快发货，谢谢"
    assert o.placed_at_ns == MIDNIGHT + 62 * NS and o.paid_at_ns == MIDNIGHT + 90 * NS
    assert steps(m) == [M.CREATED, M.PAID]


def test_taobao_masked_receiver_is_kept_as_sent_and_marked_masked(mapped: MapFixture) -> None:
    o = mapped("taobao", "create.json").order
    assert o is not None
    phone = [i for i in o.identifiers if i.kind == IdentifierKind.PHONE]
    assert phone and phone[0].value == "138****1234" and phone[0].masked
    buyer = [i for i in o.identifiers if i.kind == IdentifierKind.BUYER_ID and not i.masked]
    assert buyer[0].value == "AAHk5d-EAAeGwJedwSFu0XXX"
    assert o.customer_ref == "taobao:AAHk5d-EAAeGwJedwSFu0XXX"
    assert (o.ship_to.province, o.ship_to.city, o.ship_to.district, o.ship_to.adcode) == (
        "浙江省", "杭州市", "西湖区", "330106",
    )  # fmt: skip
    assert o.ship_to.located and o.ship_to.detail == "西溪街道文三路***号"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("shipped.json", [M.CREATED, M.PAID, M.OUTBOUND]),
        ("finished.json", [M.CREATED, M.PAID, M.OUTBOUND, M.DELIVERED, M.COMPLETED]),
        ("closed.json", [M.CREATED, M.CANCELLED]),
    ],
)
def test_taobao_status_pushes_map_onto_milestones(mapped: MapFixture, name: str, expected: list[M]) -> None:
    m = mapped("taobao", name)
    assert m.order is None and not m.source.complete
    assert steps(m) == expected


def test_taobao_status_vocabulary_matches_the_issue() -> None:
    v = ADAPTERS["taobao"].statuses
    assert v["WAIT_BUYER_PAY"][-1] is M.CREATED
    assert v["WAIT_SELLER_SEND_GOODS"][-1] is M.PAID
    assert v["WAIT_BUYER_CONFIRM_GOODS"][-1] is M.OUTBOUND
    assert v["TRADE_FINISHED"][-1] is M.COMPLETED
    assert v["TRADE_CLOSED"][-1] is v["TRADE_CLOSED_BY_TAOBAO"][-1] is M.CANCELLED


def test_tmall_reads_the_wrapped_response_and_an_unpaid_trade(mapped: MapFixture) -> None:
    m = mapped("tmall", "create_unpaid.json")
    assert m.order is not None and m.order.channel == "tmall"
    assert m.order.paid_at_ns is None and steps(m) == [M.CREATED]
    assert m.order.ship_to.district == "浦东新区"
    assert not m.order.identifiers[0].masked  # a plain mobile number


def test_an_unmapped_sku_makes_the_payload_unmappable_naming_the_sku() -> None:
    co = ADAPTERS["taobao"].parse(load("taobao", "create.json"))
    with pytest.raises(Unmappable) as err:
        to_canonical(co, lambda s: lookup(s) if s != "4801234567891" else None, default_resolver())
    [reason] = err.value.reasons
    assert reason.code == "unmapped_sku" and reason.field == "lines[1].sku"
    assert "4801234567891" in reason.message and "未映射" in reason.message


def test_a_bad_payload_lists_every_reason_with_its_field() -> None:
    payload = load("taobao", "create.json")
    payload["status"] = "SOMETHING_NEW"
    payload["payment"] = "12.345"
    payload["orders"]["order"][0]["num"] = 0
    with pytest.raises(Unmappable) as err:
        ADAPTERS["taobao"].parse(payload)
    assert {(r.code, r.field) for r in err.value.reasons} == {
        ("unknown_status", "status"),
        ("bad_amount", "payment"),
        ("bad_quantity", "orders.order[0].num"),
    }


def test_a_payload_that_is_not_an_order_at_all_is_unmappable_not_a_crash() -> None:
    for adapter in ADAPTERS.values():
        with pytest.raises(Unmappable):
            adapter.parse({"hello": ["world"]})


# -- JD ----------------------------------------------------------------------------
def test_jd_order_maps_yuan_strings_and_the_municipality_district_in_the_city_field(
    mapped: MapFixture,
) -> None:
    m = mapped("jd", "create.json")
    o = m.order
    assert o is not None and o.external_id == "301234567890"
    assert [(ln.sku, ln.quantity, ln.unit_price_fen) for ln in o.lines] == [("SKU-TEA", 2, 12800)]
    assert (o.discount_fen, o.total_fen) == (1000, 24600)
    assert (o.ship_to.province, o.ship_to.district, o.ship_to.adcode) == ("北京市", "朝阳区", "110105")
    assert o.remark == "周末送货" and steps(m) == [M.CREATED, M.PAID]
    assert any(i.kind == "phone" and i.masked for i in o.identifiers)


def test_jd_finished_and_cancelled_states(mapped: MapFixture) -> None:
    assert steps(mapped("jd", "finished.json"))[-1] is M.COMPLETED
    cancelled = mapped("jd", "canceled.json")
    assert steps(cancelled) == [M.CREATED, M.CANCELLED]
    assert cancelled.source.steps[-1][1] == MIDNIGHT + 40 * 60 * NS


# -- Douyin --------------------------------------------------------------------------
def test_douyin_order_reads_fen_integers_gifts_and_encrypted_receiver(mapped: MapFixture) -> None:
    m = mapped("douyin", "create.json")
    o = m.order
    assert o is not None and o.external_id == "6912345678901234567"
    assert [(ln.sku, ln.quantity, ln.unit_price_fen, ln.discount_fen) for ln in o.lines] == [
        ("SKU-MILK", 3, 1590, 500),
        ("SKU-CUP", 1, 0, 0),
    ]
    assert "cold_chain" in o.lines[0].flags and "gift" in o.lines[1].flags
    assert o.total_fen == 4270 and o.placed_at_ns == MIDNIGHT
    assert o.ship_to.adcode == "310115"
    [phone] = [i for i in o.identifiers if i.kind == "phone"]
    assert phone.masked and phone.value.startswith("#")
    assert o.ship_to.phone == ""  # ciphertext longer than the column: kept only as an identifier


def test_douyin_status_codes(mapped: MapFixture) -> None:
    assert steps(mapped("douyin", "shipped.json"))[-1] is M.OUTBOUND
    assert steps(mapped("douyin", "cancelled.json")) == [M.CREATED, M.CANCELLED]
    assert ADAPTERS["douyin"].statuses["5"][-1] is M.COMPLETED


# -- Pinduoduo -----------------------------------------------------------------------
def test_pinduoduo_yuan_json_numbers_are_exact_and_ciphertext_is_masked(mapped: MapFixture) -> None:
    o = mapped("pinduoduo", "create.json").order
    assert o is not None and o.external_id == "261111-123456789012345"
    assert [(ln.sku, ln.unit_price_fen) for ln in o.lines] == [("SKU-CUP", 3990)]
    assert (o.discount_fen, o.total_fen) == (500, 3490)
    assert o.ship_to.adcode == "440111"
    assert all(i.masked for i in o.identifiers if i.kind == "phone")


def test_pinduoduo_refund_before_shipping_cancels(mapped: MapFixture) -> None:
    m = mapped("pinduoduo", "refunded.json")
    assert m.source.status == "refunded" and steps(m)[-1] is M.CANCELLED


# -- the other channels -------------------------------------------------------------
def test_kuaishou_epoch_millis_and_encrypted_mobile(mapped: MapFixture) -> None:
    o = mapped("kuaishou", "create.json").order
    assert o is not None and o.placed_at_ns == MIDNIGHT + 600 * NS
    assert o.total_fen == 12800 and o.ship_to.adcode == "320106"
    assert [i.masked for i in o.identifiers if i.kind == "phone"] == [True]


def test_wechat_order_carries_openid_and_unionid(mapped: MapFixture) -> None:
    o = mapped("wechat_mp", "create.json").order
    assert o is not None and o.total_fen == 8300 and o.freight_fen == 500
    kinds = {i.kind: i for i in o.identifiers}
    assert not kinds["openid"].masked and not kinds["unionid"].masked
    assert o.customer_ref == "wechat_mp:o6_bmasdasdsad6_2sgVt7hMZOPfL"
    assert o.remark == "包装结实一点"


def test_pos_counter_sale_is_completed_at_once_with_member_and_device(mapped: MapFixture) -> None:
    m = mapped("pos", "sold.json")
    assert m.order is not None and m.order.external_id == "S-HZ-01-20261111-0007"
    assert steps(m)[-1] is M.COMPLETED and m.order.total_fen == 12000
    assert {i.kind for i in m.order.identifiers} == {"member", "device"}
    assert m.order.ship_to.adcode == "330106"


# -- masking and addresses ----------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "masked"),
    [("138****1234", True), ("张**", True), ("~AgAAAAGk~0~", True), ("#abc#def#", True),
     ("13812341234", False), ("", False)],
)  # fmt: skip
def test_masked_values_are_recognised(value: str, masked: bool) -> None:
    assert is_masked(value) is masked


def test_an_unresolvable_address_is_kept_as_sent_and_tagged_not_guessed() -> None:
    payload = load("taobao", "create.json")
    payload["receiver_state"], payload["receiver_city"] = "浙江省", "南京市"
    m = to_canonical(ADAPTERS["taobao"].parse(payload), lookup, default_resolver())
    assert m.order is not None and HoldReason.ADDRESS in m.order.tags
    assert m.order.ship_to.adcode is None and not m.order.ship_to.located
    assert (m.order.ship_to.province, m.order.ship_to.city) == ("浙江省", "南京市")
    assert m.address is not None and "不属于" in m.address.reason
