"""Cancelling an electronic waybill (电子面单) at the platform that issued it: what Ordo can
tell a platform when an order it will not ship had its waybill taken already (the order
was cancelled in Ordo, or held and intercepted after its release) and the carrier has not
collected the parcel.

========== ======================================== ======================================
platform   call                                     answer
========== ======================================== ======================================
taobao     ``cainiao.waybill.ii.cancel``            ``cainiao_waybill_ii_cancel_response``
tmall      (``cp_code``, ``waybill_code``)          ``cancel_result``
douyin     ``logistics.cancelOrder``                ``data.cancel_result.success``; an
           (``logistics_code``, ``track_no``)       already cancelled waybill
                                                    (isv.business-failed:10801 / 10901 /
                                                    1102) counts as done, one collected
                                                    (10802, 1105 …) is refused
========== ======================================== ======================================

Pinduoduo (``pdd.waybill.cancel``) and Kuaishou (``open.express.ebill.cancel``) document
the same call, but with their waybill services' own carrier codes (``wp_code``,
``expressCompanyCode``), which ``logistics.json`` does not hold (it holds the shipping
companies' ids): they are not cancelled here. No platform documents a call by which a
seller cancels a paid order or intercepts a collected parcel without the buyer's
after-sale request (Douyin's ``afterSale.applyLogisticsIntercept`` needs its
``after_sale_id``).

Pure request building over a :data:`~ordo.adapters.platforms.parcels.Call`; no store, no clock.
"""

from __future__ import annotations

from ordo.adapters.platforms.client import PlatformError
from ordo.adapters.platforms.parcels import Call

#: Platforms whose e-waybills Ordo cancels.
CANCELS = frozenset({"taobao", "tmall", "douyin"})
#: Douyin's answers that say the waybill is cancelled already (a retry after a lost answer).
_DOUYIN_DONE = ("10801", "10901", "1102", "8037")


def cancel_waybill(call: Call, channel: str, waybill: str, company: str) -> None:
    """Cancel one e-waybill; returns normally when the platform cancelled it (or had)."""
    if channel in ("taobao", "tmall"):
        body = call("cainiao.waybill.ii.cancel", {"cp_code": company, "waybill_code": waybill})
        answer = body.get("cainiao_waybill_ii_cancel_response")
        if not isinstance(answer, dict) or not answer.get("cancel_result"):
            raise PlatformError("refused", "not_cancelled", "the platform did not cancel it / 平台未取消面单")
        return
    if channel == "douyin":
        try:
            body = call("logistics.cancelOrder", {"logistics_code": company, "track_no": waybill})
        except PlatformError as exc:
            if exc.code.startswith("isv.business-failed"):
                if exc.code.rpartition(":")[2] in _DOUYIN_DONE:
                    return
                raise PlatformError("refused", exc.code, exc.message) from None  # collected: final
            raise
        result = (body.get("data") or {}).get("cancel_result") or {}
        if not result.get("success"):
            raise PlatformError("refused", "not_cancelled", "the platform did not cancel it / 平台未取消面单")
        return
    raise PlatformError(
        "refused", "unsupported", f"no waybill cancel for {channel!r} / 渠道「{channel}」不支持取消面单"
    )
