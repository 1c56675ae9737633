"""Youzan (有赞, ``/api/<method>/<version>``): a JSON body, the ``access_token`` in the
query; nothing is signed.

* list: ``youzan.trades.sold.get`` 4.0.4 (``start_update`` / ``end_update``, at most a day);
* shipment: ``youzan.logistics.online.confirm`` 3.0.0 (``out_stype``, ``out_sid``; ``oids``
  for a parcel of some lines);
* stock: ``youzan.item.quantity.update`` 3.0.0 (``item_id``, ``sku_id`` — left out for an
  item without SKUs —, ``quantity``, ``type`` 0: a full quantity, 1 a change; answer
  ``data.is_success``).

Answers are ``{success, code, message, data}``; ``success`` true (or ``code`` 200) is success.
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
    PlatformError,
    Request,
    classify,
    cst,
    number,
    text,
)

_AUTH = frozenset({"4201", "4202", "4203"})
_THROTTLED = frozenset({"429", "4291"})
#: Youzan's API versions of the calls Ordo makes (the version is part of the path).
_VERSIONS = {
    "youzan.trades.sold.get": "4.0.4",
    "youzan.logistics.online.confirm": "3.0.0",
    "youzan.item.quantity.update": "3.0.0",
}


class YouzanApi(PlatformApi):
    max_window_s = 86_400
    stock = True

    def request(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> Request:
        url = f"{creds.endpoint.rstrip('/')}/api/{method}/{_VERSIONS.get(method, '1.0.0')}"
        return Request(url, json=text(dict(biz)), query={"access_token": creds.session})

    def check(self, body: Mapping[str, Any]) -> None:
        code = str(body.get("code", ""))
        if body.get("success") is not True and code not in ("200", "0"):
            raise classify(code, str(body.get("message") or ""), _AUTH, _THROTTLED)

    def list_page(self, call: Call, channel: str, start_s: int, end_s: int, page: int, cursor: str) -> Page:
        body = call(
            "youzan.trades.sold.get",
            {"start_update": cst(start_s), "end_update": cst(end_s), "page_no": page, "page_size": PAGE_SIZE},
        )
        d = body.get("data") or {}
        items = d.get("full_order_info_list") or []
        total = int(d.get("total_results") or 0)
        return Page([text(o) for o in items], page * PAGE_SIZE < total, total)

    def confirm(
        self,
        call: Call,
        channel: str,
        external_id: str,
        waybills: Sequence[tuple[str, str]],
        sub_ids: Sequence[str],
    ) -> bool:
        waybill, company = waybills[0]
        yz: dict[str, Any] = {
            "tid": external_id,
            "out_stype": company,
            "out_sid": waybill,
            "is_no_express": 0,
        }
        if sub_ids:
            yz["oids"] = ",".join(sub_ids)
        body = call("youzan.logistics.online.confirm", yz)
        return bool((body.get("data") or {}).get("is_success", body.get("success")))

    def update_quantity(self, call: Call, channel: str, item_id: str, sku_id: str, quantity: int) -> None:
        biz: dict[str, Any] = {"item_id": number(item_id), "quantity": quantity, "type": 0}
        if sku_id:
            biz["sku_id"] = number(sku_id)
        body = call("youzan.item.quantity.update", biz)
        data = body.get("data")
        if not (data.get("is_success") if isinstance(data, dict) else data):
            raise PlatformError("refused", "not_success", "Youzan did not set the stock / 有赞未更新库存")
