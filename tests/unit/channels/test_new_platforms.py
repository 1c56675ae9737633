"""WeChat Channels shops, Youzan and Xiaohongshu, field by field, from their documentation samples.

``wechat_channels`` and ``youzan`` are mapping files only (specs/*.toml); ``xiaohongshu`` is a
mapping file with a small hook. Expected values are written out, not computed.
"""

from __future__ import annotations

from collections.abc import Callable

from ordo.adapters.channels import ADAPTERS, Mapped
from ordo.adapters.channels.declarative import DeclarativeAdapter
from ordo.domain.orders.milestones import Milestone as M
from tests.unit.channels.conftest import load

MapFixture = Callable[[str, str], Mapped]
NS = 1_000_000_000
MS = 1_000_000
T0100 = 1_794_330_000 * NS  # 2026-11-11 01:00:00 Asia/Shanghai
T0101 = T0100 + 60 * NS
T0300 = T0100 + 2 * 3600 * NS


def _ids(m: Mapped) -> list[tuple[str, str, bool]]:
    return [(i.kind, i.value, i.masked) for i in m.source.identifiers]


def test_the_new_platforms_are_mapping_files_and_two_of_them_have_no_python() -> None:
    hooks = {}
    for name in ("wechat_channels", "youzan", "xiaohongshu"):
        adapter = ADAPTERS[name]
        assert isinstance(adapter, DeclarativeAdapter)
        hooks[name] = adapter._hook is not None
    assert hooks == {"wechat_channels": False, "youzan": False, "xiaohongshu": True}


# -- WeChat Channels shop (视频号小店) ------------------------------------------------
def test_wechat_channels_detail_answer_every_field(mapped: MapFixture) -> None:
    m = mapped("wechat_channels", "detail.json")
    co, order = m.source, m.order
    assert order is not None
    # order_id is a JSON number beyond 2^53 in the answer: read exactly, as text
    assert co.external_id == "3712345678901234567" and order.external_id == "3712345678901234567"
    assert co.status == "20" and [s for s, _ in co.steps] == [M.CREATED, M.PAID]
    assert co.placed_at_ns == T0100 and co.paid_at_ns == T0101
    assert dict(co.steps) == {M.CREATED: T0100, M.PAID: T0101}
    assert [(ln.skus, ln.quantity, ln.unit_price_fen, ln.gift, ln.title) for ln in co.lines] == [
        (("SKU-TEA", "23424", "234245"), 2, 12800, False, "明前龙井 250g"),
        (("998877", "234246"), 1, 3900, False, "陶瓷杯"),
    ]
    assert [(ln.sku, ln.quantity, ln.unit_price_fen) for ln in order.lines] == [
        ("SKU-TEA", 2, 12800),
        ("SKU-CUP", 1, 3900),
    ]
    assert co.freight_fen == 500 and co.paid_total_fen == 28800
    assert order.goods_fen == 29500 and order.discount_fen == 1200 and order.total_fen == 28800
    a = co.address
    assert (a.province, a.city, a.district, a.detail, a.name, a.phone) == (
        "广东省", "广州市", "海珠区", "新港中路***号", "陈**", "150****7788",
    )  # fmt: skip
    assert order.ship_to.adcode == "440105"
    assert order.tags == ("receiver_masked",)  # 陈** / 150****7788: kept as sent, flagged
    assert co.remark == "周末送货" and order.remark == "周末送货"
    assert co.buyer_ref == "oU6_bmasdasdsad6_2sgVt7hMZOPfL"
    assert order.customer_ref == "wechat_channels:oU6_bmasdasdsad6_2sgVt7hMZOPfL"
    assert _ids(m) == [
        ("phone", "150****7788", True),
        ("openid", "oZ7x45Dq2yW9vJgZ3mX1nT4uR7sA", False),
        ("unionid", "oU6_bmasdasdsad6_2sgVt7hMZOPfL", False),
    ]


