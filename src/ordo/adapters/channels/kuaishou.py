"""Kuaishou shop (快手小店): an order as ``open.order.detail`` returns it.

Fields: ``orderBaseInfo`` (``oid``, ``status``: 10 待付款, 30 已付款, 40 已发货,
50 已签收, 70 订单成功, 80 订单失败; ``createTime``, ``payTime``, ``sendTime``,
``updateTime`` in epoch **milliseconds**; ``totalFee``, ``expressFee``,
``discountFee`` in fen; ``buyerOpenId``; ``remark``), ``orderItemInfo``
(one SKU per order: ``skuId``, ``relSkuId``, ``skuNick`` (merchant code), ``itemId``,
``num``, ``originalPrice``, ``itemTitle``) and ``orderAddress`` (``consignee``,
``mobile`` — encrypted — ``province``, ``city``, ``district``, ``town``, ``address``;
newer answers add ``encryptedConsignee`` / ``encryptedMobile`` / ``encryptedAddress`` with
masked twins ``desensitiseConsignee`` / ``desensitiseMobile`` / ``desensitiseAddress``).

The payload may be the answer of ``open.order.detail`` (``{"result": 1, "data": {…}}``;
another ``result`` is refused with its ``error_msg``), one element of
``open.order.cursor.list`` (``data.orderList[0]``), or the bare order. ``oid`` passes
2^53 (a JSON integer, read exactly).
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
    "10": (M.CREATED,),  # 待付款
    "30": _PAID,  # 已付款
    "40": (*_PAID, M.OUTBOUND),  # 已发货
    "50": (*_PAID, M.OUTBOUND, M.DELIVERED),  # 已签收
    "70": (*_PAID, M.OUTBOUND, M.DELIVERED, M.COMPLETED),  # 订单成功
    "80": (M.CREATED, M.CANCELLED),  # 订单失败 (closed)
}


_PATHS: tuple[Path, ...] = (("data", "orderList", ONE), ("data",))


class KuaishouAdapter:
    channel = "kuaishou"
    statuses = STATUSES

    def orders_in(self, payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Each order in a list / increment answer (one payload is one order for ``parse``)."""
        return orders_in(payload, _PATHS)

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        r = Reader()
        payload = open_envelope(payload, _PATHS)
        base = r.obj(payload, "orderBaseInfo")
        oid = r.ident(base, "oid", at="orderBaseInfo")
        status = r.text(base, "status", at="orderBaseInfo")
        implied = STATUSES.get(status)
        if status and implied is None:
            r.fail("unknown_status", "orderBaseInfo.status", f"unknown status {status!r} / 未知订单状态")
        complete = "orderItemInfo" in payload
        created = r.time(base, "createTime", at="orderBaseInfo", required=complete) or 0
        paid = r.time(base, "payTime", at="orderBaseInfo", required=False)
        updated = r.time(base, "updateTime", at="orderBaseInfo", required=not created) or created
        times = {
            M.CREATED: created,
            M.PAID: paid,
            M.OUTBOUND: r.time(base, "sendTime", at="orderBaseInfo", required=False),
        }
        lines: list[ChannelLine] = []
        addr: Mapping[str, Any] = {}
        if complete:
            item = r.obj(payload, "orderItemInfo")
            addr = r.obj(payload, "orderAddress")
            skus = tuple(str(item[k]) for k in ("skuNick", "relSkuId", "skuId", "itemId") if item.get(k))
            if not skus:
                r.fail("missing_field", "orderItemInfo.skuId", "no SKU id / 缺少商品编码")
            price = r.fen(item, "originalPrice", at="orderItemInfo")
            lines.append(
                ChannelLine(
                    skus=skus,
                    quantity=r.count(item, "num", at="orderItemInfo"),
                    unit_price_fen=price,
                    discount_fen=r.fen(item, "discountFee", at="orderItemInfo", default=0),
                    gift=price == 0,
                    title=r.text(item, "itemTitle", at="orderItemInfo", required=False),
                    line_id=str(item.get("skuId") or ""),  # one SKU per order: no sub-order
                )
            )
        freight = r.fen(base, "expressFee", at="orderBaseInfo", default=0)
        total = r.fen(base, "totalFee", at="orderBaseInfo") if complete else None
        r.check()
        assert implied is not None
        phone = str(addr.get("encryptedMobile") or addr.get("mobile") or addr.get("desensitiseMobile") or "")
        buyer = str(base.get("buyerOpenId") or "")
        address = RawAddress(
            province=str(addr.get("province") or ""),
            city=str(addr.get("city") or ""),
            district=str(addr.get("district") or ""),
            street=str(addr.get("town") or ""),
            detail=str(
                addr.get("encryptedAddress") or addr.get("address") or addr.get("desensitiseAddress") or ""
            ),
            name=str(
                addr.get("encryptedConsignee")
                or addr.get("consignee")
                or addr.get("desensitiseConsignee")
                or ""
            ),
            phone=phone,
        )
        return ChannelOrder(
            channel=self.channel,
            external_id=oid,
            status=status,
            steps=steps_for(implied, times, updated),
            complete=complete,
            lines=tuple(lines),
            address=address,
            placed_at_ns=created,
            paid_at_ns=paid,
            freight_fen=freight,
            paid_total_fen=total,
            remark=str(base.get("remark") or ""),
            buyer_ref=buyer,
            identifiers=identifiers(
                phone_identifier(phone), identifier(IdentifierKind.BUYER_ID, buyer, masked=False)
            ),
            tags=receiver_tags(address),
        )
