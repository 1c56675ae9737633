"""WeChat Channels shop (视频号小店, ``/channels/ec/…``): a JSON body, the
``access_token`` in the query; nothing is signed.

* list: ``/channels/ec/order/list/get`` (``update_time_range``, ``next_key`` paging, at most
  7 days) names orders only; each is read with ``/channels/ec/order/get``;
* shipment: ``/channels/ec/order/delivery/send`` (every parcel in ``delivery_list``; a
  split parcel names its products as ``product_id:sku_id[:count]``);
* stock: ``/channels/ec/product/stock/update`` (``product_id``, ``sku_id`` as strings,
  ``diff_type`` 3: set to ``num``; developers.weixin.qq.com 微信小店 快速更新库存. The doc
  prefers changes (1 add, 2 subtract) under heavy concurrency; Ordo sends one quantity per
  listing at a time, the latest, so setting is what it means).

Answers are ``{errcode, errmsg, …}``; ``errcode`` 0 is success (WeChat's global codes:
42001 token expired, 45009 frequency limit, -1 system busy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ordo.adapters.platforms.base import (
    PAGE_SIZE,
    Call,
    Credentials,
    Page,
    PlatformApi,
    Request,
    classify,
    text,
)

_AUTH = frozenset({"40001", "40014", "42001"})
_THROTTLED = frozenset({"45009", "45011"})


class WechatChannelsApi(PlatformApi):
    max_window_s = 7 * 86_400
    stock = True

    def request(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> Request:
        # the method is the path
        return Request(
            creds.endpoint.rstrip("/") + method, json=text(dict(biz)), query={"access_token": creds.session}
        )

    def check(self, body: Mapping[str, Any]) -> None:
        code = str(body.get("errcode", "0"))
        if code != "0":
            raise classify(code, str(body.get("errmsg") or ""), _AUTH, _THROTTLED)

    def list_page(self, call: Call, channel: str, start_s: int, end_s: int, page: int, cursor: str) -> Page:
        body = call(
            "/channels/ec/order/list/get",
            {
                "update_time_range": {"start_time": start_s, "end_time": end_s},
                "page_size": PAGE_SIZE,
                **({"next_key": cursor} if cursor else {}),
            },
        )
        ids = tuple(str(i) for i in body.get("order_id_list") or [])
        more = bool(body.get("has_more")) and bool(ids)
        return Page([], more, len(ids), str(body.get("next_key") or "") if more else "", ids)

    def order_detail(self, call: Call, channel: str, order_id: str) -> str:
        body = call("/channels/ec/order/get", {"order_id": order_id})
        return text({"order": body.get("order") or {}})

    def confirm(
        self,
        call: Call,
        channel: str,
        external_id: str,
        waybills: Sequence[tuple[str, str]],
        sub_ids: Sequence[str],
    ) -> bool:
        parcels: list[dict[str, Any]] = [
            {"delivery_id": c, "waybill_id": w, "deliver_type": 1} for w, c in waybills
        ]
        if sub_ids:  # a split parcel names its products (product_id:sku_id[:count])
            for p in parcels:
                p["product_infos"] = [_product(x) for x in sub_ids]
        call("/channels/ec/order/delivery/send", {"order_id": external_id, "delivery_list": parcels})
        return True

    def update_quantity(self, call: Call, channel: str, item_id: str, sku_id: str, quantity: int) -> None:
        biz = {"product_id": item_id, "sku_id": sku_id, "diff_type": 3, "num": quantity}
        call("/channels/ec/product/stock/update", biz)


def _product(sub_id: str) -> dict[str, Any]:
    product, _, rest = sub_id.partition(":")
    sku, _, count = rest.partition(":")
    return {"product_id": product, "sku_id": sku, "product_cnt": int(count or 1)}
