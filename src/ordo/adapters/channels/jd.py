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
    steps_for,
)
from ordo.adapters.channels.values import Reader
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


class JdAdapter:
    channel = "jd"
    statuses = STATUSES

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        r = Reader()
        o: Mapping[str, Any] = payload
        if isinstance(payload.get("orderInfo"), dict):
            o = r.obj(payload, "orderInfo")
        order_id = r.text(o, "orderId")
        status = r.text(o, "orderState")
        implied = STATUSES.get(status)
        if status and implied is None:
            r.fail("unknown_status", "orderState", f"unknown order state {status!r} / 未知订单状态")
        complete = "itemInfoList" in o
        created = r.time(o, "orderStartTime", required=complete) or 0
        paid = r.time(o, "paymentConfirmTime", required=False)
        end = r.time(o, "orderEndTime", required=False)
        modified = r.time(o, "modified", required=not created) or created
        times = {M.CREATED: created, M.PAID: paid, M.DELIVERED: end, M.COMPLETED: end, M.CANCELLED: end}
        lines: list[ChannelLine] = []
        consignee: Mapping[str, Any] = {}
        if complete:
            consignee = r.obj(o, "consigneeInfo")
            for i, item in enumerate(r.items(o, "itemInfoList")):
                where = f"itemInfoList[{i}]"
                price = r.yuan(item, "jdPrice", at=where)
                skus = tuple(str(item[k]) for k in ("outerSkuId", "skuId", "wareId") if item.get(k))
                if not skus:
                    r.fail("missing_field", f"{where}.skuId", "no SKU id / 缺少商品编码")
                lines.append(
                    ChannelLine(
                        skus=skus,
                        quantity=r.count(item, "itemTotal", at=where),
                        unit_price_fen=price,
                        gift=price == 0,
                        title=r.text(item, "skuName", at=where, required=False),
                    )
                )
        freight = r.yuan(o, "freightPrice", default=0)
        total = r.yuan(o, "orderPayment") if complete else None
        r.check()
        assert implied is not None
        phone = str(consignee.get("mobile") or consignee.get("telephone") or "")
        buyer = str(o.get("open_id_buyer") or o.get("pin") or "")
        return ChannelOrder(
            channel=self.channel,
            external_id=order_id,
            status=status,
            steps=steps_for(implied, times, modified),
            complete=complete,
            lines=tuple(lines),
            address=RawAddress(
                province=str(consignee.get("province") or ""),
                city=str(consignee.get("city") or ""),
                district=str(consignee.get("county") or ""),
                street=str(consignee.get("town") or ""),
                text=str(consignee.get("fullAddress") or ""),
                name=str(consignee.get("fullname") or ""),
                phone=phone,
            ),
            placed_at_ns=created,
            paid_at_ns=paid,
            freight_fen=freight,
            paid_total_fen=total,
            remark=str(o.get("orderRemark") or ""),
            buyer_ref=buyer,
            identifiers=identifiers(
                phone_identifier(phone),
                identifier(IdentifierKind.BUYER_ID, buyer),
            ),
        )