def test_wechat_channels_bare_shipped_order_takes_its_delivery_time(mapped: MapFixture) -> None:
    m = mapped("wechat_channels", "shipped.json")
    co = m.source
    assert co.external_id == "3712345678901234580" and co.status == "30"
    assert dict(co.steps) == {M.CREATED: T0100, M.PAID: T0101, M.OUTBOUND: T0300}
    assert co.buyer_ref == "oZ7x45Dq2yW9vJgZ3mX1nT4uR7sB"  # no unionid: the openid
    assert (co.address.province, co.address.city) == ("上海", "上海")
    assert m.order is not None and m.order.ship_to.province == "上海市" and m.order.ship_to.adcode == "310115"
    assert co.remark == ""


def test_wechat_channels_completed_cancelled_and_gift(mapped: MapFixture) -> None:
    done = mapped("wechat_channels", "completed.json")
    assert [s for s, _ in done.source.steps] == [M.CREATED, M.PAID, M.OUTBOUND, M.DELIVERED, M.COMPLETED]
    assert done.source.lines[0].skus == ("SKU-MILK", "23427", "234247")  # sku_code, the merchant's code
    assert done.order is not None and done.order.total_fen == 6970 and done.order.freight_fen == 1000
    cancelled = mapped("wechat_channels", "cancelled_unpaid.json")
    assert [s for s, _ in cancelled.source.steps] == [M.CREATED, M.CANCELLED]
    assert cancelled.source.paid_at_ns is None  # pay_time 0 is a placeholder, not 1970
    assert dict(cancelled.source.steps)[M.CANCELLED] == T0100 + 1800 * NS  # update_time
    gift = mapped("wechat_channels", "gift_virtual_number.json")
    assert gift.order is not None
    assert [(ln.sku, ln.unit_price_fen, sorted(ln.flags)) for ln in gift.order.lines] == [
        ("SKU-TEA", 12800, []),
        ("SKU-CUP", 0, ["fragile", "gift"]),
    ]
    assert gift.order.discount_fen == 500 and gift.order.total_fen == 12300
    assert gift.source.remark == "[卖家备注 seller] VIP 客户，加赠陶瓷杯"
    assert gift.order.tags == ("partially_shipped", "receiver_masked")  # status 21 部分发货
    # the virtual number (虚拟号) is kept as the contact, flagged masked: never used to link people
    assert gift.source.address.phone == "17000001234-5678"
    assert _ids(gift)[0] == ("phone", "17000001234-5678", True)


def test_wechat_channels_status_push_updates_only() -> None:
    co = ADAPTERS["wechat_channels"].parse(load("wechat_channels", "status_push.json"))
    assert not co.complete and co.lines == () and co.paid_total_fen is None
    assert co.external_id == "3712345678901234580" and co.status == "100"
    assert all(at == 1_794_348_000 * NS for _, at in co.steps)  # update_time for every step


# -- Youzan (有赞) ------------------------------------------------------------------
def test_youzan_trade_get_every_field(mapped: MapFixture) -> None:
    m = mapped("youzan", "trade_get.json")
    co, order = m.source, m.order
    assert order is not None
    assert co.external_id == "E20261111010000093806201" and co.status == "WAIT_SELLER_SEND_GOODS"
    assert dict(co.steps) == {M.CREATED: T0100, M.PAID: T0101}  # yyyy-MM-dd HH:mm:ss, Asia/Shanghai
    assert co.placed_at_ns == T0100 and co.paid_at_ns == T0101
    assert [(ln.skus, ln.quantity, ln.unit_price_fen, ln.gift, ln.title) for ln in co.lines] == [
        (("SKU-TEA", "ITEM-TEA", "36212103", "422422370"), 2, 12800, False, "明前龙井 250g"),
        (("4801234567891", "36212104", "422422371"), 1, 3900, False, "陶瓷杯"),
        (("998877", "422422372"), 1, 3900, True, "陶瓷杯（赠品）"),
    ]
    assert [(ln.sku, ln.unit_price_fen, "gift" in ln.flags) for ln in order.lines] == [
        ("SKU-TEA", 12800, False),
        ("SKU-CUP", 3900, False),
        ("SKU-CUP", 0, True),  # is_present: a gift, booked at 0 whatever its list price
    ]
    assert co.freight_fen == 500 and co.paid_total_fen == 28800  # yuan strings "5.00", "288.00"
    assert order.goods_fen == 29500 and order.discount_fen == 1200 and order.total_fen == 28800
    a = co.address
    assert (a.province, a.city, a.district) == ("四川省", "成都市", "青羊区")
    assert a.name.startswith("$") and a.phone.startswith("$") and a.detail.startswith("$")  # ciphertext kept
    assert order.ship_to.adcode == "510105"
    assert order.tags == ("receiver_masked",)
    assert co.remark == "顾客需要餐具"
    assert co.buyer_ref == "lDWyZBas807636140352864256"
    assert _ids(m) == [
        ("phone", "$eTS8t8hAECdXKgNtV6DIfw==$1$", True),
        ("buyer_id", "lDWyZBas807636140352864256", False),
        ("openid", "oY0DB6wvFtW40hAL-lIRl4MKXKXE", False),
    ]


