"""Taobao and Tmall through TOP (``/router/rest``, form-encoded, ``sign_method=md5``).

* list: ``taobao.trades.sold.increment.get`` (``start_modified`` / ``end_modified``, at most
  one day apart; ``use_has_next``);
* shipment: ``taobao.logistics.offline.send`` (``is_split`` + ``sub_tid`` for a parcel of
  some sub-orders: split parcels);
* stock: ``taobao.item.quantity.update`` (``num_iid``, ``sku_id``, ``quantity``, ``type`` 1:
  a full quantity).

Errors come as ``error_response`` with ``code`` and ``sub_code`` (TOP's platform error
codes: 7 call limit, 15 remote service error, 25–29 / 53 session and signature).
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
    inner,
    text,
)

_FIELDS = (
    "tid,tid_str,status,created,pay_time,modified,consign_time,end_time,payment,"
    "post_fee,total_fee,discount_fee,buyer_message,buyer_open_uid,oaid,receiver_name,"
    "receiver_mobile,receiver_state,receiver_city,receiver_district,receiver_town,"
    "receiver_address,orders"
)
#: TOP platform error codes that mean "call less often", "try again later", "credentials".
_THROTTLED = {"4", "5", "6", "7", "8"}
_TRANSIENT = {"10", "15", "520"}
_AUTH = {"25", "26", "27", "28", "29", "53"}


class TopApi(PlatformApi):
    max_window_s = 86_400
    splits = True
    stock = True

    def request(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> Request:
        params = {
            "method": method,
            "app_key": creds.app_key,
            "session": creds.session,
            "timestamp": cst(now_s),
            "format": "json",
            "v": "2.0",
            "sign_method": "md5",
            **{k: str(v) for k, v in biz.items()},
        }
        params["sign"] = signing.top_sign(params, creds.app_secret)
        return Request(creds.endpoint.rstrip("/") + "/router/rest", form=params)

    def check(self, body: Mapping[str, Any]) -> None:
        err = body.get("error_response")
        if not isinstance(err, dict):
            return
        code, sub = str(err.get("code", "")), str(err.get("sub_code") or "")
        msg = str(err.get("sub_msg") or err.get("msg") or "")
        if "already" in sub or sub == "isv.logistics-offline-service-error:B04":
            raise PlatformError("refused", "already_shipped", msg)
        if code in _THROTTLED or "limited" in sub:
            raise PlatformError("throttled", sub or code, msg)
        if code in _TRANSIENT or sub.startswith("isp."):
            raise PlatformError("transient", sub or code, msg)
        if code in _AUTH:
            raise PlatformError("auth", sub or code, msg)
        raise PlatformError("refused", sub or code, msg)

    def list_page(self, call: Call, channel: str, start_s: int, end_s: int, page: int, cursor: str) -> Page:
        body = call(
            "taobao.trades.sold.increment.get",
            {
                "fields": _FIELDS,
                "start_modified": cst(start_s),
                "end_modified": cst(end_s),
                "page_no": str(page),
                "page_size": str(PAGE_SIZE),
                "use_has_next": "true",
            },
        )
        r = inner(body, "trades_sold_increment_get_response")
        trades = (r.get("trades") or {}).get("trade") or []
        return Page([text(t) for t in trades], bool(r.get("has_next")), int(r.get("total_results") or 0))

    def confirm(
        self,
        call: Call,
        channel: str,
        external_id: str,
        waybills: Sequence[tuple[str, str]],
        sub_ids: Sequence[str],
    ) -> bool:
        waybill, company = waybills[0]
        params = {"tid": external_id, "out_sid": waybill, "company_code": company}
        if sub_ids:
            params |= {"is_split": "1", "sub_tid": ",".join(sub_ids)}
        body = call("taobao.logistics.offline.send", params)
        return bool((inner(body, "logistics_offline_send_response").get("shipping") or {}).get("is_success"))

    def update_quantity(self, call: Call, channel: str, item_id: str, sku_id: str, quantity: int) -> None:
        params = {"num_iid": item_id, "sku_id": sku_id, "quantity": str(quantity), "type": "1"}
        inner(call("taobao.item.quantity.update", params), "item_quantity_update_response")
