"""Douyin shop (抖店): ``POST /<method with dots as slashes>``, the business parameters as
``param_json`` (sorted keys, no spaces), signed as :func:`.signing.douyin_sign` describes.

* list: ``order.searchList`` (``update_time_start`` / ``update_time_end`` epoch seconds,
  pages from 0);
* shipment: ``order.logisticsAdd`` (``company_code``, ``logistics_code``);
* stock: ``sku.syncStock`` (``/sku/syncStock``: ``product_id``, ``sku_id``, ``stock_num``,
  ``incremental: false`` for a full quantity; op.jinritemai.com 商品API 库存同步).

Answers are ``{code, msg, sub_code, sub_msg, data}``; ``code`` 10000 is success.
"""

from __future__ import annotations

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
    cst,
    number,
    text,
)


class DouyinApi(PlatformApi):
    max_window_s = 86_400
    stock = True

    def request(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> Request:
        params = {
            "app_key": creds.app_key,
            "method": method,
            "access_token": creds.session,
            "param_json": signing.douyin_param_json(biz),
            "timestamp": cst(now_s),
            "v": "2",
            "sign_method": "md5",
        }
        params["sign"] = signing.douyin_sign(params, creds.app_secret)
        return Request(creds.endpoint.rstrip("/") + "/" + method.replace(".", "/"), form=params)

    def check(self, body: Mapping[str, Any]) -> None:
        code = str(body.get("code", ""))
        if code == "10000":
            return
        sub = str(body.get("sub_code") or "")
        msg = str(body.get("sub_msg") or body.get("msg") or "")
        if sub.startswith("isv.access-token") or sub.startswith("isv.sign") or code == "30001":
            raise PlatformError("auth", sub or code, msg)
        if code == "50002" or "limit" in sub:
            raise PlatformError("throttled", sub or code, msg)
        if code.startswith("2") or sub.startswith("isp."):
            raise PlatformError("transient", sub or code, msg)
        raise PlatformError("refused", sub or code, msg)

    def list_page(self, call: Call, channel: str, start_s: int, end_s: int, page: int, cursor: str) -> Page:
        data = call(
            "order.searchList",
            {
                "update_time_start": start_s,
                "update_time_end": end_s,
                "order_by": "update_time",
                "order_asc": True,
                "page": page - 1,  # Douyin pages from 0
                "size": PAGE_SIZE,
            },
        )
        d = data.get("data") or {}
        items = d.get("shop_order_list") or []
        total = int(d.get("total") or 0)
        wrapped = [text({"code": 10000, "data": {"shop_order_detail": o}}) for o in items]
        return Page(wrapped, page * PAGE_SIZE < total, total)

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
            "order.logisticsAdd",
            {"order_id": external_id, "company_code": company, "logistics_code": waybill},
        )
        return True

    def update_quantity(self, call: Call, channel: str, item_id: str, sku_id: str, quantity: int) -> None:
        biz: dict[str, Any] = {"product_id": number(item_id), "stock_num": quantity, "incremental": False}
        if sku_id:
            biz["sku_id"] = number(sku_id)
        call("sku.syncStock", biz)
