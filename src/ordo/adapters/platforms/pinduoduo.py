"""Pinduoduo (拼多多, ``/api/router``): form-encoded, the method as ``type``, signed
``MD5(client_secret + sorted name+value + client_secret)``.

* list: ``pdd.order.number.list.increment.get`` (``start_updated_at`` /
  ``end_updated_at`` epoch seconds, at most 30 minutes apart);
* shipment: ``pdd.logistics.online.send`` (``logistics_id``, ``tracking_number``);
* stock: ``pdd.goods.quantity.update`` (``goods_id``, ``sku_id``, ``quantity``,
  ``update_type`` 1: a full quantity; answer ``goods_quantity_update_response.is_success``).

Errors: ``error_response`` with ``error_code`` (70031… call limit, 10019… token, 5xxxx
server).
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
    inner,
    text,
)


class PinduoduoApi(PlatformApi):
    max_window_s = 1_800
    stock = True

    def request(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> Request:
        params = {
            "type": method,
            "client_id": creds.app_key,
            "access_token": creds.session,
            "timestamp": str(now_s),
            "data_type": "JSON",
            "version": "V1",
            **{k: str(v) for k, v in biz.items()},
        }
        params["sign"] = signing.router_md5_sign(params, creds.app_secret)
        return Request(creds.endpoint.rstrip("/") + "/api/router", form=params)

    def check(self, body: Mapping[str, Any]) -> None:
        err = body.get("error_response")
        if not isinstance(err, dict):
            return
        code = str(err.get("error_code", ""))
        sub = str(err.get("sub_code") or "")
        msg = str(err.get("error_msg") or err.get("sub_msg") or "")
        if sub == "already_shipped":
            raise PlatformError("refused", "already_shipped", msg)
        if code in ("70031", "70032", "70033", "70034"):
            raise PlatformError("throttled", code, msg)
        if code in ("10019", "10020", "10035"):
            raise PlatformError("auth", code, msg)
        if code.startswith("5") or code == "70000":
            raise PlatformError("transient", code, msg)
        raise PlatformError("refused", code, msg)

    def list_page(self, call: Call, channel: str, start_s: int, end_s: int, page: int, cursor: str) -> Page:
        body = call(
            "pdd.order.number.list.increment.get",
            {
                "is_lucky_flag": "0",
                "order_status": "5",
                "refund_status": "5",
                "start_updated_at": str(start_s),
                "end_updated_at": str(end_s),
                "page": str(page),
                "page_size": str(PAGE_SIZE),
                "use_has_next": "true",
            },
        )
        r = inner(body, "order_sn_increment_get_response")
        items = r.get("order_sn_list") or []
        wrapped = [text({"order_info_get_response": {"order_info": o}}) for o in items]
        return Page(wrapped, bool(r.get("has_next")), int(r.get("total_count") or 0))

    def confirm(
        self,
        call: Call,
        channel: str,
        external_id: str,
        waybills: Sequence[tuple[str, str]],
        sub_ids: Sequence[str],
    ) -> bool:
        waybill, company = waybills[0]
        params = {"order_sn": external_id, "logistics_id": company, "tracking_number": waybill}
        body = call("pdd.logistics.online.send", params)
        return bool(inner(body, "logistics_online_send_response").get("is_success"))

    def update_quantity(self, call: Call, channel: str, item_id: str, sku_id: str, quantity: int) -> None:
        params: dict[str, Any] = {"goods_id": item_id, "quantity": quantity, "update_type": 1}
        if sku_id:  # sku_id or the SKU's outer_id is required: Ordo keeps the platform's sku_id
            params["sku_id"] = sku_id
        body = call("pdd.goods.quantity.update", params)
        if not inner(body, "goods_quantity_update_response").get("is_success"):
            raise PlatformError(
                "refused", "not_success", "Pinduoduo did not set the stock / 拼多多未更新库存"
            )
