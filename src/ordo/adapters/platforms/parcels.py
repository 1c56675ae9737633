"""Split parcels as each platform allows: an order that leaves in several parcels (from
several warehouses) is confirmed parcel by parcel, each with the platform lines it holds.

    results = confirm_split(call, channel, external_id, parcels)   # one error or None each

========== ================================================================================
platform   a split parcel
========== ================================================================================
taobao     ``taobao.logistics.offline.send`` per parcel with ``is_split=1`` and ``sub_tid``
tmall      (the parcel's sub-order ``oid`` list, comma-separated)
douyin     ``order.logisticsAddSinglePack`` per parcel: ``order_id_list`` [the order],
           ``shipped_order_info`` [{``shipped_order_id`` (the SKU order), ``shipped_num``}],
           ``logistics_code``, ``company_code``, ``request_id`` (idempotent on retry)
youzan     ``youzan.logistics.online.confirm`` per parcel with ``oids`` (comma-separated)
wechat_    one ``/channels/ec/order/delivery/send``: every parcel in ``delivery_list`` with
channels   its ``product_infos`` [{``product_id``, ``sku_id``, ``product_cnt``}]
pinduoduo  no split: ``pdd.logistics.online.send`` with the first waybill, then the others
           as extra waybills, ``pdd.order.upload.extra.logistics`` (``extra_track_list``,
           ``extra_track_type`` 1 = 分包发货; shown to the buyer only)
========== ================================================================================

JD (``jingdong.pop.order.shipment`` takes every waybill of the order in ``logiNo``),
Kuaishou (one SKU per order) and Xiaohongshu document no per-line confirmation: their
orders are confirmed whole by :meth:`PlatformClient.confirm_shipment`.

Pure request building over a :data:`Call` (one signed call for one shop at one moment,
an error answer already raised as :class:`PlatformError`); no store, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple

from ordo.adapters.platforms.client import Credentials, PlatformClient, PlatformError

#: One signed call for one shop at one moment: (method, business parameters) → the answer.
Call = Callable[[str, Mapping[str, Any]], dict[str, Any]]

#: Platforms that confirm a parcel with the lines it holds.
BY_LINES = frozenset({"taobao", "tmall", "douyin", "youzan", "wechat_channels"})
#: Platforms with no split: the first waybill confirms the order, the others are extra waybills.
EXTRA_WAYBILLS = frozenset({"pinduoduo"})


class Parcel(NamedTuple):
    waybill: str
    #: The platform's logistics company id.
    company: str
    #: (platform line id, units) of each line the parcel holds; empty: not known.
    lines: tuple[tuple[str, int], ...] = ()


def splits(channel: str, parcels: Sequence[Parcel]) -> bool:
    """Whether these parcels of a split order (each naming its lines) are confirmed here,
    parcel by parcel; else the order is confirmed whole. One parcel of a split order alone
    (the others confirmed already) is still a split parcel."""
    return bool(parcels) and channel in BY_LINES | EXTRA_WAYBILLS and all(p.lines for p in parcels)


def bound_call(client: PlatformClient, creds: Credentials, now_s: int) -> Call:
    """The client's signed call for one shop at one moment."""
    return lambda method, biz: client._call(creds, method, biz, now_s)


def confirm_split(
    call: Call, channel: str, external_id: str, parcels: Sequence[Parcel]
) -> list[PlatformError | None]:
    """Confirm each parcel; per parcel, None when the platform acknowledged it (or already
    knew it), else the error. A parcel confirmed before (a retry) counts as acknowledged."""
    one_by_one: dict[str, Callable[[Call, str, Parcel], None]] = {
        "taobao": _top,
        "tmall": _top,
        "douyin": _douyin,
        "youzan": _youzan,
    }
    confirm = one_by_one.get(channel)
    if confirm is not None:
        return [_each(partial(confirm, call, external_id, p)) for p in parcels]
    if channel == "wechat_channels":
        return [_each(lambda: _wechat(call, external_id, parcels))] * len(parcels)
    if channel == "pinduoduo":
        return _pdd(call, external_id, parcels)
    raise PlatformError(
        "refused", "unsupported", f"no split parcels for {channel!r} / 渠道「{channel}」不支持拆包回传"
    )


