"""JD POP (京东 POP 商家): an order as ``jingdong.pop.order.get`` / the order push returns it.

Fields per the POP ``orderInfo``: ``orderId``, ``orderState``, ``orderStartTime``,
``paymentConfirmTime``, ``orderEndTime``, ``modified`` (``yyyy-MM-dd HH:mm:ss``,
GMT+8); amounts in yuan as decimal strings (``orderTotalPrice``, ``orderPayment``,
``freightPrice``, ``sellerDiscount``); ``orderRemark`` (buyer's remark);
``consigneeInfo`` (``fullname``, ``mobile``, ``telephone``, ``province``, ``city``,
``county``, ``town``, ``fullAddress``; masked or encrypted since 2021) and
``itemInfoList[]`` (``skuId``, ``outerSkuId``, ``wareId``, ``skuName``, ``jdPrice``,
``itemTotal``). ``open_id_buyer`` / ``pin`` name the buyer. POP orders reach the
merchant once paid, so the first state a merchant sees already means *paid*.

The payload may be the answer of ``jingdong.pop.order.get``
(``jingdong_pop_order_get_responce.orderDetailInfo.orderInfo``, refused with the platform's
words when ``apiResult.success`` is false), one element of ``jingdong.pop.order.search``
(``…_responce.searchorderinfo_result.orderInfoList[0]``), or the bare ``orderInfo``.
``couponDetailList[]`` (``skuId``, ``couponType``, ``couponPrice``) spreads discounts:
those naming a ``skuId`` are that line's, the rest the order's. ``orderEndTime`` is
``0000-00-00 00:00:00`` until the order ends; ``modified`` may only be inside
``orderExt`` (JSON in a string, epoch ms). ``venderRemark`` is the seller's note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordo.adapters.channels.base import (
    ChannelLine,
    ChannelOrder,
    M,
    RawAddress,
    identifier,
    identifiers,
    is_masked,
    phone_identifier,
    receiver_tags,
    steps_for,
)
from ordo.adapters.channels.envelopes import ONE, Path, open_envelope, orders_in
from ordo.adapters.channels.values import Reader, embedded_json
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import IdentifierKind

_PAID = (M.CREATED, M.PAID)
STATUSES: Mapping[str, tuple[Milestone, ...]] = {
    "WAIT_SELLER_STOCK_OUT": _PAID,  # 等待出库
    "LOCKED": _PAID,  # 已锁定 (a cancel request is being decided)
    "POP_ORDER_PAUSE": _PAID,  # 暂停
    "WAIT_SEND_CODE": _PAID,  # 等待发码 (virtual goods)
    "WAIT_SELLER_DELIVERY": (*_PAID, M.OUTBOUND),  # 等待发货 (SOPL: left the warehouse)
    "WAIT_GOODS_RECEIVE_CONFIRM": (*_PAID, M.OUTBOUND),  # 等待确认收货
    "FINISHED_L": (*_PAID, M.OUTBOUND, M.DELIVERED, M.COMPLETED),  # 完成
    "TRADE_CANCELED": (M.CREATED, M.CANCELLED),  # 取消
}


_PATHS: tuple[Path, ...] = (
    ("jingdong_pop_order_get_responce", "orderDetailInfo", "orderInfo"),
    ("jingdong_pop_order_search_responce", "searchorderinfo_result", "orderInfoList", ONE),
    ("jingdong_pop_order_enSearch_responce", "searchorderinfo_result", "orderInfoList", ONE),
    ("orderDetailInfo", "orderInfo"),
    ("orderInfo",),
)


def _line_discounts(r: Reader, o: Mapping[str, Any]) -> dict[str, int]:
    """``couponDetailList`` amounts that name a SKU, summed per SKU (fen)."""
    out: dict[str, int] = {}
    for i, coupon in enumerate(r.items(o, "couponDetailList", required=False)):
        sku = str(coupon.get("skuId") or "")
        if sku:
            fen = r.yuan(coupon, "couponPrice", at=f"couponDetailList[{i}]", default=0)
            out[sku] = out.get(sku, 0) + fen
    return out


class JdAdapter:
    channel = "jd"
    statuses = STATUSES

    def orders_in(self, payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Each order in a list / increment answer (one payload is one order for ``parse``)."""
        return orders_in(payload, _PATHS)

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        r = Reader()
        o = open_envelope(payload, _PATHS)
        order_id = r.ident(o, "orderId")
        status = r.text(o, "orderState")
        implied = STATUSES.get(status)
        if status and implied is None:
            r.fail("unknown_status", "orderState", f"unknown order state {status!r} / 未知订单状态")
        complete = "itemInfoList" in o
        created = r.time(o, "orderStartTime", required=complete) or 0
        paid = r.time(o, "paymentConfirmTime", required=False)
        end = r.time(o, "orderEndTime", required=False)
        modified = r.time(o, "modified", required=False)
        if modified is None and "orderExt" in o:
            ext = embedded_json(o["orderExt"])
            if isinstance(ext, dict):
                modified = r.time(ext, "modified", at="orderExt", required=False)
        if modified is None:
            modified = created
            if not created:
                r.fail("missing_field", "modified", "required / 必填字段缺失")
        times = {M.CREATED: created, M.PAID: paid, M.DELIVERED: end, M.COMPLETED: end, M.CANCELLED: end}
        lines: list[ChannelLine] = []
        consignee: Mapping[str, Any] = {}
        if complete:
            consignee = r.obj(o, "consigneeInfo")
            per_line = _line_discounts(r, o) if "couponDetailList" in o else {}
            for i, item in enumerate(r.items(o, "itemInfoList")):
                where = f"itemInfoList[{i}]"
                price = r.yuan(item, "jdPrice", at=where)
                skus = tuple([str(item[k]) for k in ("outerSkuId", "skuId", "wareId") if item.get(k)])
                if not skus:
                    r.fail("missing_field", f"{where}.skuId", "no SKU id / 缺少商品编码")
                # Positional (skus, quantity, unit price, discount, gift, title, line id): per line.
                # JD confirms per order; its line id is the SKU (no sub-order id).
                sku_id = str(item.get("skuId") or "")
                lines.append(
                    ChannelLine(
                        skus,
                        r.count(item, "itemTotal", at=where),
                        price,
                        per_line.pop(sku_id, 0) if per_line else 0,
                        price == 0,
                        r.text(item, "skuName", at=where, required=False),
                        sku_id,
                    )
                )
        freight = r.yuan(o, "freightPrice", default=0)
        total = r.yuan(o, "orderPayment") if complete else None
        r.check()
        assert implied is not None
        phone = str(consignee.get("mobile") or consignee.get("telephone") or "")
        buyer = str(o.get("open_id_buyer") or o.get("pin") or "")
        # A masked pin (jd_****8a1) is kept as a masked identifier, never made a customer ref.
        ref = "" if is_masked(buyer) else buyer
        # Positional (province, city, district, street, detail, text, name, phone): per payload.
        address = RawAddress(
            str(consignee.get("province") or ""), str(consignee.get("city") or ""),
            str(consignee.get("county") or ""), str(consignee.get("town") or ""), "",
            str(consignee.get("fullAddress") or ""), str(consignee.get("fullname") or ""), phone,
        )  # fmt: skip
        remark = str(o.get("orderRemark") or "")
        seller = str(o.get("venderRemark") or "")
        if seller:
            remark = f"{remark}\n[商家备注 / seller] {seller}" if remark else f"[商家备注 / seller] {seller}"
        ids = identifiers(phone_identifier(phone), identifier(IdentifierKind.BUYER_ID, buyer))
        # Positional, in ChannelOrder's field order (no order-level discount): one per payload.
        return ChannelOrder(
            self.channel, order_id, status, steps_for(implied, times, modified), complete, tuple(lines),
            address, created, paid, freight, total, 0, remark, ref, ids, receiver_tags(address),
        )  # fmt: skip
