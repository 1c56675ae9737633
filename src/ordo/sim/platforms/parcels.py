"""The emulated platforms' split-parcel calls (see :mod:`ordo.adapters.platforms.parcels`).

A parcel names the order's lines it holds, and the emulator checks them against the order
it generated: a line id the order does not have, or more units than the line holds, is
refused as a bad parameter. Each parcel acknowledged is kept with its lines in
``Emulator.parcels`` ((shop, external id, waybill) → line ids) beside the plain shipments
(``shipped``, ``acks``), a parcel asked twice (a retry) once.

TOP ``taobao.logistics.offline.send`` with ``is_split=1`` / ``sub_tid``; Douyin
``order.logisticsAddSinglePack``; Youzan ``youzan.logistics.online.confirm`` with ``oids``;
WeChat Channels ``/channels/ec/order/delivery/send`` with ``product_infos``; Pinduoduo
``pdd.order.upload.extra.logistics`` (extra waybills of an order already shipped).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ordo.sim.platforms.emulator import Emulator, _ShopState


def answer(
    emu: Emulator, platform: str, method: str, st: _ShopState, biz: Mapping[str, Any], now_ns: int
) -> dict[str, Any] | None:
    """The answer to a split-parcel call, or None when the call is not one (the emulator's
    own handling answers it)."""
    from ordo.sim.platforms.emulator import _error, _shipped

    try:
        found = _parcels(emu, method, st, biz)
    except (KeyError, ValueError, TypeError, AttributeError):
        return _error(platform, "missing")
    if found is None:
        return None
    ext, parcels = found
    index = _index(emu, st, ext)
    if index is None or not parcels:
        return _error(platform, "missing")
    if method == "pdd.order.upload.extra.logistics":
        if not st.shipped.get(ext):  # extra waybills of an order not shipped yet
            return _error(platform, "missing")
        for waybill, company, _ in parcels:
            _record(emu, st, ext, waybill, company, (), now_ns)
        return {"order_upload_extra_logistics_response": {"success": True}}
    units = _lines(st.spec.channel, emu.order(st.spec.shop_id, index))
    for waybill, company, lines in parcels:
        if not waybill or not company or not lines:
            return _error(platform, "missing")
        if any(units.get(line_id, 0) < n for line_id, n in lines):
            return _error(platform, "missing")  # not a line of this order, or more than it holds
    for waybill, company, lines in parcels:
        _record(emu, st, ext, waybill, company, tuple(i for i, _ in lines), now_ns)
    if method == "order.logisticsAddSinglePack":
        return {"code": 10000, "msg": "success", "data": {"pack_id": f"P{ext}-{parcels[0][0]}"}}
    return _shipped(platform)


Parsed = tuple[str, list[tuple[str, str, list[tuple[str, int]]]]]


def _parcels(emu: Emulator, method: str, st: _ShopState, biz: Mapping[str, Any]) -> Parsed | None:
    """(external id, [(waybill, company, [(line id, units)])]) of a split-parcel call."""
    if method == "taobao.logistics.offline.send" and str(biz.get("is_split", "")) == "1":
        ids = [i for i in str(biz.get("sub_tid", "")).split(",") if i]
        lines = [(i, 1) for i in ids]
        return str(biz["tid"]), [(str(biz.get("out_sid", "")), str(biz.get("company_code", "")), lines)]
    if method == "order.logisticsAddSinglePack":
        (ext,) = biz["order_id_list"]
        lines = [(str(s["shipped_order_id"]), int(s["shipped_num"])) for s in biz["shipped_order_info"]]
        return str(ext), [(str(biz.get("logistics_code", "")), str(biz.get("company_code", "")), lines)]
    if method == "youzan.logistics.online.confirm" and biz.get("oids"):
        lines = [(i, 1) for i in str(biz["oids"]).split(",") if i]
        return str(biz["tid"]), [(str(biz.get("out_sid", "")), str(biz.get("out_stype", "")), lines)]
    if method == "/channels/ec/order/delivery/send":
        delivery: Sequence[Mapping[str, Any]] = biz.get("delivery_list") or []
        if not any(d.get("product_infos") for d in delivery):
            return None
        parcels = [
            (
                str(d.get("waybill_id", "")),
                str(d.get("delivery_id", "")),
                [
                    (f"{x['product_id']}:{x['sku_id']}", int(x.get("product_cnt", 1)))
                    for x in d["product_infos"]
                ],
            )
            for d in delivery
        ]
        return str(biz["order_id"]), parcels
    if method == "pdd.order.upload.extra.logistics":
        tracks = json.loads(str(biz["extra_track_list"]))
        extra: list[tuple[str, str, list[tuple[str, int]]]] = [
            (str(t["tracking_number"]), str(t["shipping_id"]), []) for t in tracks
        ]
        return str(biz["order_sn"]), list(extra)
    return None


def _lines(channel: str, order: Mapping[str, Any]) -> dict[str, int]:
    """Line id → units of a generated order (a line whose units are not checked: a large count)."""
    if channel in ("taobao", "tmall"):
        return {str(o["oid"]): 1 << 30 for o in order["orders"]["order"]}
    if channel == "douyin":
        return {str(o["order_id"]): int(o["item_num"]) for o in order["sku_order_list"]}
    if channel == "youzan":
        return {str(o["oid"]): 1 << 30 for o in order["orders"]}
    if channel == "wechat_channels":
        products = order["order_detail"]["product_infos"]
        return {f"{p['product_id']}:{p['sku_id']}": int(p["sku_cnt"]) for p in products}
    return {}


def _index(emu: Emulator, st: _ShopState, external_id: str) -> int | None:
    """The index of one of the shop's orders by its external id."""
    shop = st.spec.shop_id
    for width in (7, 10, 12):
        digits = external_id[-width:]
        if not digits.isdigit():
            continue
        index = int(digits)
        if 0 <= index < emu.visible(shop) and emu.external_id(shop, index) == external_id:
            return index
    return None


def _record(
    emu: Emulator, st: _ShopState, ext: str, waybill: str, company: str, lines: tuple[str, ...], now_ns: int
) -> None:
    known = st.shipped.setdefault(ext, [])
    if (waybill, company) not in known:
        known.append((waybill, company))
        emu.acks.append((st.spec.shop_id, ext, waybill, now_ns))
    emu.parcels[(st.spec.shop_id, ext, waybill)] = lines
