"""Douyin shop (抖店): ``shop_order_detail`` as ``order.orderDetail`` / the order push returns it.

Fields: ``order_id``, ``order_status`` (1 待确认/待支付, 103 部分支付, 105 已支付,
2 备货中, 101 部分发货, 3 已发货, 4 已取消, 5 已完成), ``create_time``, ``pay_time``,
``ship_time``, ``finish_time``, ``update_time`` (epoch seconds); amounts in fen as
integers (``order_amount``, ``pay_amount``, ``post_amount``); ``buyer_words``;
``doudian_open_id``; the receiver encrypted (``encrypt_post_tel``,
``encrypt_post_receiver``) with masked twins (``mask_post_tel``) and ``post_addr``
(``province/city/town/street`` objects with ``name``, and ``detail``);
``sku_order_list[]`` (``sku_id``, ``out_sku_id``, ``code``, ``product_id``,
``item_num``, ``origin_amount`` (unit price × quantity), ``promotion_amount``,
``given_product_type`` = ``FREE`` for gifts, ``product_name``).

The payload may be the answer of ``order.orderDetail``
(``{"code": 10000, "data": {"shop_order_detail": …}}``; another ``code`` is refused with
the platform's ``msg`` / ``sub_msg``), one element of ``order.searchList``
(``data.shop_order_list[0]``), or the bare ``shop_order_detail``. Order ids pass 2^53
(read as text or exact integers). A sku order cancelled on its own (its ``order_status``
4) before the order shipped is left out, its ``pay_amount`` off the paid total; one whose
``after_sale_info.refund_status`` is 3 (refunded) after shipping stays, tagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordo.adapters.channels.base import (
    LINE_REFUNDED,
    PARTIALLY_SHIPPED,
    REFUND_AFTER_SHIPPING,
    ChannelLine,
    ChannelOrder,
    M,
    RawAddress,
    identifier,
    identifiers,
    phone_identifier,
    receiver_tags,
    steps_for,
)
from ordo.adapters.channels.envelopes import ONE, Path, open_envelope, orders_in
from ordo.adapters.channels.values import Reader
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import IdentifierKind

_PAID = (M.CREATED, M.PAID)
STATUSES: Mapping[str, tuple[Milestone, ...]] = {
    "1": (M.CREATED,),  # 待确认/待支付
    "103": (M.CREATED,),  # 部分支付
    "105": _PAID,  # 已支付
    "2": _PAID,  # 备货中
    "101": _PAID,  # 部分发货
    "3": (*_PAID, M.OUTBOUND),  # 已发货
    "4": (M.CREATED, M.CANCELLED),  # 已取消
    "5": (*_PAID, M.OUTBOUND, M.DELIVERED, M.COMPLETED),  # 已完成
}


_PATHS: tuple[Path, ...] = (
    ("data", "shop_order_detail"),
    ("data", "shop_order_list", ONE),
    ("shop_order_detail",),
)
_SHIPPED = frozenset({"3", "5"})


def _name(part: Any) -> str:
    if isinstance(part, dict):
        return str(part.get("name") or "")
    return str(part or "")


class DouyinAdapter:
    channel = "douyin"
    statuses = STATUSES

    def orders_in(self, payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Each order in a list / increment answer (one payload is one order for ``parse``)."""
        return orders_in(payload, _PATHS)

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        r = Reader()
        o = open_envelope(payload, _PATHS)
        order_id = r.ident(o, "order_id")
        status = r.text(o, "order_status")
        implied = STATUSES.get(status)
        if status and implied is None:
            r.fail("unknown_status", "order_status", f"unknown order_status {status!r} / 未知订单状态")
        complete = "sku_order_list" in o
        created = r.time(o, "create_time", required=complete) or 0
        paid = r.time(o, "pay_time", required=False)
        finished = r.time(o, "finish_time", required=False)
        updated = r.time(o, "update_time", required=not created) or created
        times = {
            M.CREATED: created,
            M.PAID: paid,
            M.OUTBOUND: r.time(o, "ship_time", required=False),
            M.DELIVERED: finished,
            M.COMPLETED: finished,
        }
        lines: list[ChannelLine] = []
        addr: Mapping[str, Any] = {}
        refunded_fen = 0
        tags: list[str] = [PARTIALLY_SHIPPED] if status == "101" else []
        if complete:
            addr = r.obj(o, "post_addr")
            for i, item in enumerate(r.items(o, "sku_order_list")):
                where = f"sku_order_list[{i}]"
                qty = r.count(item, "item_num", at=where)
                origin = r.fen(item, "origin_amount", at=where)
                if qty and origin % qty:
                    r.fail("bad_amount", f"{where}.origin_amount",
                           "not a whole number of fen per unit / 单价不是整数分")  # fmt: skip
                skus = tuple(
                    [str(item[k]) for k in ("out_sku_id", "code", "sku_id", "product_id") if item.get(k)]
                )
                if not skus:
                    r.fail("missing_field", f"{where}.sku_id", "no SKU id / 缺少商品编码")
                own = str(item.get("order_status") or "")
                if own == "4" and status != "4":  # this sku order alone was cancelled (refunded)
                    refunded_fen += r.fen(item, "pay_amount", at=where, default=0)
                    tags.append(LINE_REFUNDED)
                    continue
                after = item.get("after_sale_info")
                refunded = isinstance(after, dict) and str(after.get("refund_status") or "") == "3"
                if refunded and (own in _SHIPPED or status in _SHIPPED):
                    tags.append(REFUND_AFTER_SHIPPING)
                # Positional (skus, quantity, unit price, discount, gift, title, line id): per line;
                # the line id is the SKU order (子订单).
                lines.append(
                    ChannelLine(
                        skus,
                        qty,
                        origin // qty if qty else 0,
                        r.fen(item, "promotion_amount", at=where, default=0),
                        item.get("given_product_type") == "FREE" or origin == 0,
                        r.text(item, "product_name", at=where, required=False),
                        str(item.get("order_id") or ""),
                    )
                )
        freight = r.fen(o, "post_amount", default=0)
        total = r.fen(o, "pay_amount") - refunded_fen if complete else None
        r.check()
        assert implied is not None
        phone = str(o.get("encrypt_post_tel") or o.get("post_tel") or o.get("mask_post_tel") or "")
        buyer = str(o.get("doudian_open_id") or "")
        receiver = o.get("encrypt_post_receiver") or o.get("post_receiver") or o.get("mask_post_receiver")
        # Positional (province, city, district, street, detail, text, name, phone): per payload.
        address = RawAddress(
            _name(addr.get("province")), _name(addr.get("city")), _name(addr.get("town")),
            _name(addr.get("street")), str(addr.get("detail") or addr.get("encrypt_detail") or ""), "",
            str(receiver or ""), phone,
        )  # fmt: skip
        ids = identifiers(phone_identifier(phone), identifier(IdentifierKind.BUYER_ID, buyer, masked=False))
        # Positional, in ChannelOrder's field order (no order-level discount): one per payload.
        return ChannelOrder(
            self.channel, order_id, status, steps_for(implied, times, updated), complete, tuple(lines),
            address, created, paid, freight, total, 0, str(o.get("buyer_words") or ""), buyer, ids,
            (*dict.fromkeys(tags), *receiver_tags(address)),
        )  # fmt: skip
