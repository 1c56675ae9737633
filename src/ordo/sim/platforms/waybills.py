"""The emulated platforms' e-waybill cancellations (see
:mod:`ordo.adapters.platforms.waybill_cancel`): TOP ``cainiao.waybill.ii.cancel`` and
Douyin ``logistics.cancelOrder``.

A waybill of a parcel already confirmed as shipped is collected: refused (Douyin's
documented ``isv.business-failed:10802`` 该运单已取件; TOP's answer is the emulator's own,
an invalid-parameter error). Cancelling again is answered as TOP answers a success and as
Douyin documents a repeat (``isv.business-failed:10801``). Each cancellation is kept in
``Emulator.cancelled`` (shop, waybill, carrier code, emulated time ns), once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ordo.sim.platforms.emulator import Emulator, _ShopState

_COLLECTED: dict[str, dict[str, Any]] = {
    "top": {
        "error_response": {
            "code": 41,
            "msg": "Invalid arguments",
            "sub_code": "isv.invalid-parameter",
            "sub_msg": "面单已揽收，不能取消 / the parcel was collected",
            "request_id": "emulated",
        }
    },
    "douyin": {
        "code": 50002,
        "msg": "业务处理失败",
        "sub_code": "isv.business-failed:10802",
        "sub_msg": "该运单已取件，不允许取消",
        "data": {},
    },
}
_AGAIN = {"code": 50002, "msg": "业务处理失败", "sub_code": "isv.business-failed:10801",
          "sub_msg": "该运单已取消成功,请勿重复操作", "data": {}}  # fmt: skip


def answer(
    emu: Emulator, platform: str, method: str, st: _ShopState, biz: Mapping[str, Any], now_ns: int
) -> dict[str, Any] | None:
    """The answer to an e-waybill cancellation, or None when the call is not one."""
    from ordo.sim.platforms.emulator import _error

    if method == "cainiao.waybill.ii.cancel":
        waybill, company = str(biz.get("waybill_code", "")), str(biz.get("cp_code", ""))
    elif method == "logistics.cancelOrder":
        waybill, company = str(biz.get("track_no", "")), str(biz.get("logistics_code", ""))
    else:
        return None
    if not waybill or not company:
        return _error(platform, "missing")
    if any(waybill in w.split("|") for parcels in st.shipped.values() for w, _ in parcels):
        return _COLLECTED[platform]
    shop = st.spec.shop_id
    if any(s == shop and w == waybill for s, w, _, _ in emu.cancelled):
        if platform == "douyin":
            return _AGAIN
    else:
        emu.cancelled.append((shop, waybill, company, now_ns))
    if platform == "top":
        return {"cainiao_waybill_ii_cancel_response": {"cancel_result": True, "request_id": "emulated"}}
    return {"code": 10000, "msg": "success", "data": {"cancel_result": {"success": True}}}
