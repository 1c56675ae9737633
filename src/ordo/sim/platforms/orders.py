"""The emulated platforms' orders in each platform's shape: TOP trades, JD ``orderInfo``,
Pinduoduo ``order_info``, Douyin ``shop_order_detail`` here; Kuaishou, WeChat Channels,
Youzan and Xiaohongshu in :mod:`.orders_more`. Pure: the emulator draws an order's
contents from its seeded random source and passes them in (the same draws, the same
order), with that source for the few draws a shape makes of its own.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from ordo.adapters.platforms.client import cst
from ordo.sim.platforms.orders_more import more_order


def shape(
    ch: str,
    shop_number: int,
    ext: str,
    closed: bool,
    created: int,
    modified: int,
    goods: int,
    post: int,
    lines: Sequence[tuple[str, int, str, int, int]],
    place: tuple[str, str, str, str],
    name: str,
    phone: str,
    rng: random.Random,
) -> dict[str, Any]:
    """The order in channel ``ch``'s list-element (or detail) shape."""
    province, city, district, detail = place
    lines = list(lines)

    def yuan(fen: int) -> str:
        return f"{fen // 100}.{fen % 100:02d}"

    if ch in ("taobao", "tmall"):
        return {
            "tid": int(ext),
            "tid_str": ext,
            "status": "TRADE_CLOSED" if closed else "WAIT_SELLER_SEND_GOODS",
            "type": "fixed",
            "created": cst(created),
            "pay_time": cst(created + 10),
            "modified": cst(modified),
            **({"end_time": cst(modified)} if closed else {}),
            "total_fee": yuan(goods),
            "discount_fee": "0.00",
            "post_fee": yuan(post),
            "payment": yuan(goods + post),
            "buyer_message": "",
            "buyer_open_uid": f"AAH{rng.getrandbits(40):010x}",
            "receiver_name": name,
            "receiver_mobile": phone,
            "receiver_state": province,
            "receiver_city": city,
            "receiver_district": district,
            "receiver_address": detail,
            "orders": {
                "order": [
                    {
                        "oid": int(ext) * 10 + k if int(ext) * 10 + k < 2**63 else k,
                        "num_iid": 600_000_000_000 + k,
                        "sku_id": f"48{rng.getrandbits(30):011d}",
                        "outer_sku_id": sku,
                        "title": title,
                        "num": qty,
                        "price": yuan(price),
                        "total_fee": yuan(price * qty),
                        "payment": yuan(price * qty),
                        "discount_fee": "0.00",
                    }
                    for sku, price, title, qty, k in lines
                ]
            },
        }
    if ch == "jd":
        return {
            "orderId": ext,
            "venderId": str(10_000 + shop_number),
            "orderType": "22",
            "payType": "4-在线支付",
            "orderState": "TRADE_CANCELED" if closed else "WAIT_SELLER_STOCK_OUT",
            "orderStartTime": cst(created),
            "paymentConfirmTime": cst(created + 10),
            "modified": cst(modified),
            "orderTotalPrice": yuan(goods + post),
            "orderSellerPrice": yuan(goods),
            "orderPayment": yuan(goods + post),
            "freightPrice": yuan(post),
            "sellerDiscount": "0.00",
            "orderRemark": "",
            "open_id_buyer": f"o-jd-{rng.getrandbits(40):010x}",
            "consigneeInfo": {
                "fullname": name,
                "telephone": "",
                "mobile": phone,
                "fullAddress": province + city + district + detail,
                "province": province,
                "city": city,
                "county": district,
                "town": "",
            },
            "itemInfoList": [
                {
                    "skuId": str(100_000_000_000 + k),
                    "outerSkuId": sku,
                    "wareId": str(10_000_000 + k),
                    "skuName": title,
                    "jdPrice": yuan(price),
                    "itemTotal": str(qty),
                }
                for sku, price, title, qty, k in lines
            ],
        }
    if ch == "pinduoduo":
        return {
            "order_sn": ext,
            "order_status": 1,
            "refund_status": 4 if closed else 1,
            "confirm_status": 2 if closed else 1,
            "trade_type": 0,
            "created_time": cst(created),
            "confirm_time": cst(created + 10),
            "pay_time": cst(created + 10),
            "updated_at": cst(modified),
            "goods_amount": goods / 100,
            "discount_amount": 0,
            "pay_amount": (goods + post) / 100,
            "postage": post / 100,
            "buyer_memo": "",
            "province": province,
            "city": city,
            "town": district,
            "address": detail,
            "receiver_name": name,
            "receiver_name_mask": name,
            "receiver_phone": phone,
            "receiver_phone_mask": phone,
            "item_list": [
                {
                    "goods_id": 300_000_000 + k,
                    "sku_id": 990_000 + k,
                    "outer_id": sku,
                    "outer_goods_id": "",
                    "goods_name": title,
                    "goods_count": qty,
                    "goods_price": price / 100,
                }
                for sku, price, title, qty, k in lines
            ],
        }
    if ch in ("kuaishou", "wechat_channels", "youzan", "xiaohongshu"):
        if ch == "kuaishou":  # one SKU per Kuaishou order
            lines = lines[:1]
            goods = sum(price * qty for _, price, _, qty, _ in lines)
        return more_order(
            ch,
            ext,
            closed,
            created,
            modified,
            goods,
            post,
            lines,
            (province, city, district, detail),
            name,
            phone,
            rng,
        )
    return {  # douyin
        "order_id": ext,
        "order_status": 4 if closed else 2,
        "main_status": 4 if closed else 2,
        "create_time": created,
        "pay_time": created + 10,
        "update_time": modified,
        **({"finish_time": modified} if closed else {}),
        "order_amount": goods + post,
        "pay_amount": goods + post,
        "post_amount": post,
        "promotion_amount": 0,
        "buyer_words": "",
        "doudian_open_id": f"1@#{rng.getrandbits(40):010x}",
        "mask_post_tel": phone,
        "mask_post_receiver": name,
        "post_addr": {
            "province": {"name": province},
            "city": {"name": city},
            "town": {"name": district},
            "street": {"name": ""},
            "detail": detail,
        },
        "sku_order_list": [
            {
                "order_id": f"{ext}{k}",
                "sku_id": 1_734_567_890_000 + k,
                "out_sku_id": "",
                "code": sku,
                "product_id": 3_612_345_678 + k,
                "product_name": title,
                "item_num": qty,
                "origin_amount": price * qty,
                "pay_amount": price * qty,
                "promotion_amount": 0,
            }
            for sku, price, title, qty, k in lines
        ],
    }