def _each(send: Callable[[], None]) -> PlatformError | None:
    try:
        send()
    except PlatformError as exc:
        return None if exc.code == "already_shipped" else exc
    return None


def _ids(parcel: Parcel) -> str:
    return ",".join(dict.fromkeys(i for i, _ in parcel.lines))


def _not_confirmed() -> PlatformError:
    return PlatformError("refused", "not_success", "the platform did not confirm / 平台未确认发货")


def _top(call: Call, external_id: str, p: Parcel) -> None:
    params = {
        "tid": external_id,
        "out_sid": p.waybill,
        "company_code": p.company,
        "is_split": "1",
        "sub_tid": _ids(p),
    }
    body = call("taobao.logistics.offline.send", params)
    answer = body.get("logistics_offline_send_response")
    if not isinstance(answer, dict) or not (answer.get("shipping") or {}).get("is_success"):
        raise _not_confirmed()


def _douyin(call: Call, external_id: str, p: Parcel) -> None:
    units: dict[str, int] = {}
    for line_id, qty in p.lines:  # a line cut over parcels appears once per parcel
        units[line_id] = units.get(line_id, 0) + qty
    call(
        "order.logisticsAddSinglePack",
        {
            "order_id_list": [external_id],
            "shipped_order_info": [{"shipped_order_id": i, "shipped_num": n} for i, n in units.items()],
            "logistics_code": p.waybill,
            "company_code": p.company,
            # the same parcel asked twice (a retry after a lost answer) is answered, not shipped again
            "request_id": f"{external_id}-{p.waybill}"[:64],
        },
    )


def _youzan(call: Call, external_id: str, p: Parcel) -> None:
    body = call(
        "youzan.logistics.online.confirm",
        {
            "tid": external_id,
            "out_stype": p.company,
            "out_sid": p.waybill,
            "is_no_express": 0,
            "oids": _ids(p),
        },
    )
    if not (body.get("data") or {}).get("is_success", body.get("success")):
        raise _not_confirmed()


def _wechat(call: Call, external_id: str, parcels: Sequence[Parcel]) -> None:
    delivery = []
    for p in parcels:
        products = []
        for line_id, qty in p.lines:
            product, _, sku = line_id.partition(":")
            products.append({"product_id": _number(product), "sku_id": _number(sku), "product_cnt": qty})
        delivery.append(
            {"delivery_id": p.company, "waybill_id": p.waybill, "deliver_type": 1, "product_infos": products}
        )
    call("/channels/ec/order/delivery/send", {"order_id": _number(external_id), "delivery_list": delivery})


def _pdd_first(call: Call, external_id: str, p: Parcel) -> None:
    body = call(
        "pdd.logistics.online.send",
        {"order_sn": external_id, "logistics_id": p.company, "tracking_number": p.waybill},
    )
    if not (body.get("logistics_online_send_response") or {}).get("is_success"):
        raise _not_confirmed()


def _pdd(call: Call, external_id: str, parcels: Sequence[Parcel]) -> list[PlatformError | None]:
    """The first parcel's waybill ships the order; the others are extra waybills. An order
    shipped before (its first parcel confirmed, these retried) takes them all as extra."""
    extra = parcels[1:]
    try:
        _pdd_first(call, external_id, parcels[0])
    except PlatformError as exc:
        if exc.code != "already_shipped":
            return [exc] * len(parcels)
        extra = parcels
    err = _each(lambda: _pdd_extra(call, external_id, extra)) if extra else None
    return [None] * (len(parcels) - len(extra)) + [err] * len(extra)


def _pdd_extra(call: Call, external_id: str, extra: Sequence[Parcel]) -> None:
    tracks = [{"shipping_id": _number(p.company), "tracking_number": p.waybill} for p in extra]
    body = call(
        "pdd.order.upload.extra.logistics",
        {
            "order_sn": external_id,
            "extra_track_list": json.dumps(tracks, ensure_ascii=False, separators=(",", ":")),
            "extra_track_type": "1",  # 分包发货
        },
    )
    if not (body.get("order_upload_extra_logistics_response") or {}).get("success"):
        raise _not_confirmed()


def _number(value: str) -> int | str:
    """An id as a JSON number where it is all digits (the APIs type them int64)."""
    return int(value) if value.isdigit() else value