def test_youzan_list_element_bare_order_closed_and_shipped(mapped: MapFixture) -> None:
    done = mapped("youzan", "sold_get_element.json")
    assert done.source.external_id == "E20261111010000093806202"
    assert dict(done.source.steps) == {
        M.CREATED: T0100,
        M.PAID: T0101,
        M.OUTBOUND: T0300,
        M.DELIVERED: 1_794_381_616 * NS,  # confirm_time 2026-11-11 15:20:16
        M.COMPLETED: 1_794_381_616 * NS,  # success_time
    }
    unpaid = mapped("youzan", "bare_unpaid.json")
    assert unpaid.source.status == "WAIT_BUYER_PAY" and unpaid.source.paid_at_ns is None  # pay_time ""
    assert unpaid.source.lines[0].unit_price_fen == 3990  # "39.9" yuan, exact
    assert unpaid.order is not None and unpaid.order.total_fen == 11970
    assert _ids(unpaid)[0] == ("phone", "13800138000", True)  # the file says Youzan phones are masked
    closed = mapped("youzan", "closed.json")
    assert [s for s, _ in closed.source.steps] == [M.CREATED, M.CANCELLED]
    assert dict(closed.source.steps)[M.CANCELLED] == T0100 + 3600 * NS  # update_time 02:00
    forwarded = mapped("youzan", "erp_forward.json")  # an ERP's forward: raw_data as JSON text
    assert forwarded.source == mapped("youzan", "shipped.json").source
    shipped = mapped("youzan", "shipped.json")
    assert dict(shipped.source.steps)[M.OUTBOUND] == T0300
    assert shipped.source.remark == "[卖家备注 seller] 顺丰发货"
    assert (
        shipped.order is not None and shipped.order.discount_fen == 1000 and shipped.order.freight_fen == 1000
    )


# -- Xiaohongshu (小红书) ---------------------------------------------------------------
def test_xiaohongshu_detail_every_field(mapped: MapFixture) -> None:
    m = mapped("xiaohongshu", "detail.json")
    co, order = m.source, m.order
    assert order is not None
    assert co.external_id == "P712345678901234567" and co.status == "4"
    assert dict(co.steps) == {M.CREATED: 1_794_330_000_000 * MS, M.PAID: 1_794_330_060_000 * MS}  # epoch ms
    # totals per line → unit price and line discount (the hook): 24100 paid + 1000 shop + 500 platform
    assert [(ln.skus, ln.quantity, ln.unit_price_fen, ln.discount_fen, ln.gift) for ln in co.lines] == [
        (("SKU-TEA", "6901234567890", "603c00000b0a"), 2, 12800, 1000, False),
        (("4801234567891", "603c00000b0b"), 1, 3900, 0, False),  # erpcode "null" means none
    ]
    assert [(ln.sku, ln.amount_fen) for ln in order.lines] == [("SKU-TEA", 24600), ("SKU-CUP", 3900)]
    assert co.freight_fen == 500 and co.paid_total_fen == 28500
    assert order.discount_fen == 500 and order.total_fen == 28500  # the platform's 红包 reconciles
    a = co.address
    assert (a.province, a.city, a.district) == ("江苏", "苏州", "相城区")  # short names as sent
    assert (order.ship_to.province, order.ship_to.city, order.ship_to.adcode) == (
        "江苏省",
        "苏州市",
        "320507",
    )
    assert a.name.startswith("#") and a.phone.startswith("#") and a.detail.startswith("#")
    assert co.remark == "请尽快送达"  # sellerRemark "null": none
    assert co.buyer_ref == "5f1e0000000000000100a1b2"
    assert _ids(m) == [
        ("phone", "#MTM4MDAxMzgwMDA=#Y0hWMGRHVnlibUZ0WlE9PQ==#1##", True),
        ("buyer_id", "5f1e0000000000000100a1b2", False),
    ]


