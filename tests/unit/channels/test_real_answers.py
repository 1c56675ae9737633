"""Every platform's real answers: documentation-derived payloads (tests/fixtures/channels,
sources in its README), each mapped and checked field by field against the canonical
order written out here, plus the envelope, id, time and money rules they exercise."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from ordo.adapters.channels import ADAPTERS, Mapped, Unmappable, is_masked, to_canonical
from ordo.adapters.channels.jd import JdAdapter
from ordo.adapters.channels.values import Reader, yuan_to_fen
from ordo.adapters.geo.address import default_resolver
from tests.unit.channels.conftest import FIXTURES, load, lookup

NS = 1_000_000_000
_SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _wall(ns: int | None) -> str | None:
    if ns is None:
        return None
    return dt.datetime.fromtimestamp(ns / NS, _SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _map(channel: str, name: str, adapter: str) -> Mapped:
    return to_canonical(ADAPTERS[adapter].parse(load(channel, name)), lookup, default_resolver())


def snapshot(m: Mapped) -> dict[str, Any]:
    """Every field of the canonical order (and the platform status and steps), as plain values."""
    o, co = m.order, m.source
    assert o is not None
    a = o.ship_to
    return {
        "id": co.external_id,
        "status": co.status,
        "steps": [(s.value, _wall(at)) for s, at in co.steps],
        "lines": [
            (ln.sku, ln.quantity, ln.unit_price_fen, ln.discount_fen, tuple(sorted(ln.flags)))
            for ln in o.lines
        ],
        "freight": o.freight_fen,
        "discount": o.discount_fen,
        "total": o.total_fen,
        "placed": _wall(o.placed_at_ns),
        "paid": _wall(o.paid_at_ns),
        "ship": (a.province, a.city, a.district, a.detail, a.adcode, a.name, a.phone),
        "ids": [(i.kind, i.value, i.masked) for i in o.identifiers],
        "customer_ref": o.customer_ref,
        "remark": o.remark,
        "tags": o.tags,
    }


#: (fixture folder, file, adapter) → the canonical order it must become, every field.
EXPECTED: dict[tuple[str, str, str], dict[str, Any]] = {
    ("wechat_mp", "create.json", "wechat_mp"): {
        "id": "3712345678901234567",
        "status": "20",
        "steps": [("created", "2026-11-11 00:20:00"), ("paid", "2026-11-11 00:21:00")],
        "lines": [("SKU-CUP", 2, 3900, 0, ("fragile",))],
        "freight": 500,
        "discount": 0,
        "total": 8300,
        "placed": "2026-11-11 00:20:00",
        "paid": "2026-11-11 00:21:00",
        "ship": ("广东省", "广州市", "天河区", "天河路***号", "440106", "周**", "150****7788"),
        "ids": [
            ("phone", "150****7788", True),
            ("openid", "oVw8k5Dq2yW9vJgZ3mX1nT4uR7sA", False),
            ("unionid", "o6_bmasdasdsad6_2sgVt7hMZOPfL", False),
        ],
        "customer_ref": "wechat_mp:o6_bmasdasdsad6_2sgVt7hMZOPfL",
        "remark": "包装结实一点",
        "tags": ("receiver_masked",),
    },
    ("wechat_mp", "get_two_products.json", "wechat_mp"): {
        "id": "3712345678901234568",
        "status": "20",
        "steps": [("created", "2026-11-11 00:21:40"), ("paid", "2026-11-11 00:22:10")],
        "lines": [("SKU-TEA", 2, 12800, 0, ()), ("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 29,
        "discount": 1000,
        "total": 28529,
        "placed": "2026-11-11 00:21:40",
        "paid": "2026-11-11 00:22:10",
        "ship": ("浙江省", "杭州市", "西湖区", "文三路***号", "330106", "吴**", "158****9999"),
        "ids": [
            ("phone", "158****9999", True),
            ("openid", "oVw8k5Dq2yW9vJgZ3mX1nT4uR7sB", False),
            ("unionid", "o6_bmasdasdsad6_2sgVt7hMZOPfM", False),
        ],
        "customer_ref": "wechat_mp:o6_bmasdasdsad6_2sgVt7hMZOPfM",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("wechat_mp", "shipped_bare.json", "wechat_mp"): {
        "id": "3712345678901234569",
        "status": "30",
        "steps": [
            ("created", "2026-11-11 00:23:20"),
            ("paid", "2026-11-11 00:23:30"),
            ("outbound", "2026-11-11 08:00:00"),
        ],
        "lines": [("SKU-MILK", 3, 1590, 0, ("cold_chain",))],
        "freight": 0,
        "discount": 0,
        "total": 4770,
        "placed": "2026-11-11 00:23:20",
        "paid": "2026-11-11 00:23:30",
        "ship": ("上海市", "上海市", "浦东新区", "张江镇科苑路88号", "310115", "郑先生", "13700004444"),
        "ids": [("phone", "13700004444", False), ("openid", "oVw8k5Dq2yW9vJgZ3mX1nT4uR7sC", False)],
        "customer_ref": "wechat_mp:oVw8k5Dq2yW9vJgZ3mX1nT4uR7sC",
        "remark": "",
        "tags": (),
    },
    ("wechat_mp", "completed.json", "wechat_mp"): {
        "id": "3712345678901234570",
        "status": "100",
        "steps": [
            ("created", "2026-11-11 00:25:00"),
            ("paid", "2026-11-11 00:25:05"),
            ("outbound", "2026-11-14 04:00:00"),
            ("delivered", "2026-11-14 04:00:00"),
            ("completed", "2026-11-14 04:00:00"),
        ],
        "lines": [("SKU-TEA", 1, 1999, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 1999,
        "placed": "2026-11-11 00:25:00",
        "paid": "2026-11-11 00:25:05",
        "ship": ("广东省", "深圳市", "南山区", "科技园***", "440305", "冯*", "137****3333"),
        "ids": [
            ("phone", "137****3333", True),
            ("openid", "oVw8k5Dq2yW9vJgZ3mX1nT4uR7sD", False),
            ("unionid", "o6_bmasdasdsad6_2sgVt7hMZOPfN", False),
        ],
        "customer_ref": "wechat_mp:o6_bmasdasdsad6_2sgVt7hMZOPfN",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("wechat_mp", "cancelled_unpaid.json", "wechat_mp"): {
        "id": "3712345678901234571",
        "status": "250",
        "steps": [("created", "2026-11-11 00:26:40"), ("cancelled", "2026-11-11 00:56:40")],
        "lines": [("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 3900,
        "placed": "2026-11-11 00:26:40",
        "paid": None,
        "ship": ("湖北省", "武汉市", "洪山区", "珞喻路***号", "420111", "卫**", "135****1111"),
        "ids": [("phone", "135****1111", True), ("openid", "oVw8k5Dq2yW9vJgZ3mX1nT4uR7sE", False)],
        "customer_ref": "wechat_mp:oVw8k5Dq2yW9vJgZ3mX1nT4uR7sE",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("taobao", "create.json", "taobao"): {
        "id": "3312456789012345678",
        "status": "WAIT_SELLER_SEND_GOODS",
        "steps": [("created", "2026-11-11 00:01:02"), ("paid", "2026-11-11 00:01:30")],
        "lines": [
            ("SKU-TEA", 2, 12800, 1000, ()),
            ("SKU-CUP", 1, 3900, 0, ("fragile",)),
            ("SKU-CUP", 1, 0, 0, ("fragile", "gift")),
        ],
        "freight": 800,
        "discount": 1000,
        "total": 28300,
        "placed": "2026-11-11 00:01:02",
        "paid": "2026-11-11 00:01:30",
        "ship": ("浙江省", "杭州市", "西湖区", "西溪街道文三路***号", "330106", "张**", "138****1234"),
        "ids": [
            ("phone", "138****1234", True),
            ("buyer_id", "AAHk5d-EAAeGwJedwSFu0XXX", False),
            ("buyer_id", "1Qe3bDvxicsic3DibCOuYa3Fv8RXGEqv6FbMvicfeyJMU4ibz0a2G9BHk4", True),
        ],
        "customer_ref": "taobao:AAHk5d-EAAeGwJedwSFu0XXX",
        "remark": "请尽快发货，谢谢",
        "tags": ("receiver_masked",),
    },
    ("pinduoduo", "create.json", "pinduoduo"): {
        "id": "261111-123456789012345",
        "status": "1",
        "steps": [("created", "2026-11-11 00:10:00"), ("paid", "2026-11-11 00:10:20")],
        "lines": [("SKU-CUP", 1, 3990, 0, ("fragile",))],
        "freight": 0,
        "discount": 500,
        "total": 3490,
        "placed": "2026-11-11 00:10:00",
        "paid": "2026-11-11 00:10:20",
        "ship": (
            "广东省",
            "广州市",
            "白云区",
            "~AgAAAAGkRhAXaVVXjwBkaCQ2ZyNvLm9s~0~",
            "440111",
            "~AgAAAAGkRhAWVXgkPVqgCZ7bN0c=~0~",
            "",
        ),
        "ids": [("phone", "~AgAAAAGkRhAVE8kfJQ5UO/1FdwbiYQ==~1~", True)],
        "customer_ref": "",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("kuaishou", "create.json", "kuaishou"): {
        "id": "2611110012345678",
        "status": "30",
        "steps": [("created", "2026-11-11 00:10:00"), ("paid", "2026-11-11 00:11:00")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 00:10:00",
        "paid": "2026-11-11 00:11:00",
        "ship": ("江苏省", "南京市", "鼓楼区", "中山路**号", "320106", "孙**", ""),
        "ids": [
            ("phone", "$1$AAAAVkVSSU9OXzE$HEPV9GR9x7xZ4b0aS7tS0w==$1$", True),
            ("buyer_id", "f19a2b3c4d5e6f708192a3b4c5d6e7f8", False),
        ],
        "customer_ref": "kuaishou:f19a2b3c4d5e6f708192a3b4c5d6e7f8",
        "remark": "送人的，不要放发票",
        "tags": ("receiver_masked",),
    },
    ("tmall", "create_unpaid.json", "tmall"): {
        "id": "2231958349001",
        "status": "WAIT_BUYER_PAY",
        "steps": [("created", "2026-11-11 00:05:00")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 00:05:00",
        "paid": None,
        "ship": ("上海市", "上海市", "浦东新区", "世纪大道 100 号", "310115", "李四", "13900001111"),
        "ids": [("phone", "13900001111", False), ("buyer_id", "AAFbcd-TMALL-0001", False)],
        "customer_ref": "tmall:AAFbcd-TMALL-0001",
        "remark": "",
        "tags": (),
    },
    ("taobao", "fullinfo_response.json", "taobao"): {
        "id": "4012345678901234567",
        "status": "WAIT_SELLER_SEND_GOODS",
        "steps": [("created", "2026-11-11 00:01:02"), ("paid", "2026-11-11 00:01:30")],
        "lines": [("SKU-TEA", 3, 1999, 830, ()), ("SKU-CUP", 1, 0, 0, ("fragile", "gift"))],
        "freight": 29,
        "discount": 0,
        "total": 5196,
        "placed": "2026-11-11 00:01:02",
        "paid": "2026-11-11 00:01:30",
        "ship": ("浙江省", "杭州市", "西湖区", "西溪街道文三路***号", "330106", "李**", "139****8888"),
        "ids": [
            ("phone", "139****8888", True),
            ("buyer_id", "AAGx7pE3AAeGwJedwSFu0Y01", False),
            ("buyer_id", "1tB4Ha5fK0Xq3cCPcibK6fQ8bHl9bOpbrYc3", True),
        ],
        "customer_ref": "taobao:AAGx7pE3AAeGwJedwSFu0Y01",
        "remark": "双十一囤货",
        "tags": ("receiver_masked",),
    },
    ("taobao", "increment_element.json", "taobao"): {
        "id": "3312456789012345679",
        "status": "TRADE_FINISHED",
        "steps": [
            ("created", "2026-11-11 00:02:00"),
            ("paid", "2026-11-11 00:02:40"),
            ("outbound", "2026-11-11 06:10:00"),
            ("delivered", "2026-11-11 07:30:00"),
            ("completed", "2026-11-11 07:30:00"),
        ],
        "lines": [("SKU-MILK", 1, 123456789, 0, ("cold_chain",))],
        "freight": 0,
        "discount": 0,
        "total": 123456789,
        "placed": "2026-11-11 00:02:00",
        "paid": "2026-11-11 00:02:40",
        "ship": ("上海市", "上海市", "浦东新区", "张江镇科苑路88号", "310115", "陈先生", "13900001111"),
        "ids": [("phone", "13900001111", False), ("buyer_id", "AAHk5d-EAAeGwJedwSFu0XXX", False)],
        "customer_ref": "taobao:AAHk5d-EAAeGwJedwSFu0XXX",
        "remark": "",
        "tags": (),
    },
    ("middlemen", "jushita_rds_row.json", "taobao"): {
        "id": "3312456789012345681",
        "status": "SELLER_CONSIGNED_PART",
        "steps": [("created", "2026-11-11 00:03:00"), ("paid", "2026-11-11 00:03:20")],
        "lines": [("SKU-TEA", 1, 12800, 0, ()), ("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 800,
        "discount": 0,
        "total": 17500,
        "placed": "2026-11-11 00:03:00",
        "paid": "2026-11-11 00:03:20",
        "ship": (
            "广东省",
            "深圳市",
            "南山区",
            "粤海街道~Kx0aP1Qw9vTn3rL5mB8cZg==~",
            "440305",
            "~Qm9vbmxpZ2h0IFN0YXRl~",
            "~AgAAAAYFm2wE1uE0BrNcRmZo9w==~",
        ),
        "ids": [
            ("phone", "~AgAAAAYFm2wE1uE0BrNcRmZo9w==~", True),
            ("buyer_id", "AAFbq0xEAAeGwJedwSFu0ZZZ", False),
            ("buyer_id", "2mXv8Qq1nB7cDPcibK6fQ8bHl9bOpbrYc4", True),
        ],
        "customer_ref": "taobao:AAFbq0xEAAeGwJedwSFu0ZZZ",
        "remark": "",
        "tags": ("partially_shipped", "receiver_masked"),
    },
    ("taobao", "refund_before_shipping.json", "taobao"): {
        "id": "3312456789012345684",
        "status": "WAIT_SELLER_SEND_GOODS",
        "steps": [("created", "2026-11-11 00:04:00"), ("paid", "2026-11-11 00:04:10")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 00:04:00",
        "paid": "2026-11-11 00:04:10",
        "ship": ("江苏省", "南京市", "鼓楼区", "中山路1号", "320106", "周**", "137****2222"),
        "ids": [("phone", "137****2222", True), ("buyer_id", "AAG1oXAEAAeGwJedwSFu0AAA", False)],
        "customer_ref": "taobao:AAG1oXAEAAeGwJedwSFu0AAA",
        "remark": "",
        "tags": ("line_refunded", "receiver_masked"),
    },
    ("taobao", "refund_after_shipping.json", "taobao"): {
        "id": "3312456789012345687",
        "status": "WAIT_BUYER_CONFIRM_GOODS",
        "steps": [
            ("created", "2026-11-11 00:05:00"),
            ("paid", "2026-11-11 00:05:05"),
            ("outbound", "2026-11-11 09:00:00"),
        ],
        "lines": [("SKU-TEA", 1, 12800, 0, ()), ("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 16700,
        "placed": "2026-11-11 00:05:00",
        "paid": "2026-11-11 00:05:05",
        "ship": ("四川省", "成都市", "武侯区", "人民南路四段9号", "510107", "赵六", "13800002222"),
        "ids": [("phone", "13800002222", False), ("buyer_id", "AAH2pYBEAAeGwJedwSFu0BBB", False)],
        "customer_ref": "taobao:AAH2pYBEAAeGwJedwSFu0BBB",
        "remark": "",
        "tags": ("refund_after_shipping",),
    },
    ("tmall", "unpaid_placeholder_times.json", "tmall"): {
        "id": "3312456789012345690",
        "status": "WAIT_BUYER_PAY",
        "steps": [("created", "2026-11-11 00:06:00")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 1000,
        "discount": 0,
        "total": 13800,
        "placed": "2026-11-11 00:06:00",
        "paid": None,
        "ship": ("湖北省", "武汉市", "洪山区", "珞喻路1037号", "420111", "钱**", "135****3333"),
        "ids": [("phone", "135****3333", True), ("buyer_id", "AAJ3qZCEAAeGwJedwSFu0CCC", False)],
        "customer_ref": "tmall:AAJ3qZCEAAeGwJedwSFu0CCC",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("tmall", "presale_deposit_paid.json", "tmall"): {
        # 预售: the deposit (step_paid_fee 50.00) is paid, the balance not: created only, tagged
        "id": "3398765432101234567",
        "status": "WAIT_BUYER_PAY",
        "steps": [("created", "2026-11-01 20:00:00")],
        "lines": [("SKU-TEA", 1, 29900, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 29900,
        "placed": "2026-11-01 20:00:00",
        "paid": None,
        "ship": ("北京市", "北京市", "海淀区", "中关村街道中关村大街**号", "110108", "王**", "186****0001"),
        "ids": [
            ("phone", "186****0001", True),
            ("buyer_id", "AAEt4mTMALLpresale0001", False),
            ("buyer_id", "2aC8Hk7fL1Yr4dDQdjcL7gR9cIm0cPqcsZd4", True),
        ],
        "customer_ref": "tmall:AAEt4mTMALLpresale0001",
        "remark": "",
        "tags": ("presale_deposit_only", "receiver_masked"),
    },
    ("tmall", "coupon_spread_increment.json", "tmall"): {
        # tid only as a bare JSON integer > 2^53; 单品优惠 10.00 + the shop's 满300减16 spread 12.80 / 3.20
        "id": "3401234567890123456",
        "status": "WAIT_SELLER_SEND_GOODS",
        "steps": [("created", "2026-11-11 00:00:05"), ("paid", "2026-11-11 00:00:20")],
        "lines": [("SKU-TEA", 2, 12800, 2280, ()), ("SKU-CUP", 1, 3900, 320, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 26900,
        "placed": "2026-11-11 00:00:05",
        "paid": "2026-11-11 00:00:20",
        "ship": ("广东省", "深圳市", "南山区", "科技园科苑路***号", "440305", "陈*", "137****2222"),
        "ids": [("phone", "137****2222", True), ("buyer_id", "AAFm2qTMALLcoupon0002", False)],
        "customer_ref": "tmall:AAFm2qTMALLcoupon0002",
        "remark": "双十一凑单",
        "tags": ("receiver_masked",),
    },
    ("tmall", "store_pickup_finished.json", "tmall"): {
        # 门店自提 (o2o_delivery inshop, shop_pick): finished, tagged store_pickup; a bare pushed trade
        "id": "3412345678901234500",
        "status": "TRADE_FINISHED",
        "steps": [
            ("created", "2026-11-11 00:30:00"),
            ("paid", "2026-11-11 00:30:12"),
            ("outbound", "2026-11-11 01:00:00"),
            ("delivered", "2026-11-11 05:00:00"),
            ("completed", "2026-11-11 05:00:00"),
        ],
        "lines": [("SKU-MILK", 2, 1590, 0, ("cold_chain",))],
        "freight": 0,
        "discount": 0,
        "total": 3180,
        "placed": "2026-11-11 00:30:00",
        "paid": "2026-11-11 00:30:12",
        "ship": (
            "浙江省",
            "杭州市",
            "上城区",
            "延安路258号湖滨银泰in77 B区1楼（门店自提）",
            "330102",
            "林女士",
            "13600003333",
        ),
        "ids": [("phone", "13600003333", False), ("buyer_id", "AAGn5rTMALLpickup0003", False)],
        "customer_ref": "tmall:AAGn5rTMALLpickup0003",
        "remark": "下午三点来取",
        "tags": ("store_pickup",),
    },
    ("jd", "order_get_response.json", "jd"): {
        "id": "281046817987",
        "status": "WAIT_SELLER_STOCK_OUT",
        "steps": [("created", "2026-11-11 00:10:00"), ("paid", "2026-11-11 00:10:20")],
        "lines": [("SKU-TEA", 2, 123456789, 10000, ())],
        "freight": 0,
        "discount": 2000,
        "total": 246901578,
        "placed": "2026-11-11 00:10:00",
        "paid": "2026-11-11 00:10:20",
        "ship": (
            "上海市",
            "上海市",
            "浦东新区",
            "上海浦东新区张江镇科苑路***号",
            "310115",
            "张*",
            "138****5678",
        ),
        "ids": [("phone", "138****5678", True), ("buyer_id", "o-jd-Bq7mW3nLp0", False)],
        "customer_ref": "jd:o-jd-Bq7mW3nLp0",
        "remark": "请开发票\n[商家备注 / seller] 大客户，优先发",
        "tags": ("receiver_masked",),
    },
    ("jd", "search_element.json", "jd"): {
        "id": "301234567891",
        "status": "FINISHED_L",
        "steps": [
            ("created", "2026-11-11 00:11:00"),
            ("paid", "2026-11-11 00:11:09"),
            ("outbound", "2026-11-11 09:45:00"),
            ("delivered", "2026-11-11 09:45:00"),
            ("completed", "2026-11-11 09:45:00"),
        ],
        "lines": [("SKU-CUP", 1, 1999, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 1999,
        "placed": "2026-11-11 00:11:00",
        "paid": "2026-11-11 00:11:09",
        "ship": (
            "北京市",
            "北京市",
            "朝阳区",
            "北京朝阳区三环到四环之间建国路**号",
            "110105",
            "王*",
            "186****0000",
        ),
        "ids": [("phone", "186****0000", True), ("buyer_id", "o-jd-Hk2sT9vQa1", False)],
        "customer_ref": "jd:o-jd-Hk2sT9vQa1",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("jd", "cash_on_delivery.json", "jd"): {
        "id": "301234567892",
        "status": "WAIT_SELLER_STOCK_OUT",
        "steps": [("created", "2026-11-11 00:12:00"), ("paid", "2026-11-11 00:12:00")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 600,
        "discount": 0,
        "total": 13400,
        "placed": "2026-11-11 00:12:00",
        "paid": None,
        "ship": ("广东省", "深圳市", "南山区", "粤海街道", "440305", "刘**", "150****6666"),
        "ids": [("phone", "150****6666", True), ("buyer_id", "jd_****1b9", True)],
        "customer_ref": "",
        "remark": "到付",
        "tags": ("receiver_masked",),
    },
    ("jd", "gift_line_encrypted.json", "jd"): {
        "id": "301234567893",
        "status": "WAIT_GOODS_RECEIVE_CONFIRM",
        "steps": [
            ("created", "2026-11-11 00:13:00"),
            ("paid", "2026-11-11 00:13:30"),
            ("outbound", "2026-11-11 10:00:00"),
        ],
        "lines": [("SKU-TEA", 2, 12800, 0, ()), ("SKU-CUP", 1, 0, 0, ("fragile", "gift"))],
        "freight": 0,
        "discount": 1000,
        "total": 24600,
        "placed": "2026-11-11 00:13:00",
        "paid": "2026-11-11 00:13:30",
        "ship": (
            "江苏省",
            "南京市",
            "鼓楼区",
            "江苏南京市鼓楼区~AgAAAAzQ1kYw8pLr~",
            "320106",
            "~AgAAAAxJ2ZbL0QcBy0k1mA==~",
            "~AgAAAAbD8uN2qWc9Xf0Mhw==~",
        ),
        "ids": [("phone", "~AgAAAAbD8uN2qWc9Xf0Mhw==~", True), ("buyer_id", "o-jd-Qz8pR4mNb2", False)],
        "customer_ref": "jd:o-jd-Qz8pR4mNb2",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("jd", "create.json", "jd"): {
        "id": "301234567890",
        "status": "WAIT_SELLER_STOCK_OUT",
        "steps": [("created", "2026-11-11 00:20:00"), ("paid", "2026-11-11 00:20:15")],
        "lines": [("SKU-TEA", 2, 12800, 0, ())],
        "freight": 0,
        "discount": 1000,
        "total": 24600,
        "placed": "2026-11-11 00:20:00",
        "paid": "2026-11-11 00:20:15",
        "ship": (
            "北京市",
            "北京市",
            "朝阳区",
            "北京朝阳区三环到四环之间建国路**号",
            "110105",
            "王*",
            "186****0000",
        ),
        "ids": [("phone", "186****0000", True), ("buyer_id", "o-jd-Zx9kQ2aLmN", False)],
        "customer_ref": "jd:o-jd-Zx9kQ2aLmN",
        "remark": "周末送货",
        "tags": ("receiver_masked",),
    },
    ("pinduoduo", "information_get_response.json", "pinduoduo"): {
        "id": "261111-012345678901234",
        "status": "1",
        "steps": [("created", "2026-11-11 00:20:00"), ("paid", "2026-11-11 00:20:30")],
        "lines": [("SKU-TEA", 3, 1999, 0, ()), ("SKU-CUP", 1, 0, 0, ("fragile", "gift"))],
        "freight": 29,
        "discount": 830,
        "total": 5196,
        "placed": "2026-11-11 00:20:00",
        "paid": "2026-11-11 00:20:30",
        "ship": (
            "浙江省",
            "杭州市",
            "西湖区",
            "~QmFzZTY0IGFkZHJlc3M=~",
            "330106",
            "~5byg5LiJ~",
            "~MTM4MDAxMzgwMDA=~",
        ),
        "ids": [("phone", "~MTM4MDAxMzgwMDA=~", True)],
        "customer_ref": "",
        "remark": "不要放发票",
        "tags": ("receiver_masked",),
    },
    ("pinduoduo", "increment_element.json", "pinduoduo"): {
        "id": "261111-012345678901235",
        "status": "2",
        "steps": [
            ("created", "2026-11-11 00:21:00"),
            ("paid", "2026-11-11 00:21:10"),
            ("outbound", "2026-11-11 08:00:00"),
        ],
        "lines": [("SKU-MILK", 1, 123456789, 0, ("cold_chain",))],
        "freight": 0,
        "discount": 0,
        "total": 123456789,
        "placed": "2026-11-11 00:21:00",
        "paid": "2026-11-11 00:21:10",
        "ship": (
            "上海市",
            "上海市",
            "浦东新区",
            "~U2hhbmdoYWkgUHVkb25n~",
            "310115",
            "~6ZmI5YWI55Sf~",
            "~MTM5MDAwMDExMTE=~",
        ),
        "ids": [("phone", "~MTM5MDAwMDExMTE=~", True)],
        "customer_ref": "",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("pinduoduo", "list_element.json", "pinduoduo"): {
        "id": "261111-012345678901236",
        "status": "1",
        "steps": [("created", "2026-11-11 00:22:00"), ("paid", "2026-11-11 00:22:05")],
        "lines": [("SKU-CUP", 1, 29, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 29,
        "placed": "2026-11-11 00:22:00",
        "paid": "2026-11-11 00:22:05",
        "ship": (
            "广东省",
            "深圳市",
            "南山区",
            "广东省深圳市南山区科技园科苑路15号",
            "440305",
            "~5p6X5LiD~",
            "~MTM2MDAwMDQ0NDQ=~",
        ),
        "ids": [("phone", "~MTM2MDAwMDQ0NDQ=~", True)],
        "customer_ref": "",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("pinduoduo", "refund_before_shipping.json", "pinduoduo"): {
        "id": "261111-012345678901237",
        "status": "refunded",
        "steps": [
            ("created", "2026-11-11 00:23:00"),
            ("paid", "2026-11-11 00:23:09"),
            ("cancelled", "2026-11-11 02:00:00"),
        ],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 00:23:00",
        "paid": "2026-11-11 00:23:09",
        "ship": (
            "江苏省",
            "南京市",
            "鼓楼区",
            "~TmFuamluZyBHdWxvdQ==~",
            "320106",
            "~5ZGo5LqU~",
            "~MTM3MDAwMDIyMjI=~",
        ),
        "ids": [("phone", "~MTM3MDAwMDIyMjI=~", True)],
        "customer_ref": "",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("pinduoduo", "refund_after_shipping.json", "pinduoduo"): {
        "id": "261111-012345678901238",
        "status": "refunded_after_shipping",
        "steps": [
            ("created", "2026-11-11 00:24:00"),
            ("paid", "2026-11-11 00:24:30"),
            ("outbound", "2026-11-11 07:00:00"),
            ("refunded", "2026-11-13 10:00:00"),
        ],
        "lines": [("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 3900,
        "placed": "2026-11-11 00:24:00",
        "paid": "2026-11-11 00:24:30",
        "ship": (
            "四川省",
            "成都市",
            "武侯区",
            "四川省成都市武侯区人民南路四段9号",
            "510107",
            "赵六",
            "13800002222",
        ),
        "ids": [("phone", "13800002222", False)],
        "customer_ref": "",
        "remark": "",
        "tags": (),
    },
    ("douyin", "order_detail_response.json", "douyin"): {
        "id": "6950123456789012345",
        "status": "2",
        "steps": [("created", "2026-11-11 00:20:00"), ("paid", "2026-11-11 00:20:30")],
        "lines": [
            ("SKU-TEA", 2, 12800, 3800, ()),
            ("SKU-CUP", 1, 0, 0, ("fragile", "gift")),
            ("SKU-CUP", 1, 4392, 0, ("fragile",)),
        ],
        "freight": 0,
        "discount": 0,
        "total": 26192,
        "placed": "2026-11-11 00:20:00",
        "paid": "2026-11-11 00:20:30",
        "ship": (
            "广东省",
            "深圳市",
            "南山区",
            "粤海街道#Ue4Q#kL0sUu3fbTxPzA1ovHk=*CgwIARCtHBiqIC#1##",
            "440305",
            "#8Pq1c9#Uu3fbTxPzA1ovHk=*CgwIARCtHBiqIC#1##",
            "$$MTM5MDAwMDU1NTU=$1$$",
        ),
        "ids": [("phone", "$$MTM5MDAwMDU1NTU=$1$$", True), ("buyer_id", "1@#Zk9wQ2xvdWQ=", False)],
        "customer_ref": "douyin:1@#Zk9wQ2xvdWQ=",
        "remark": "送礼用，包装好一点",
        "tags": ("receiver_masked",),
    },
    ("douyin", "search_list_element.json", "douyin"): {
        "id": "6950123456789012350",
        "status": "101",
        "steps": [("created", "2026-11-11 00:21:40"), ("paid", "2026-11-11 00:21:50")],
        "lines": [("SKU-TEA", 1, 12800, 0, ()), ("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 16700,
        "placed": "2026-11-11 00:21:40",
        "paid": "2026-11-11 00:21:50",
        "ship": (
            "江苏省",
            "南京市",
            "鼓楼区",
            "湖南路街道#Ue4Q#Zm9vYmFy*CgwIARCtHBiqIC#1##",
            "320106",
            "#Kx0a#P1Qw9vTn3rL5mB8cZg=*CgwIARCtHBiqIC#1##",
            "$$MTg2MDAwMDc3Nzc=$1$$",
        ),
        "ids": [("phone", "$$MTg2MDAwMDc3Nzc=$1$$", True), ("buyer_id", "1@#QmF6MTIz", False)],
        "customer_ref": "douyin:1@#QmF6MTIz",
        "remark": "",
        "tags": ("partially_shipped", "receiver_masked"),
    },
    ("douyin", "sku_order_cancelled.json", "douyin"): {
        "id": "6950123456789012353",
        "status": "2",
        "steps": [("created", "2026-11-11 00:23:20"), ("paid", "2026-11-11 00:23:25")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 00:23:20",
        "paid": "2026-11-11 00:23:25",
        "ship": ("浙江省", "杭州市", "西湖区", "西溪街道文三路1号", "330106", "周*", "137****2222"),
        "ids": [("phone", "137****2222", True), ("buyer_id", "1@#Q2FuY2Vs", False)],
        "customer_ref": "douyin:1@#Q2FuY2Vs",
        "remark": "",
        "tags": ("line_refunded", "receiver_masked"),
    },
    ("douyin", "refund_after_shipping.json", "douyin"): {
        "id": "4984023467827309610",
        "status": "3",
        "steps": [
            ("created", "2026-11-11 00:25:00"),
            ("paid", "2026-11-11 00:25:20"),
            ("outbound", "2026-11-11 07:00:00"),
        ],
        "lines": [("SKU-TEA", 1, 12800, 0, ()), ("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 16700,
        "placed": "2026-11-11 00:25:00",
        "paid": "2026-11-11 00:25:20",
        "ship": (
            "四川省",
            "成都市",
            "武侯区",
            "#Ue4Q#UmVuTWlu*CgwIARCtHBiqIC#1##",
            "510107",
            "#Pq1c#Uu3fbTxPzA1ovHk=*CgwIARCtHBiqIC#1##",
            "$$MTM4MDAwMDIyMjI=$1$$",
        ),
        "ids": [("phone", "$$MTM4MDAwMDIyMjI=$1$$", True), ("buyer_id", "1@#UmVmdW5k", False)],
        "customer_ref": "douyin:1@#UmVmdW5k",
        "remark": "",
        "tags": ("refund_after_shipping", "receiver_masked"),
    },
    ("douyin", "create.json", "douyin"): {
        "id": "6912345678901234567",
        "status": "2",
        "steps": [("created", "2026-11-11 00:00:00"), ("paid", "2026-11-11 00:01:00")],
        "lines": [("SKU-MILK", 3, 1590, 500, ("cold_chain",)), ("SKU-CUP", 1, 0, 0, ("fragile", "gift"))],
        "freight": 0,
        "discount": 0,
        "total": 4270,
        "placed": "2026-11-11 00:00:00",
        "paid": "2026-11-11 00:01:00",
        "ship": (
            "上海市",
            "上海市",
            "浦东新区",
            "花木街道#Zm9v#YmFyYmF6*CgYIASAHKAESPgo8#1##",
            "310115",
            "#YmqZ#Zm9vYmFy*CgYIASAHKAESPgo8#1##",
            "",
        ),
        "ids": [
            ("phone", "#0ZhJ3TqQ#V2hvIGlzIGFza2luZz8=*CgYIASAHKAESPgo8#1##", True),
            ("buyer_id", "1@#dYhq8sT1pZ3kA==", False),
        ],
        "customer_ref": "douyin:1@#dYhq8sT1pZ3kA==",
        "remark": "牛奶要冷链",
        "tags": ("receiver_masked",),
    },
    ("kuaishou", "detail_response.json", "kuaishou"): {
        "id": "2611110012345679",
        "status": "30",
        "steps": [("created", "2026-11-11 00:30:00"), ("paid", "2026-11-11 00:31:00")],
        "lines": [("SKU-TEA", 3, 1999, 830, ())],
        "freight": 29,
        "discount": 0,
        "total": 5196,
        "placed": "2026-11-11 00:30:00",
        "paid": "2026-11-11 00:31:00",
        "ship": (
            "浙江省",
            "杭州市",
            "西湖区",
            "西溪街道~S3VhaXNob3UgQWRkcg==~",
            "330106",
            "#4x1Q#S3VhaXNob3U=*CgwIARCtHBiqIC#1##",
            "",
        ),
        "ids": [
            ("phone", "$1$AAAAVkVSSU9OXzE$HEPV9GR9x7xZ4b0aS7tS1w==$1$", True),
            ("buyer_id", "f29a2b3c4d5e6f708192a3b4c5d6e7f9", False),
        ],
        "customer_ref": "kuaishou:f29a2b3c4d5e6f708192a3b4c5d6e7f9",
        "remark": "尽快发货",
        "tags": ("receiver_masked",),
    },
    ("kuaishou", "cursor_list_element.json", "kuaishou"): {
        "id": "2611110012345680",
        "status": "40",
        "steps": [
            ("created", "2026-11-11 00:31:40"),
            ("paid", "2026-11-11 00:31:50"),
            ("outbound", "2026-11-11 08:00:00"),
        ],
        "lines": [("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 3900,
        "placed": "2026-11-11 00:31:40",
        "paid": "2026-11-11 00:31:50",
        "ship": ("上海市", "上海市", "浦东新区", "张江镇科苑路**号", "310115", "郑**", ""),
        "ids": [
            ("phone", "$1$AAAAVkVSSU9OXzE$Bm5vZGVfbW9iaWxl==$1$", True),
            ("buyer_id", "f39a2b3c4d5e6f708192a3b4c5d6e7fa", False),
        ],
        "customer_ref": "kuaishou:f39a2b3c4d5e6f708192a3b4c5d6e7fa",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("kuaishou", "finished.json", "kuaishou"): {
        "id": "2611110012345681",
        "status": "70",
        "steps": [
            ("created", "2026-11-11 00:33:20"),
            ("paid", "2026-11-11 00:33:25"),
            ("outbound", "2026-11-11 10:00:00"),
            ("delivered", "2026-11-14 04:00:00"),
            ("completed", "2026-11-14 04:00:00"),
        ],
        "lines": [("SKU-TEA", 2, 12800, 1000, ())],
        "freight": 0,
        "discount": 0,
        "total": 24600,
        "placed": "2026-11-11 00:33:20",
        "paid": "2026-11-11 00:33:25",
        "ship": ("广东省", "深圳市", "南山区", "科技园科苑路15号", "440305", "冯先生", "13700003333"),
        "ids": [("phone", "13700003333", False), ("buyer_id", "f49a2b3c4d5e6f708192a3b4c5d6e7fb", False)],
        "customer_ref": "kuaishou:f49a2b3c4d5e6f708192a3b4c5d6e7fb",
        "remark": "",
        "tags": (),
    },
    ("kuaishou", "closed.json", "kuaishou"): {
        "id": "2611110012345682",
        "status": "80",
        "steps": [("created", "2026-11-11 00:35:00"), ("cancelled", "2026-11-11 01:05:00")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 00:35:00",
        "paid": None,
        "ship": (
            "湖北省",
            "武汉市",
            "洪山区",
            "珞喻路**号",
            "420111",
            "陈**",
            "$1$AAAAVkVSSU9OXzE$Y2xvc2Vk==$1$",
        ),
        "ids": [
            ("phone", "$1$AAAAVkVSSU9OXzE$Y2xvc2Vk==$1$", True),
            ("buyer_id", "f59a2b3c4d5e6f708192a3b4c5d6e7fc", False),
        ],
        "customer_ref": "kuaishou:f59a2b3c4d5e6f708192a3b4c5d6e7fc",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("kuaishou", "unpaid.json", "kuaishou"): {
        "id": "2611110012345683",
        "status": "10",
        "steps": [("created", "2026-11-11 00:36:40")],
        "lines": [("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 3900,
        "placed": "2026-11-11 00:36:40",
        "paid": None,
        "ship": (
            "四川省",
            "成都市",
            "武侯区",
            "人民南路**号",
            "510107",
            "卫*",
            "$1$AAAAVkVSSU9OXzE$dW5wYWlk==$1$",
        ),
        "ids": [
            ("phone", "$1$AAAAVkVSSU9OXzE$dW5wYWlk==$1$", True),
            ("buyer_id", "f69a2b3c4d5e6f708192a3b4c5d6e7fd", False),
        ],
        "customer_ref": "kuaishou:f69a2b3c4d5e6f708192a3b4c5d6e7fd",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("middlemen", "erp_forward_pinduoduo.json", "pinduoduo"): {
        "id": "261111-012345678901234",
        "status": "1",
        "steps": [("created", "2026-11-11 00:20:00"), ("paid", "2026-11-11 00:20:30")],
        "lines": [("SKU-TEA", 3, 1999, 0, ()), ("SKU-CUP", 1, 0, 0, ("fragile", "gift"))],
        "freight": 29,
        "discount": 830,
        "total": 5196,
        "placed": "2026-11-11 00:20:00",
        "paid": "2026-11-11 00:20:30",
        "ship": (
            "浙江省",
            "杭州市",
            "西湖区",
            "~QmFzZTY0IGFkZHJlc3M=~",
            "330106",
            "~5byg5LiJ~",
            "~MTM4MDAxMzgwMDA=~",
        ),
        "ids": [("phone", "~MTM4MDAxMzgwMDA=~", True)],
        "customer_ref": "",
        "remark": "不要放发票",
        "tags": ("receiver_masked",),
    },
    ("middlemen", "erp_forward_douyin.json", "douyin"): {
        "id": "6950123456789012345",
        "status": "2",
        "steps": [("created", "2026-11-11 00:20:00"), ("paid", "2026-11-11 00:20:30")],
        "lines": [
            ("SKU-TEA", 2, 12800, 3800, ()),
            ("SKU-CUP", 1, 0, 0, ("fragile", "gift")),
            ("SKU-CUP", 1, 4392, 0, ("fragile",)),
        ],
        "freight": 0,
        "discount": 0,
        "total": 26192,
        "placed": "2026-11-11 00:20:00",
        "paid": "2026-11-11 00:20:30",
        "ship": (
            "广东省",
            "深圳市",
            "南山区",
            "粤海街道#Ue4Q#kL0sUu3fbTxPzA1ovHk=*CgwIARCtHBiqIC#1##",
            "440305",
            "#8Pq1c9#Uu3fbTxPzA1ovHk=*CgwIARCtHBiqIC#1##",
            "$$MTM5MDAwMDU1NTU=$1$$",
        ),
        "ids": [("phone", "$$MTM5MDAwMDU1NTU=$1$$", True), ("buyer_id", "1@#Zk9wQ2xvdWQ=", False)],
        "customer_ref": "douyin:1@#Zk9wQ2xvdWQ=",
        "remark": "送礼用，包装好一点",
        "tags": ("receiver_masked",),
    },
    ("middlemen", "erp_forward_jd.json", "jd"): {
        "id": "281046817987",
        "status": "WAIT_SELLER_STOCK_OUT",
        "steps": [("created", "2026-11-11 00:10:00"), ("paid", "2026-11-11 00:10:20")],
        "lines": [("SKU-TEA", 2, 123456789, 10000, ())],
        "freight": 0,
        "discount": 2000,
        "total": 246901578,
        "placed": "2026-11-11 00:10:00",
        "paid": "2026-11-11 00:10:20",
        "ship": (
            "上海市",
            "上海市",
            "浦东新区",
            "上海浦东新区张江镇科苑路***号",
            "310115",
            "张*",
            "138****5678",
        ),
        "ids": [("phone", "138****5678", True), ("buyer_id", "o-jd-Bq7mW3nLp0", False)],
        "customer_ref": "jd:o-jd-Bq7mW3nLp0",
        "remark": "请开发票\n[商家备注 / seller] 大客户，优先发",
        "tags": ("receiver_masked",),
    },
    # The platforms added as mapping files (specs/*.toml), every field (test_new_platforms.py
    # checks the raw ChannelOrder of the same files: SKU candidates, titles, raw addresses).
    ("wechat_channels", "detail.json", "wechat_channels"): {
        "id": "3712345678901234567",
        "status": "20",
        "steps": [("created", "2026-11-11 01:00:00"), ("paid", "2026-11-11 01:01:00")],
        "lines": [("SKU-TEA", 2, 12800, 0, ()), ("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 500,
        "discount": 1200,
        "total": 28800,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": ("广东省", "广州市", "海珠区", "新港中路***号", "440105", "陈**", "150****7788"),
        "ids": [
            ("phone", "150****7788", True),
            ("openid", "oZ7x45Dq2yW9vJgZ3mX1nT4uR7sA", False),
            ("unionid", "oU6_bmasdasdsad6_2sgVt7hMZOPfL", False),
        ],
        "customer_ref": "wechat_channels:oU6_bmasdasdsad6_2sgVt7hMZOPfL",
        "remark": "周末送货",
        "tags": ("receiver_masked",),
    },
    ("wechat_channels", "shipped.json", "wechat_channels"): {
        "id": "3712345678901234580",
        "status": "30",
        "steps": [
            ("created", "2026-11-11 01:00:00"),
            ("paid", "2026-11-11 01:01:00"),
            ("outbound", "2026-11-11 03:00:00"),
        ],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": ("上海市", "上海市", "浦东新区", "张杨路***号", "310115", "林**", "139****0001"),
        "ids": [("phone", "139****0001", True), ("openid", "oZ7x45Dq2yW9vJgZ3mX1nT4uR7sB", False)],
        "customer_ref": "wechat_channels:oZ7x45Dq2yW9vJgZ3mX1nT4uR7sB",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("wechat_channels", "completed.json", "wechat_channels"): {
        "id": "3712345678901234581",
        "status": "100",
        "steps": [
            ("created", "2026-11-11 01:00:00"),
            ("paid", "2026-11-11 01:01:00"),
            ("outbound", "2026-11-11 03:00:00"),
            ("delivered", "2026-11-11 06:00:00"),
            ("completed", "2026-11-11 06:00:00"),
        ],
        "lines": [("SKU-MILK", 3, 1990, 0, ("cold_chain",))],
        "freight": 1000,
        "discount": 0,
        "total": 6970,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": ("北京市", "北京市", "朝阳区", "建国路***号", "110105", "王**", "186****2222"),
        "ids": [
            ("phone", "186****2222", True),
            ("openid", "oZ7x45Dq2yW9vJgZ3mX1nT4uR7sC", False),
            ("unionid", "oU6_bmasdasdsad6_2sgVt7hMZOPfM", False),
        ],
        "customer_ref": "wechat_channels:oU6_bmasdasdsad6_2sgVt7hMZOPfM",
        "remark": "放门口",
        "tags": ("receiver_masked",),
    },
    ("wechat_channels", "cancelled_unpaid.json", "wechat_channels"): {
        "id": "3712345678901234582",
        "status": "250",
        "steps": [("created", "2026-11-11 01:00:00"), ("cancelled", "2026-11-11 01:30:00")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 01:00:00",
        "paid": None,
        "ship": ("江苏省", "南京市", "玄武区", "中山路***号", "320102", "赵**", "137****3333"),
        "ids": [("phone", "137****3333", True), ("openid", "oZ7x45Dq2yW9vJgZ3mX1nT4uR7sD", False)],
        "customer_ref": "wechat_channels:oZ7x45Dq2yW9vJgZ3mX1nT4uR7sD",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("wechat_channels", "gift_virtual_number.json", "wechat_channels"): {
        "id": "3712345678901234583",
        "status": "21",
        "steps": [("created", "2026-11-11 01:00:00"), ("paid", "2026-11-11 01:01:00")],
        "lines": [("SKU-TEA", 1, 12800, 0, ()), ("SKU-CUP", 1, 0, 0, ("fragile", "gift"))],
        "freight": 0,
        "discount": 500,
        "total": 12300,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": ("浙江省", "杭州市", "西湖区", "文三路***号", "330106", "孙**", "17000001234-5678"),
        "ids": [
            ("phone", "17000001234-5678", True),
            ("openid", "oZ7x45Dq2yW9vJgZ3mX1nT4uR7sE", False),
            ("unionid", "oU6_bmasdasdsad6_2sgVt7hMZOPfN", False),
        ],
        "customer_ref": "wechat_channels:oU6_bmasdasdsad6_2sgVt7hMZOPfN",
        "remark": "[卖家备注 seller] VIP 客户，加赠陶瓷杯",
        "tags": ("partially_shipped", "receiver_masked"),
    },
    ("youzan", "trade_get.json", "youzan"): {
        "id": "E20261111010000093806201",
        "status": "WAIT_SELLER_SEND_GOODS",
        "steps": [("created", "2026-11-11 01:00:00"), ("paid", "2026-11-11 01:01:00")],
        "lines": [
            ("SKU-TEA", 2, 12800, 0, ()),
            ("SKU-CUP", 1, 3900, 0, ("fragile",)),
            ("SKU-CUP", 1, 0, 0, ("fragile", "gift")),
        ],
        "freight": 500,
        "discount": 1200,
        "total": 28800,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "四川省",
            "成都市",
            "青羊区",
            "$kZgIwkQL5Q0O6anzQHraoyM4mfyGHtYXxdgpah0BLTZFmC4P5u7KR0lRZJqiH1+tD7p$1$",
            "510105",
            "$Qn/ZHaMby1MzBq3Rw2t7fw==$1$",
            "$eTS8t8hAECdXKgNtV6DIfw==$1$",
        ),
        "ids": [
            ("phone", "$eTS8t8hAECdXKgNtV6DIfw==$1$", True),
            ("buyer_id", "lDWyZBas807636140352864256", False),
            ("openid", "oY0DB6wvFtW40hAL-lIRl4MKXKXE", False),
        ],
        "customer_ref": "youzan:lDWyZBas807636140352864256",
        "remark": "顾客需要餐具",
        "tags": ("receiver_masked",),
    },
    ("youzan", "sold_get_element.json", "youzan"): {
        "id": "E20261111010000093806202",
        "status": "TRADE_SUCCESS",
        "steps": [
            ("created", "2026-11-11 01:00:00"),
            ("paid", "2026-11-11 01:01:00"),
            ("outbound", "2026-11-11 03:00:00"),
            ("delivered", "2026-11-11 15:20:16"),
            ("completed", "2026-11-11 15:20:16"),
        ],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "四川省",
            "成都市",
            "青羊区",
            "$kZgIwkQL5Q0O6anzQHraoyM4mfyGHtYXxdgpah0BLTZFmC4P5u7KR0lRZJqiH1+tD7p$1$",
            "510105",
            "$Qn/ZHaMby1MzBq3Rw2t7fw==$1$",
            "$eTS8t8hAECdXKgNtV6DIfw==$1$",
        ),
        "ids": [
            ("phone", "$eTS8t8hAECdXKgNtV6DIfw==$1$", True),
            ("buyer_id", "lDWyZBas807636140352864256", False),
            ("openid", "oY0DB6wvFtW40hAL-lIRl4MKXKXE", False),
        ],
        "customer_ref": "youzan:lDWyZBas807636140352864256",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("youzan", "bare_unpaid.json", "youzan"): {
        "id": "E20261111010000093806203",
        "status": "WAIT_BUYER_PAY",
        "steps": [("created", "2026-11-11 01:00:00")],
        "lines": [("SKU-CUP", 3, 3990, 0, ("fragile",))],
        "freight": 0,
        "discount": 0,
        "total": 11970,
        "placed": "2026-11-11 01:00:00",
        "paid": None,
        "ship": ("浙江省", "杭州市", "西湖区", "文三路 90 号", "330106", "张三", "13800138000"),
        "ids": [
            ("phone", "13800138000", True),
            ("buyer_id", "lDWyZBas807636140352864256", False),
            ("openid", "oY0DB6wvFtW40hAL-lIRl4MKXKXE", False),
        ],
        "customer_ref": "youzan:lDWyZBas807636140352864256",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("youzan", "closed.json", "youzan"): {
        "id": "E20261111010000093806204",
        "status": "TRADE_CLOSE",
        "steps": [("created", "2026-11-11 01:00:00"), ("cancelled", "2026-11-11 02:00:00")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 01:00:00",
        "paid": None,
        "ship": (
            "四川省",
            "成都市",
            "青羊区",
            "$kZgIwkQL5Q0O6anzQHraoyM4mfyGHtYXxdgpah0BLTZFmC4P5u7KR0lRZJqiH1+tD7p$1$",
            "510105",
            "$Qn/ZHaMby1MzBq3Rw2t7fw==$1$",
            "$eTS8t8hAECdXKgNtV6DIfw==$1$",
        ),
        "ids": [
            ("phone", "$eTS8t8hAECdXKgNtV6DIfw==$1$", True),
            ("buyer_id", "lDWyZBas807636140352864256", False),
            ("openid", "oY0DB6wvFtW40hAL-lIRl4MKXKXE", False),
        ],
        "customer_ref": "youzan:lDWyZBas807636140352864256",
        "remark": "顾客需要餐具",
        "tags": ("receiver_masked",),
    },
    ("youzan", "shipped.json", "youzan"): {
        "id": "E20261111010000093806205",
        "status": "WAIT_BUYER_CONFIRM_GOODS",
        "steps": [
            ("created", "2026-11-11 01:00:00"),
            ("paid", "2026-11-11 01:01:00"),
            ("outbound", "2026-11-11 03:00:00"),
        ],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 1000,
        "discount": 1000,
        "total": 12800,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "四川省",
            "成都市",
            "青羊区",
            "$kZgIwkQL5Q0O6anzQHraoyM4mfyGHtYXxdgpah0BLTZFmC4P5u7KR0lRZJqiH1+tD7p$1$",
            "510105",
            "$Qn/ZHaMby1MzBq3Rw2t7fw==$1$",
            "$eTS8t8hAECdXKgNtV6DIfw==$1$",
        ),
        "ids": [
            ("phone", "$eTS8t8hAECdXKgNtV6DIfw==$1$", True),
            ("buyer_id", "lDWyZBas807636140352864256", False),
            ("openid", "oY0DB6wvFtW40hAL-lIRl4MKXKXE", False),
        ],
        "customer_ref": "youzan:lDWyZBas807636140352864256",
        "remark": "[卖家备注 seller] 顺丰发货",
        "tags": ("receiver_masked",),
    },
    ("youzan", "refund_after_shipping.json", "youzan"): {
        "id": "E20261111010000093806206",
        "status": "WAIT_BUYER_CONFIRM_GOODS",
        "steps": [
            ("created", "2026-11-11 01:00:00"),
            ("paid", "2026-11-11 01:01:00"),
            ("outbound", "2026-11-11 03:00:00"),
        ],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 1000,
        "discount": 1000,
        "total": 12800,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "四川省",
            "成都市",
            "青羊区",
            "$kZgIwkQL5Q0O6anzQHraoyM4mfyGHtYXxdgpah0BLTZFmC4P5u7KR0lRZJqiH1+tD7p$1$",
            "510105",
            "$Qn/ZHaMby1MzBq3Rw2t7fw==$1$",
            "$eTS8t8hAECdXKgNtV6DIfw==$1$",
        ),
        "ids": [
            ("phone", "$eTS8t8hAECdXKgNtV6DIfw==$1$", True),
            ("buyer_id", "lDWyZBas807636140352864256", False),
            ("openid", "oY0DB6wvFtW40hAL-lIRl4MKXKXE", False),
        ],
        "customer_ref": "youzan:lDWyZBas807636140352864256",
        "remark": "[卖家备注 seller] 顺丰发货",
        "tags": ("refund_in_progress", "receiver_masked"),
    },
    ("xiaohongshu", "detail.json", "xiaohongshu"): {
        "id": "P712345678901234567",
        "status": "4",
        "steps": [("created", "2026-11-11 01:00:00"), ("paid", "2026-11-11 01:01:00")],
        "lines": [("SKU-TEA", 2, 12800, 1000, ()), ("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 500,
        "discount": 500,
        "total": 28500,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "江苏省",
            "苏州市",
            "相城区",
            "#5a6J5YWD6Lev#WVdSa2NtVnpjdz09#1##",
            "320507",
            "#6ZmI5YWI#ZEhBVk5tVmlUazQ9#1##",
            "",
        ),
        "ids": [
            ("phone", "#MTM4MDAxMzgwMDA=#Y0hWMGRHVnlibUZ0WlE9PQ==#1##", True),
            ("buyer_id", "5f1e0000000000000100a1b2", False),
        ],
        "customer_ref": "xiaohongshu:5f1e0000000000000100a1b2",
        "remark": "请尽快送达",
        "tags": ("receiver_masked",),
    },
    ("xiaohongshu", "bare_shipped.json", "xiaohongshu"): {
        "id": "P712345678901234568",
        "status": "6",
        "steps": [
            ("created", "2026-11-11 01:00:00"),
            ("paid", "2026-11-11 01:01:00"),
            ("outbound", "2026-11-11 03:00:00"),
        ],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "上海市",
            "上海市",
            "浦东新区",
            "#5a6J5YWD6Lev#WVdSa2NtVnpjdz09#1##",
            "310115",
            "#6ZmI5YWI#ZEhBVk5tVmlUazQ9#1##",
            "",
        ),
        "ids": [
            ("phone", "#MTM4MDAxMzgwMDA=#Y0hWMGRHVnlibUZ0WlE9PQ==#1##", True),
            ("buyer_id", "5f1e0000000000000100a1b2", False),
        ],
        "customer_ref": "xiaohongshu:5f1e0000000000000100a1b2",
        "remark": "[卖家备注 seller] 顺丰",
        "tags": ("receiver_masked",),
    },
    ("xiaohongshu", "completed.json", "xiaohongshu"): {
        "id": "P712345678901234569",
        "status": "7",
        "steps": [
            ("created", "2026-11-11 01:00:00"),
            ("paid", "2026-11-11 01:01:00"),
            ("outbound", "2026-11-11 03:00:00"),
            ("delivered", "2026-11-11 06:00:00"),
            ("completed", "2026-11-11 06:00:00"),
        ],
        "lines": [("SKU-MILK", 3, 1990, 0, ("cold_chain",))],
        "freight": 500,
        "discount": 0,
        "total": 6470,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "北京市",
            "北京市",
            "朝阳区",
            "#5a6J5YWD6Lev#WVdSa2NtVnpjdz09#1##",
            "110105",
            "#6ZmI5YWI#ZEhBVk5tVmlUazQ9#1##",
            "",
        ),
        "ids": [
            ("phone", "#MTM4MDAxMzgwMDA=#Y0hWMGRHVnlibUZ0WlE9PQ==#1##", True),
            ("buyer_id", "5f1e0000000000000100a1b2", False),
        ],
        "customer_ref": "xiaohongshu:5f1e0000000000000100a1b2",
        "remark": "请尽快送达",
        "tags": ("receiver_masked",),
    },
    ("xiaohongshu", "cancelled.json", "xiaohongshu"): {
        "id": "P712345678901234570",
        "status": "9",
        "steps": [("created", "2026-11-11 01:00:00"), ("cancelled", "2026-11-11 01:30:00")],
        "lines": [("SKU-TEA", 1, 12800, 0, ())],
        "freight": 0,
        "discount": 0,
        "total": 12800,
        "placed": "2026-11-11 01:00:00",
        "paid": None,
        "ship": (
            "江苏省",
            "苏州市",
            "相城区",
            "#5a6J5YWD6Lev#WVdSa2NtVnpjdz09#1##",
            "320507",
            "#6ZmI5YWI#ZEhBVk5tVmlUazQ9#1##",
            "",
        ),
        "ids": [
            ("phone", "#MTM4MDAxMzgwMDA=#Y0hWMGRHVnlibUZ0WlE9PQ==#1##", True),
            ("buyer_id", "5f1e0000000000000100a1b2", False),
        ],
        "customer_ref": "xiaohongshu:5f1e0000000000000100a1b2",
        "remark": "",
        "tags": ("receiver_masked",),
    },
    ("xiaohongshu", "gift_rounding.json", "xiaohongshu"): {
        "id": "P712345678901234571",
        "status": "5",
        "steps": [("created", "2026-11-11 01:00:00"), ("paid", "2026-11-11 01:01:00")],
        "lines": [("SKU-TEA", 3, 3434, 201, ()), ("SKU-CUP", 1, 0, 0, ("fragile", "gift"))],
        "freight": 0,
        "discount": 101,
        "total": 10000,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "江苏省",
            "苏州市",
            "相城区",
            "#5a6J5YWD6Lev#WVdSa2NtVnpjdz09#1##",
            "320507",
            "#6ZmI5YWI#ZEhBVk5tVmlUazQ9#1##",
            "",
        ),
        "ids": [
            ("phone", "#MTM4MDAxMzgwMDA=#Y0hWMGRHVnlibUZ0WlE9PQ==#1##", True),
            ("buyer_id", "5f1e0000000000000100a1b2", False),
        ],
        "customer_ref": "xiaohongshu:5f1e0000000000000100a1b2",
        "remark": "请尽快送达",
        "tags": ("partially_shipped", "receiver_masked"),
    },
    ("xiaohongshu", "after_sale_open.json", "xiaohongshu"): {
        "id": "P712345678901234572",
        "status": "7",
        "steps": [
            ("created", "2026-11-11 01:00:00"),
            ("paid", "2026-11-11 01:01:00"),
            ("outbound", "2026-11-11 03:00:00"),
            ("delivered", "2026-11-11 06:00:00"),
            ("completed", "2026-11-11 06:00:00"),
        ],
        "lines": [("SKU-MILK", 3, 1990, 0, ("cold_chain",))],
        "freight": 500,
        "discount": 0,
        "total": 6470,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "北京市",
            "北京市",
            "朝阳区",
            "#5a6J5YWD6Lev#WVdSa2NtVnpjdz09#1##",
            "110105",
            "#6ZmI5YWI#ZEhBVk5tVmlUazQ9#1##",
            "",
        ),
        "ids": [
            ("phone", "#MTM4MDAxMzgwMDA=#Y0hWMGRHVnlibUZ0WlE9PQ==#1##", True),
            ("buyer_id", "5f1e0000000000000100a1b2", False),
        ],
        "customer_ref": "xiaohongshu:5f1e0000000000000100a1b2",
        "remark": "请尽快送达",
        "tags": ("after_sale_open", "receiver_masked"),
    },
    ("xiaohongshu", "cancel_requested.json", "xiaohongshu"): {
        "id": "P712345678901234573",
        "status": "4",
        "steps": [("created", "2026-11-11 01:00:00"), ("paid", "2026-11-11 01:01:00")],
        "lines": [("SKU-TEA", 2, 12800, 1000, ()), ("SKU-CUP", 1, 3900, 0, ("fragile",))],
        "freight": 500,
        "discount": 500,
        "total": 28500,
        "placed": "2026-11-11 01:00:00",
        "paid": "2026-11-11 01:01:00",
        "ship": (
            "江苏省",
            "苏州市",
            "相城区",
            "#5a6J5YWD6Lev#WVdSa2NtVnpjdz09#1##",
            "320507",
            "#6ZmI5YWI#ZEhBVk5tVmlUazQ9#1##",
            "",
        ),
        "ids": [
            ("phone", "#MTM4MDAxMzgwMDA=#Y0hWMGRHVnlibUZ0WlE9PQ==#1##", True),
            ("buyer_id", "5f1e0000000000000100a1b2", False),
        ],
        "customer_ref": "xiaohongshu:5f1e0000000000000100a1b2",
        "remark": "请尽快送达",
        "tags": ("cancel_requested", "receiver_masked"),
    },
}


@pytest.mark.parametrize(("channel", "name", "adapter"), list(EXPECTED))
def test_each_documentation_payload_maps_to_exactly_its_canonical_order(
    channel: str, name: str, adapter: str
) -> None:
    assert snapshot(_map(channel, name, adapter)) == EXPECTED[(channel, name, adapter)]


PLATFORMS = (
    "taobao",
    "tmall",
    "jd",
    "pinduoduo",
    "douyin",
    "kuaishou",
    "wechat_channels",
    "wechat_mp",
    "xiaohongshu",
    "youzan",
)


def test_every_platform_has_at_least_five_documentation_payloads_checked_field_by_field() -> None:
    per_platform: dict[str, int] = {}
    for folder, _, adapter in EXPECTED:
        if folder != "middlemen":  # a middleman's envelope is not the platform's own answer
            per_platform[adapter] = per_platform.get(adapter, 0) + 1
    assert {p: per_platform.get(p, 0) >= 5 for p in PLATFORMS} == dict.fromkeys(PLATFORMS, True), per_platform
    for folder, name, _ in EXPECTED:  # and each of them is a file in the fixtures
        assert (FIXTURES / folder / name).is_file(), (folder, name)


@pytest.mark.parametrize(
    ("envelope", "inner"),
    [
        (("middlemen", "erp_forward_jd.json", "jd"), ("jd", "order_get_response.json", "jd")),
        (
            ("middlemen", "erp_forward_douyin.json", "douyin"),
            ("douyin", "order_detail_response.json", "douyin"),
        ),
        (
            ("middlemen", "erp_forward_pinduoduo.json", "pinduoduo"),
            ("pinduoduo", "information_get_response.json", "pinduoduo"),
        ),
    ],
)
def test_a_middlemans_envelope_maps_exactly_as_the_platforms_own_answer(
    envelope: tuple[str, str, str], inner: tuple[str, str, str]
) -> None:
    assert snapshot(_map(*envelope)) == snapshot(_map(*inner))


def test_a_bare_order_the_detail_answer_and_a_list_element_map_alike() -> None:
    bare = load("taobao", "refund_after_shipping.json")["trade_fullinfo_get_response"]["trade"]
    as_list = {"trades_sold_increment_get_response": {"trades": {"trade": [bare]}, "has_next": False}}
    adapter = ADAPTERS["taobao"]
    assert (
        adapter.parse(bare)
        == adapter.parse(as_list)
        == adapter.parse(load("taobao", "refund_after_shipping.json"))
    )


def test_the_jd_detail_answer_that_was_refused_with_order_id_required_now_maps() -> None:
    co = ADAPTERS["jd"].parse(load("jd", "order_get_response.json"))
    assert co.external_id == "281046817987" and co.complete


def test_a_list_answer_of_several_orders_is_refused_with_their_count() -> None:
    answer = load("jd", "search_element.json")
    listed = answer["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["orderInfoList"]
    listed.append(dict(listed[0], orderId="301234567899"))
    with pytest.raises(Unmappable) as exc:
        ADAPTERS["jd"].parse(answer)
    [reason] = exc.value.reasons
    assert reason.code == "list_answer" and "2" in reason.message and "逐个" in reason.message


@pytest.mark.parametrize(
    ("channel", "name", "said"),
    [
        ("jd/invalid", "api_error.json", "订单不存在"),
        ("douyin/invalid", "error_answer.json", "订单不存在"),
        ("kuaishou/invalid", "error_answer.json", "订单不存在或无权限访问"),
        ("wechat_mp/invalid", "error_answer.json", "订单不存在"),
    ],
)
def test_a_platform_error_answer_is_refused_with_the_platforms_own_words(
    channel: str, name: str, said: str
) -> None:
    with pytest.raises(Unmappable) as exc:
        ADAPTERS[channel.split("/")[0]].parse(load(channel, name))
    [reason] = exc.value.reasons
    assert reason.code == "platform_error" and said in reason.message and "平台返回错误" in reason.message


def test_an_envelope_without_its_order_names_where_the_order_should_be() -> None:
    with pytest.raises(Unmappable) as exc:
        ADAPTERS["jd"].parse({"jingdong_pop_order_get_responce": {"code": "0", "orderDetailInfo": {}}})
    assert [r.code for r in exc.value.reasons] == ["missing_field"]
    assert exc.value.reasons[0].field.startswith("jingdong_pop_order_get_responce")


def test_ids_past_two_to_the_53_are_read_exactly_and_never_from_a_json_float() -> None:
    raw = (FIXTURES / "douyin" / "refund_after_shipping.json").read_bytes()
    co = ADAPTERS["douyin"].parse(json.loads(raw, parse_float=Decimal))
    assert co.external_id == "4984023467827309610" and int(co.external_id) > 2**53
    rounded = json.loads(raw.replace(b"4984023467827309610", b"4.98402346782731e18"), parse_float=Decimal)
    with pytest.raises(Unmappable) as exc:
        ADAPTERS["douyin"].parse(rounded)
    assert [r.code for r in exc.value.reasons] == ["bad_id"]


@pytest.mark.parametrize(("text", "fen"), [("0.29", 29), ("19.99", 1999), ("1234567.89", 123456789)])
def test_yuan_json_floats_are_read_from_the_json_text_never_multiplied_as_binary_floats(
    text: str, fen: int
) -> None:
    body = f'{{"pay_amount": {text}}}'.encode()
    assert yuan_to_fen(json.loads(body, parse_float=Decimal)["pay_amount"]) == fen
    # The hazard this guards against: the binary float times 100, truncated, is off by a fen.
    assert int(float(text) * 100) != fen or text == "1234567.89"


def test_yuan_floats_inside_a_json_string_stay_exact() -> None:
    m = _map("middlemen", "erp_forward_pinduoduo.json", "pinduoduo")
    assert m.order is not None and m.order.total_fen == 5196 and m.order.freight_fen == 29
    assert m.order.lines[0].unit_price_fen == 1999


@pytest.mark.parametrize(
    "value", ["0000-00-00 00:00:00", "1970-01-01 08:00:00", "1970-01-01 00:00:00", 0, "", None]
)
def test_placeholder_dates_mean_none_and_are_not_an_error_when_optional(value: object) -> None:
    r = Reader()
    assert r.time({"t": value}, "t", required=False) is None
    assert r.reasons == []
    r.time({"t": value}, "t")
    assert [x.code for x in r.reasons] == ["missing_field"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1794326400, 1794326400 * NS),
        (1794326400123, 1794326400123 * 1_000_000),
        ("2026-11-11 00:00:00", 1794326400 * NS),
    ],
)
def test_times_read_as_epoch_seconds_milliseconds_or_shanghai_wall_clock(
    value: object, expected: int
) -> None:
    assert Reader().time({"t": value}, "t") == expected


@pytest.mark.parametrize(("channel", "name", "adapter"), list(EXPECTED))
def test_encrypted_and_masked_receivers_are_kept_flagged_and_never_link_a_customer(
    channel: str, name: str, adapter: str
) -> None:
    o = _map(channel, name, adapter).order
    assert o is not None
    for ident in o.identifiers:
        # Masks (138****5678) and ciphertext (~…~, #…#, $…$) are kept, marked, never linked.
        if (
            "*" in ident.value
            or ident.value[0] in "~#$"
            or (ident.kind == "phone" and is_masked(ident.value))
        ):
            assert ident.masked, ident
    ref = o.customer_ref.partition(":")[2]
    assert not ref or ("*" not in ref and ref[0] not in "~#$")
    if is_masked(o.ship_to.name) or any(i.masked and i.kind == "phone" for i in o.identifiers):
        assert "receiver_masked" in o.tags


def test_a_list_answer_splits_into_its_orders_for_a_puller_and_each_maps() -> None:
    answer = load("jd", "search_element.json")
    listed = answer["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["orderInfoList"]
    listed.append(dict(listed[0], orderId="301234567899"))
    adapter = JdAdapter()
    assert [adapter.parse(o).external_id for o in adapter.orders_in(answer)] == [
        "301234567891",
        "301234567899",
    ]
    detail = load("jd", "order_get_response.json")
    assert adapter.orders_in(detail) == [detail]
