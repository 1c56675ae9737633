"""Offline store POS (门店收银): a sales ticket in Ordo's POS format.

Ordo defines this format (store systems differ too much to share one): ``store_id``,
``ticket_no`` (the external id is ``<store_id>-<ticket_no>``), ``status``
(``SOLD`` = carried out at the counter, ``DELIVERY`` = sold in store, shipped home,
``VOIDED`` = cancelled), ``sold_at`` (``YYYY-MM-DD HH:MM:SS`` Asia/Shanghai or epoch),
``items[]`` (``sku``, ``qty``, ``price`` and ``discount`` in yuan, ``gift``),
``total`` (yuan paid), ``member_no``, ``device_id``, ``remark``, and either
``delivery`` (``province``, ``city``, ``district``, ``address``, ``name``, ``phone``)
or ``store_address`` (the store's own address, for counter sales).
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

STATUSES: Mapping[str, tuple[Milestone, ...]] = {
    "SOLD": (M.CREATED, M.PAID, M.OUTBOUND, M.DELIVERED, M.COMPLETED),
    "DELIVERY": (M.CREATED, M.PAID),
    "VOIDED": (M.CREATED, M.CANCELLED),
}


class PosAdapter:
    channel = "pos"
    statuses = STATUSES

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        r = Reader()
        store = r.text(payload, "store_id")
        ticket = r.text(payload, "ticket_no")
        status = r.text(payload, "status").upper()
        implied = STATUSES.get(status)
        if status and implied is None:
            r.fail("unknown_status", "status", f"unknown status {status!r} / 未知小票状态")
        sold = r.time(payload, "sold_at") or 0
        complete = "items" in payload
        lines: list[ChannelLine] = []
        for i, item in enumerate(r.items(payload, "items", required=complete)):
            where = f"items[{i}]"
            gift = item.get("gift") is True
            lines.append(
                ChannelLine(
                    skus=(r.text(item, "sku", at=where),),
                    quantity=r.count(item, "qty", at=where),
                    unit_price_fen=0 if gift else r.yuan(item, "price", at=where),
                    discount_fen=r.yuan(item, "discount", at=where, default=0),
                    gift=gift,
                )
            )
        total = r.yuan(payload, "total") if complete else None
        delivery = r.obj(payload, "delivery", required=False)
        if complete and not delivery and not payload.get("store_address"):
            r.fail(
                "missing_field", "store_address", "a counter sale needs the store's address / 缺少门店地址"
            )
        r.check()
        assert implied is not None
        member = str(payload.get("member_no") or "")
        phone = str(delivery.get("phone") or payload.get("member_phone") or "")
        return ChannelOrder(
            channel=self.channel,
            external_id=f"{store}-{ticket}",
            status=status,
            steps=steps_for(implied, {}, sold),
            complete=complete,
            lines=tuple(lines),
            address=RawAddress(
                province=str(delivery.get("province") or ""),
                city=str(delivery.get("city") or ""),
                district=str(delivery.get("district") or ""),
                detail=str(delivery.get("address") or ""),
                text="" if delivery else str(payload.get("store_address") or ""),
                name=str(delivery.get("name") or ""),
                phone=str(delivery.get("phone") or ""),
            ),
            placed_at_ns=sold,
            paid_at_ns=sold if M.PAID in implied else None,
            paid_total_fen=total,
            remark=str(payload.get("remark") or ""),
            buyer_ref=member,
            identifiers=identifiers(
                phone_identifier(phone),
                identifier(IdentifierKind.MEMBER, member, masked=False),
                identifier(IdentifierKind.DEVICE, str(payload.get("device_id") or ""), masked=False),
            ),
            tags=("store_pickup",) if status == "SOLD" else (),
        )
