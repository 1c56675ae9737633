"""The emulated orders of Kuaishou, WeChat Channels, Youzan and Xiaohongshu, in the shape
each platform's list (Kuaishou, Youzan) or detail (WeChat Channels, Xiaohongshu) call
answers (see :mod:`.orders`)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from ordo.adapters.platforms.client import cst


def more_order(
    ch: str,
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
    """An order of Kuaishou, WeChat Channels, Youzan or Xiaohongshu, in the shape its list
    (Kuaishou, Youzan) or detail (WeChat Channels, Xiaohongshu) call answers."""
    province, city, district, detail = place

    def yuan(fen: int) -> str:
        return f"{fen // 100}.{fen % 100:02d}"

    if ch == "kuaishou":
        sku, price, title, qty, k = lines[0]
        return {
            "orderBaseInfo": {
                "oid": int(ext),
                "status": 80 if closed else 30,
                "createTime": created * 1000,
                "payTime": (created + 10) * 1000,
                "updateTime": modified * 1000,
                "totalFee": goods + post,
                "expressFee": post,
                "discountFee": 0,
                "buyerOpenId": f"f{rng.getrandbits(64):016x}",
                "remark": "",
            },
            "orderItemInfo": {
                "skuId": 2_201_234_000 + k,
                "relSkuId": 0,
                "skuNick": sku,
                "itemId": 4_801_234_567_000 + k,
                "itemTitle": title,
                "num": qty,
                "originalPrice": price,
                "discountFee": 0,
            },
            "orderAddress": {
                "consignee": name,
                "mobile": phone,
                "province": province,
                "city": city,
                "district": district,
                "town": "",
                "address": detail,
            },
        }
    if ch == "wechat_channels":
        return {
            "order_id": int(ext),
            "status": 200 if closed else 20,
            "create_time": created,
            "update_time": modified,
            "openid": f"oZ7x{rng.getrandbits(64):016x}",
            "order_detail": {
                "product_infos": [
                    {
                        "product_id": str(234_000 + k),
                        "sku_id": str(23_400 + k),
                        "out_sku_id": sku,
                        "sku_cnt": qty,
                        "title": title,
                        "sale_price": price,
                        "market_price": price,
                        "real_price": price * qty,
                    }
                    for sku, price, title, qty, k in lines
                ],
                "price_info": {
                    "product_price": goods,
                    "order_price": goods + post,
                    "freight": post,
                    "discounted_price": 0,
                    "is_discounted": False,
                },
                "pay_info": {"pay_time": created + 10, "payment_method": 1},
                "delivery_info": {
                    "address_info": {
                        "user_name": name,
                        "province_name": province,
                        "city_name": city,
                        "county_name": district,
                        "detail_info": detail,
                        "tel_number": phone,
                    },
                    "delivery_product_info": [],
                    "deliver_method": 0,
                },
                "ext_info": {"customer_notes": "", "merchant_notes": ""},
            },
        }
    if ch == "youzan":
        return {
            "order_info": {
                "tid": ext,
                "status": "TRADE_CLOSE" if closed else "WAIT_SELLER_SEND_GOODS",
                "created": cst(created),
                "pay_time": cst(created + 10),
                "update_time": cst(modified),
                "consign_time": "",
                "success_time": "",
                "refund_state": 0,
            },
            "buyer_info": {"yz_open_id": f"yz{rng.getrandbits(48):012x}", "outer_user_id": ""},
            "pay_info": {"total_fee": yuan(goods), "post_fee": yuan(post), "payment": yuan(goods + post)},
            "address_info": {
                "receiver_name": name,
                "receiver_tel": phone,
                "delivery_province": province,
                "delivery_city": city,
                "delivery_district": district,
                "delivery_address": detail,
            },
            "remark_info": {"buyer_message": ""},
            "orders": [
                {
                    "oid": f"{ext[-12:]}{k:02d}",
                    "item_id": 422_422_000 + k,
                    "sku_id": 36_212_000 + k,
                    "outer_sku_id": sku,
                    "num": qty,
                    "title": title,
                    "price": yuan(price),
                    "total_fee": yuan(price * qty),
                    "payment": yuan(price * qty),
                    "is_present": False,
                }
                for sku, price, title, qty, k in lines
            ],
        }
    return {  # xiaohongshu
        "orderId": ext,
        "orderType": 1,
        "orderStatus": 9 if closed else 4,
        "createdTime": created * 1000,
        "paidTime": (created + 10) * 1000,
        "updateTime": modified * 1000,
        "deliveryTime": 0,
        "cancelTime": modified * 1000 if closed else 0,
        "finishTime": 0,
        "receiverProvinceName": province,
        "receiverCityName": city,
        "receiverDistrictName": district,
        "receiverName": name,
        "receiverPhone": phone,
        "receiverAddress": detail,
        "customerRemark": "",
        "sellerRemark": "null",
        "userId": f"5f1e{rng.getrandbits(64):016x}",
        "totalPayAmount": goods + post,
        "totalShippingFree": post,
        "totalMerchantDiscount": 0,
        "totalRedDiscount": 0,
        "skuList": [
            {
                "skuId": f"603c{k:08d}",
                "skuName": title,
                "erpcode": sku,
                "skuQuantity": qty,
                "totalPaidAmount": price * qty,
                "totalMerchantDiscount": 0,
                "totalRedDiscount": 0,
                "skuTag": 0,
            }
            for sku, price, title, qty, k in lines
        ],
    }
