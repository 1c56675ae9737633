"""Pinduoduo (拼多多): ``order_info`` as ``pdd.order.information.get`` returns it.

Fields: ``order_sn``; the state is three codes together — ``order_status`` (发货状态:
1 待发货, 2 已发货待签收, 3 已签收), ``refund_status`` (1 无售后, 2 售后处理中,
3 退款中, 4 退款成功) and ``confirm_status`` (0 未成交, 1 已成交, 2 已取消);
``created_time``, ``confirm_time``, ``pay_time``, ``shipping_time``,
``receive_time``, ``updated_at`` (``yyyy-MM-dd HH:mm:ss``, GMT+8); amounts in yuan
as JSON numbers (``goods_amount``, ``pay_amount``, ``postage``, ``discount_amount``);
``buyer_memo``; ``province`` / ``city`` / ``town`` (区县) / ``address``; receiver
``receiver_name`` / ``receiver_phone`` as ciphertext (``~…~``) with masked twins
(``receiver_phone_mask``); ``item_list[]`` (``goods_id``, ``sku_id``, ``outer_id``,
``outer_goods_id``, ``goods_count``, ``goods_price``, ``goods_name``) and
``gift_list[]`` (the same ids, free).

The payload may be the answer of ``pdd.order.information.get``
(``order_info_get_response.order_info``), one element of ``pdd.order.list.get`` /
``pdd.order.number.list.increment.get`` (``order_list_get_response.order_list[0]``,
``order_sn_increment_get_response.order_sn_list[0]``), or the bare ``order_info``.
Yuan JSON numbers (``19.99``) are read from the JSON text as decimals, never as binary
floats times 100. Empty times (``""``) and placeholders mean "not yet".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordo.adapters.channels.base import (
    ChannelLine,
    ChannelOrder,
    M,
    RawAddress,
    identifiers,
    phone_identifier,
    receiver_tags,
    steps_for,
)
from ordo.adapters.channels.envelopes import ONE, Path, open_envelope, orders_in
from ordo.adapters.channels.values import Reader
from ordo.domain.orders.milestones import Milestone

_PAID = (M.CREATED, M.PAID)
#: Keys are ``order_status``, or the refund / confirm states that override it.
STATUSES: Mapping[str, tuple[Milestone, ...]] = {
    "1": _PAID,  # 待发货 (merchants see PDD orders once paid)
    "2": (*_PAID, M.OUTBOUND),  # 已发货待签收
    "3": (*_PAID, M.OUTBOUND, M.DELIVERED),  # 已签收
    "refunded": (*_PAID, M.CANCELLED),  # refund_status 4 before shipping: the order is off
    "refunded_after_shipping": (*_PAID, M.OUTBOUND, M.REFUNDED),
    "closed": (M.CREATED, M.CANCELLED),  # confirm_status 2 (已取消)
}


_PATHS: tuple[Path, ...] = (
    ("order_info_get_response", "order_info"),
    ("order_list_get_response", "order_list", ONE),
    ("order_sn_increment_get_response", "order_sn_list", ONE),
)


def _status_key(order_status: str, refund_status: str, confirm_status: str) -> str:
    if confirm_status == "2":
        return "closed"
    if refund_status == "4":
        return "refunded" if order_status == "1" else "refunded_after_shipping"
    return order_status


class PinduoduoAdapter:
    channel = "pinduoduo"
    statuses = STATUSES

    def orders_in(self, payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Each order in a list / increment answer (one payload is one order for ``parse``)."""
        return orders_in(payload, _PATHS)

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        r = Reader()
        o = open_envelope(payload, _PATHS)
        order_sn = r.ident(o, "order_sn")
        raw_status = r.text(o, "order_status")
        key = _status_key(
            raw_status,
            r.text(o, "refund_status", required=False),
            r.text(o, "confirm_status", required=False),
        )
        implied = STATUSES.get(key)
        if raw_status and implied is None:
            r.fail("unknown_status", "order_status", f"unknown order_status {raw_status!r} / 未知订单状态")
        complete = "item_list" in o
        created = r.time(o, "created_time", required=complete) or 0
        paid = r.time(o, "pay_time", required=False) or r.time(o, "confirm_time", required=False)
        updated = r.time(o, "updated_at", required=not created) or created
        received = r.time(o, "receive_time", required=False)
        times = {
            M.CREATED: created,
            M.PAID: paid,
            M.OUTBOUND: r.time(o, "shipping_time", required=False),
            M.DELIVERED: received,
        }
        lines: list[ChannelLine] = []
        if complete:
            for i, item in enumerate(r.items(o, "item_list")):
                lines.append(self._line(r, item, f"item_list[{i}]", gift=False))
            for i, item in enumerate(r.items(o, "gift_list", required=False)):
                lines.append(self._line(r, item, f"gift_list[{i}]", gift=True))
        freight = r.yuan(o, "postage", default=0)
        total = r.yuan(o, "pay_amount") if complete else None
        r.check()
        assert implied is not None
        phone = str(o.get("receiver_phone") or o.get("receiver_phone_mask") or "")
        # Positional (province, city, district, street, detail, text, name, phone): per payload.
        address = RawAddress(
            str(o.get("province") or ""), str(o.get("city") or ""), str(o.get("town") or ""), "",
            str(o.get("address") or o.get("receiver_address") or o.get("address_mask") or ""), "",
            str(o.get("receiver_name") or o.get("receiver_name_mask") or ""), phone,
        )  # fmt: skip
        # Positional, in ChannelOrder's field order (no order-level discount, no buyer): per payload.
        return ChannelOrder(
            self.channel, order_sn, key, steps_for(implied, times, updated), complete, tuple(lines),
            address, created, paid, freight, total, 0, str(o.get("buyer_memo") or ""), "",
            identifiers(phone_identifier(phone)), receiver_tags(address),
        )  # fmt: skip

    @staticmethod
    def _line(r: Reader, item: Mapping[str, Any], where: str, *, gift: bool) -> ChannelLine:
        skus = tuple(
            [str(item[k]) for k in ("outer_id", "sku_id", "outer_goods_id", "goods_id") if item.get(k)]
        )
        if not skus:
            r.fail("missing_field", f"{where}.sku_id", "no SKU id / 缺少商品编码")
        price = 0 if gift else r.yuan(item, "goods_price", at=where)
        # Positional (skus, quantity, unit price, discount, gift, title, line id): per line.
        # No sub-orders (PDD ships an order whole): the line id is the SKU.
        return ChannelLine(
            skus,
            r.count(item, "goods_count", at=where),
            price,
            0,
            gift or price == 0,
            r.text(item, "goods_name", at=where, required=False),
            str(item.get("sku_id") or ""),
        )
