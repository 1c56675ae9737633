"""Kuaishou shop (快手小店): ``POST /<method with dots as slashes>``, the business
parameters as JSON in ``param``, signed as :func:`.signing.kuaishou_sign` describes
(``timestamp`` in ms).

* list: ``open.seller.order.pcursor.list`` (``beginTime`` / ``endTime`` in ms,
  ``queryType`` 2: by update time; ``pcursor`` paging, ``nomore`` at the end);
* shipment: ``open.seller.order.goods.deliver`` (``expressNo``, ``expressCode``);
* stock: ``open.item.sku.stock.update`` changes a SKU's stock **by** an amount
  (``skuChangeStock`` > 0, ``changeType`` 1 add / 2 subtract; the platform documents no
  full-quantity call), so Ordo reads the SKU's stock first (``open.item.get`` →
  ``data.skuInfos[].skuStock`` by ``kwaiSkuId``) and sends the difference. A sale between
  the two calls leaves the listing off by that sale until the next quantity Ordo sends.

Answers are ``{result, error_msg, data}``; ``result`` 1 is success.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ordo.adapters.platforms import signing
from ordo.adapters.platforms.base import (
    PAGE_SIZE,
    Call,
    Credentials,
    Page,
    PlatformApi,
    PlatformError,
    Request,
    classify,
    number,
    text,
)

_AUTH = frozenset({"24", "25", "28"})
_THROTTLED = frozenset({"9", "429"})


class KuaishouApi(PlatformApi):
    max_window_s = 7 * 86_400
    stock = True

    def request(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> Request:
        params = {
            "appkey": creds.app_key,
            "method": method,
            "version": "1",
            "access_token": creds.session,
            "timestamp": str(now_s * 1000),
            "signMethod": "MD5",
            "param": json.dumps(dict(biz), ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = signing.kuaishou_sign(params, creds.app_secret)
        return Request(creds.endpoint.rstrip("/") + "/" + method.replace(".", "/"), form=params)

    def check(self, body: Mapping[str, Any]) -> None:
        code = str(body.get("result", ""))
        if code != "1":
            raise classify(code, str(body.get("error_msg") or ""), _AUTH, _THROTTLED)

    def list_page(self, call: Call, channel: str, start_s: int, end_s: int, page: int, cursor: str) -> Page:
        data = call(
            "open.seller.order.pcursor.list",
            {
                "type": 1,  # every status
                "pageSize": PAGE_SIZE,
                "sort": 1,
                "queryType": 2,  # by update time
                "beginTime": start_s * 1000,
                "endTime": end_s * 1000,
                "pcursor": cursor,
            },
        )
        d = data.get("data") or {}
        nxt = str(d.get("pcursor") or "nomore")
        items = d.get("orderList") or []
        more = nxt != "nomore" and bool(items)
        return Page([text(o) for o in items], more, len(items), "" if not more else nxt)

    def confirm(
        self,
        call: Call,
        channel: str,
        external_id: str,
        waybills: Sequence[tuple[str, str]],
        sub_ids: Sequence[str],
    ) -> bool:
        waybill, company = waybills[0]
        call(
            "open.seller.order.goods.deliver",
            {"orderId": external_id, "expressNo": waybill, "expressCode": company},
        )
        return True

    def update_quantity(self, call: Call, channel: str, item_id: str, sku_id: str, quantity: int) -> None:
        item = call("open.item.get", {"kwaiItemId": number(item_id)}).get("data") or {}
        skus = [s for s in item.get("skuInfos") or [] if isinstance(s, dict)]
        if not sku_id and len(skus) == 1:  # an item of one SKU: a listing may leave it unnamed
            sku_id = str(skus[0].get("kwaiSkuId"))
        current = next((s.get("skuStock") for s in skus if str(s.get("kwaiSkuId")) == sku_id), None)
        if not isinstance(current, int):
            raise PlatformError(
                "refused",
                "no_sku",
                f"item {item_id} has no SKU {sku_id!r} / 商品「{item_id}」下没有规格「{sku_id}」",
            )
        change = quantity - current
        if change == 0:
            return
        call(
            "open.item.sku.stock.update",
            {
                "kwaiItemId": number(item_id),
                "skuId": number(sku_id),
                "skuChangeStock": abs(change),
                "changeType": 1 if change > 0 else 2,
            },
        )
