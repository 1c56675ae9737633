"""WeChat mini-program / Channels shop (微信小店 / 视频号小店): an order as
``/channels/ec/order/get`` returns it (``order`` object).

Fields: ``order_id``, ``status`` (10 待付款, 20 待发货, 21 部分发货, 30 待收货,
100 完成, 200 售后后取消, 250 未付款取消), ``create_time`` / ``update_time``
(epoch seconds), ``openid``, ``unionid``; ``order_detail.product_infos[]``
(``product_id``, ``sku_id``, ``out_sku_id`` / ``sku_code``, ``sku_cnt``,
``sale_price`` in fen, ``title``), ``order_detail.price_info`` (``order_price``,
``freight``, ``discounted_price`` in fen), ``order_detail.pay_info.pay_time``,
``order_detail.delivery_info.address_info`` (``user_name``, ``tel_number`` —
masked or virtual number — ``province_name``, ``city_name``, ``county_name``,
``detail_info``), ``order_detail.delivery_info.ship_done_time`` and
``order_detail.ext_info.customer_notes``. The answer of ``/channels/ec/order/get``
(``{"errcode": 0, "order": …}``; another ``errcode`` is refused with its ``errmsg``) or the
bare ``order``.
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
from ordo.adapters.channels.envelopes import open_envelope
from ordo.adapters.channels.values import Reader
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import IdentifierKind

_PAID = (M.CREATED, M.PAID)
STATUSES: Mapping[str, tuple[Milestone, ...]] = {
    "10": (M.CREATED,),  # 待付款
    "20": _PAID,  # 待发货
    "21": _PAID,  # 部分发货
    "30": (*_PAID, M.OUTBOUND),  # 待收货
    "100": (*_PAID, M.OUTBOUND, M.DELIVERED, M.COMPLETED),  # 完成
    "200": (*_PAID, M.CANCELLED),  # 全部商品售后之后，订单取消
    "250": (M.CREATED, M.CANCELLED),  # 未付款用户主动取消或超时未付款订单自动取消
}


class WechatAdapter:
    channel = "wechat_mp"
    statuses = STATUSES

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        r = Reader()
        # {"errcode": 0, "errmsg": "ok", "order": {…}}; another errcode is refused with its errmsg.
        o = open_envelope(payload, (("order",),))
        order_id = r.ident(o, "order_id")
        status = r.text(o, "status")
        implied = STATUSES.get(status)
        if status and implied is None:
            r.fail("unknown_status", "status", f"unknown status {status!r} / 未知订单状态")
        created = r.time(o, "create_time") or 0
        updated = r.time(o, "update_time", required=False) or created
        detail = r.obj(o, "order_detail", required=False)
        pay = r.obj(detail, "pay_info", at="order_detail", required=False)
        paid = r.time(pay, "pay_time", at="order_detail.pay_info", required=False)
        complete = "product_infos" in detail
        lines: list[ChannelLine] = []
        shipped: int | None = None
        addr: Mapping[str, Any] = {}
        price_info: Mapping[str, Any] = {}
        if complete:
            price_info = r.obj(detail, "price_info", at="order_detail")
            delivery = r.obj(detail, "delivery_info", at="order_detail")
            addr = r.obj(delivery, "address_info", at="order_detail.delivery_info")
            shipped = r.time(delivery, "ship_done_time", at="order_detail.delivery_info", required=False)
            for i, item in enumerate(r.items(detail, "product_infos", at="order_detail")):
                where = f"order_detail.product_infos[{i}]"
                skus = tuple(
                    str(item[k]) for k in ("out_sku_id", "sku_code", "sku_id", "product_id") if item.get(k)
                )
                if not skus:
                    r.fail("missing_field", f"{where}.sku_id", "no SKU id / 缺少商品编码")
                price = r.fen(item, "sale_price", at=where)
                lines.append(
                    ChannelLine(
                        skus=skus,
                        quantity=r.count(item, "sku_cnt", at=where),
                        unit_price_fen=price,
                        gift=price == 0,
                        title=r.text(item, "title", at=where, required=False),
                        # a split parcel names its products as product_id:sku_id
                        line_id=":".join(str(item.get(k) or "") for k in ("product_id", "sku_id")).strip(":"),
                    )
                )
        freight = r.fen(price_info, "freight", at="order_detail.price_info", default=0)
        total = r.fen(price_info, "order_price", at="order_detail.price_info") if complete else None
        r.check()
        assert implied is not None
        ext = detail.get("ext_info") if isinstance(detail.get("ext_info"), dict) else {}
        phone = str(addr.get("tel_number") or "")
        openid, unionid = str(o.get("openid") or ""), str(o.get("unionid") or "")
        address = RawAddress(
            province=str(addr.get("province_name") or ""),
            city=str(addr.get("city_name") or ""),
            district=str(addr.get("county_name") or ""),
            detail=str(addr.get("detail_info") or ""),
            name=str(addr.get("user_name") or ""),
            phone=phone,
        )
        return ChannelOrder(
            channel=self.channel,
            external_id=order_id,
            status=status,
            steps=steps_for(implied, {M.CREATED: created, M.PAID: paid, M.OUTBOUND: shipped}, updated),
            complete=complete,
            lines=tuple(lines),
            address=address,
            placed_at_ns=created,
            paid_at_ns=paid,
            freight_fen=freight,
            paid_total_fen=total,
            remark=str(ext.get("customer_notes") or "") if isinstance(ext, dict) else "",
            buyer_ref=unionid or openid,
            identifiers=identifiers(
                phone_identifier(phone),
                identifier(IdentifierKind.OPENID, openid, masked=False),
                identifier(IdentifierKind.UNIONID, unionid, masked=False),
            ),
            tags=receiver_tags(address),
        )
