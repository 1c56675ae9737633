"""JD (京东 JOS, the 360buy router ``/routerjson``): the business parameters as JSON in
``360buy_param_json``, signed ``MD5(secret + sorted name+value + secret)``.

* list: ``jingdong.pop.order.search`` (``start_date`` / ``end_date``, ``dateType`` 0:
  modified time, ``order_state``, ``page`` / ``page_size``);
* shipment: ``jingdong.pop.order.shipment`` (every waybill of the order: as JOS documents
  ``logiCoprId`` / ``logiNo``, companies are separated by ``|`` and one company's several
  waybills by ``,`` — ``logiCoprId=467|1499``, ``logiNo=SF1,SF2|ZT3``);
* stock: ``jingdong.stock.write.updateSkuStock`` (``skuId``, ``stockNum``: a full
  quantity; JOS API 库存同步, as the JD SDKs' ``StockWriteUpdateSkuStockRequest`` spells it;
  the answer is ``…_responce`` in JD's own spelling, ``…_response`` in some SDKs' readers).

JD answers its own ``*_responce`` envelopes, and ``error_response`` with ``code`` and
``zh_desc`` on errors (19 token, 85 call limit, 66 backend unavailable).
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
    cst,
    inner,
    number,
    text,
)

_STATES = "WAIT_SELLER_STOCK_OUT,WAIT_GOODS_RECEIVE_CONFIRM,FINISHED_L,TRADE_CANCELED"
_STOCK = "jingdong.stock.write.updateSkuStock"


class JdApi(PlatformApi):
    max_window_s = 86_400
    stock = True

    def request(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> Request:
        params = {
            "method": method,
            "app_key": creds.app_key,
            "access_token": creds.session,
            "timestamp": cst(now_s),
            "v": "2.0",
            "360buy_param_json": json.dumps(dict(biz), ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = signing.router_md5_sign(params, creds.app_secret)
        return Request(creds.endpoint.rstrip("/") + "/routerjson", form=params)

    def check(self, body: Mapping[str, Any]) -> None:
        err = body.get("error_response")
        if not isinstance(err, dict):
            return
        code = str(err.get("code", ""))
        msg = str(err.get("zh_desc") or err.get("en_desc") or "")
        if code == "already_shipped":
            raise PlatformError("refused", "already_shipped", msg)
        if code in ("19", "1000"):  # invalid/expired access_token, bad sign
            raise PlatformError("auth", code, msg)
        if code in ("63", "64", "85", "limit"):
            raise PlatformError("throttled", code, msg)
        if code in ("66", "67", "isp"):
            raise PlatformError("transient", code, msg)
        raise PlatformError("refused", code, msg)

    def list_page(self, call: Call, channel: str, start_s: int, end_s: int, page: int, cursor: str) -> Page:
        body = call(
            "jingdong.pop.order.search",
            {
                "start_date": cst(start_s),
                "end_date": cst(end_s),
                "order_state": _STATES,
                "dateType": "0",
                "page": str(page),
                "page_size": str(PAGE_SIZE),
            },
        )
        r = inner(body, "jingdong_pop_order_search_responce").get("searchorderinfo_result") or {}
        items = r.get("orderInfoList") or []
        total = int(r.get("orderTotal") or 0)
        return Page([text(o) for o in items], page * PAGE_SIZE < total, total)

    def confirm(
        self,
        call: Call,
        channel: str,
        external_id: str,
        waybills: Sequence[tuple[str, str]],
        sub_ids: Sequence[str],
    ) -> bool:
        by_company: dict[str, list[str]] = {}
        for waybill, company in waybills:
            by_company.setdefault(company, []).append(waybill)
        params = {
            "orderId": external_id,
            "logiCoprId": "|".join(by_company),
            "logiNo": "|".join(",".join(w) for w in by_company.values()),
        }
        body = call("jingdong.pop.order.shipment", params)
        r = inner(body, "jingdong_pop_order_shipment_responce").get("sopjosshipment_result") or {}
        return bool(r.get("success"))

    def update_quantity(self, call: Call, channel: str, item_id: str, sku_id: str, quantity: int) -> None:
        # Every JD ware sells through SKUs: a listing without a SKU id names the SKU as its item.
        body = call(_STOCK, {"skuId": number(sku_id or item_id), "stockNum": quantity})
        key = _STOCK.replace(".", "_")
        answer = body.get(key + "_responce", body.get(key + "_response"))
        if not isinstance(answer, dict):
            raise PlatformError(
                "transient", "no_envelope", f"no {key}_responce in the answer / 应答缺少 {key}"
            )
        if answer.get("success") is not True:
            raise PlatformError("refused", "not_success", "JD did not set the stock / 京东未更新库存")