def test_xiaohongshu_rounding_gift_shipped_completed_cancelled(mapped: MapFixture) -> None:
    g = mapped("xiaohongshu", "gift_rounding.json")
    assert g.order is not None
    # 10000 paid + 200 shop + 101 platform over 3 units: 3434 each, 201 line discount, exact
    assert [(ln.unit_price_fen, ln.discount_fen, ln.gift) for ln in g.source.lines] == [
        (3434, 201, False),
        (0, 0, True),  # skuTag 1: a gift
    ]
    assert g.order.goods_fen == 10101 and g.order.discount_fen == 101 and g.order.total_fen == 10000
    assert g.order.tags == ("partially_shipped", "receiver_masked")  # status 5 部分发货, encrypted receiver
    shipped = mapped("xiaohongshu", "bare_shipped.json")
    assert dict(shipped.source.steps)[M.OUTBOUND] == 1_794_337_200_000 * MS
    assert shipped.source.remark == "[卖家备注 seller] 顺丰"
    done = mapped("xiaohongshu", "completed.json")
    assert dict(done.source.steps)[M.COMPLETED] == 1_794_348_000_000 * MS
    assert done.order is not None and done.order.total_fen == 6470
    cancelled = mapped("xiaohongshu", "cancelled.json")
    assert cancelled.source.paid_at_ns is None
    assert dict(cancelled.source.steps) == {M.CREATED: T0100, M.CANCELLED: 1_794_331_800_000 * MS}
    assert cancelled.source.remark == ""


def test_xiaohongshu_list_elements_are_status_updates() -> None:
    adapter = ADAPTERS["xiaohongshu"]
    assert isinstance(adapter, DeclarativeAdapter)
    elements = adapter.orders_in(load("xiaohongshu", "lists/order_list.json"))
    parsed = [adapter.parse(e) for e in elements]
    assert [(c.external_id, c.status, c.complete) for c in parsed] == [
        ("P712345678901234568", "6", False),
        ("P712345678901234569", "7", False),
    ]
    one = adapter.parse(load("xiaohongshu", "status_update.json"))
    assert dict(one.steps)[M.OUTBOUND] == 1_794_337_200_000 * MS


def test_xiaohongshu_after_sale_and_cancel_requests_are_tagged(mapped: MapFixture) -> None:
    after = mapped("xiaohongshu", "after_sale_open.json")
    assert after.order is not None
    assert after.order.tags == ("after_sale_open", "receiver_masked")
    assert [s for s, _ in after.source.steps][-1] is M.COMPLETED
    cancel = mapped("xiaohongshu", "cancel_requested.json")
    assert cancel.order is not None and cancel.order.tags == ("cancel_requested", "receiver_masked")
    assert [s for s, _ in cancel.source.steps] == [M.CREATED, M.PAID]


def test_youzan_refund_state_is_tagged(mapped: MapFixture) -> None:
    refund = mapped("youzan", "refund_after_shipping.json")
    assert refund.order is not None
    assert refund.order.tags == ("refund_in_progress", "receiver_masked")
    assert [s for s, _ in refund.source.steps][-1] is M.OUTBOUND
    assert mapped("youzan", "shipped.json").source.tags == ("receiver_masked",)  # refund_state 0
