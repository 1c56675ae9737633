"""Xiaohongshu (小红书 ark, ``/ark/open_api/v3/common_controller``): one JSON body with the
system parameters (``method``, ``appId``, ``timestamp``, ``version``, ``sign`` as
:func:`.signing.xiaohongshu_sign` describes), the ``accessToken`` and the business ones.

* list: ``order.getOrderList`` (``startTime`` / ``endTime``, ``timeType`` 2: updated; at
  most 30 minutes) names orders and statuses only; each is read with ``order.getOrderDetail``;
* shipment: ``order.orderDeliver`` (``expressNo``, ``expressCompanyCode``).

Answers are ``{success, code, msg, data}``; ``success`` true (or ``code`` 0) is success.
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
    Request,
    classify,
    text,
)

_AUTH = frozenset({"-1001", "-1002", "-1003"})
_THROTTLED = frozenset({"-1010", "429"})


class XiaohongshuApi(PlatformApi):
    max_window_s = 1_800

    def request(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> Request:
        system = {"method": method, "appId": creds.app_key, "timestamp": str(now_s), "version": "2.0"}
        body: dict[str, Any] = {**system, "sign": signing.xiaohongshu_sign(system, creds.app_secret)}
        body |= {"accessToken": creds.session, **biz}
        return Request(
            creds.endpoint.rstrip("/") + "/ark/open_api/v3/common_controller", json=text(body), query={}
        )

    def check(self, body: Mapping[str, Any]) -> None:
        code = str(body.get("code", ""))
        if body.get("success") is not True and code != "0":
            raise classify(code, str(body.get("msg") or ""), _AUTH, _THROTTLED)

    def list_page(self, call: Call, channel: str, start_s: int, end_s: int, page: int, cursor: str) -> Page:
        body = call(
            "order.getOrderList",
            {"startTime": start_s, "endTime": end_s, "timeType": 2, "pageNo": page, "pageSize": PAGE_SIZE},
        )
        d = body.get("data") or {}
        ids = tuple(str(o.get("orderId")) for o in d.get("orderList") or [] if isinstance(o, dict))
        return Page([], page < int(d.get("maxPageNo") or 0), int(d.get("total") or 0), "", ids)

    def order_detail(self, call: Call, channel: str, order_id: str) -> str:
        body = call("order.getOrderDetail", {"orderId": order_id})
        return text({"success": True, "code": 0, "data": body.get("data") or {}})

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
            "order.orderDeliver",
            {"orderId": external_id, "expressNo": waybill, "expressCompanyCode": company},
        )
        return True
