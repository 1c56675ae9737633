"""Taobao and Tmall: a TOP trade (``taobao.trade.fullinfo.get`` / the trade push).

Fields per the TOP trade object: ``tid``, ``status``, ``created``, ``pay_time``,
``consign_time``, ``end_time``, ``modified`` (``yyyy-MM-dd HH:mm:ss``, GMT+8);
amounts in yuan as decimal strings (``payment``, ``total_fee``, ``post_fee``,
``discount_fee``); ``receiver_state/city/district/town/address/name/mobile``
(masked as ``135*******`` / ``张**`` or OAID-encrypted); ``buyer_open_uid``,
``oaid``; ``buyer_message``; sub-orders in ``orders.order[]`` (``oid``, ``num_iid``,
``sku_id``, ``outer_sku_id``, ``outer_iid``, ``num``, ``price``, ``payment``,
``discount_fee``, ``part_mjz_discount`` (its share of shop-level discounts), ``status``,
``refund_status``, ``consign_time``, ``title``). The payload may be the answer of
``taobao.trade.fullinfo.get`` (``trade_fullinfo_get_response.trade``), one element of
``taobao.trades.sold.increment.get`` / ``taobao.trades.sold.get``
(``trades_sold_…_response.trades.trade[0]``), the bare trade, or any of these inside a
middleman's envelope (聚石塔 ``jdp_response``, see :mod:`.envelopes`). ``tid`` passes 2^53:
``tid_str`` is read first, a JSON integer exactly. Placeholder times (``1970-01-01``) are
"none". A sub-order closed by a refund before it shipped is left out (its ``payment``
off the paid total); one refunded after shipping stays, tagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordo.adapters.channels.base import (
    LINE_REFUNDED,
    PARTIALLY_SHIPPED,
    PRESALE,
    PRESALE_DEPOSIT_ONLY,
    REFUND_AFTER_SHIPPING,
    STORE_PICKUP,
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
#: A sub-order's SKU ids, best first: the merchant's own code, then the platform's.
_SKU_KEYS = ("outer_sku_id", "sku_id", "outer_iid", "num_iid")
#: Where the trade sits in each TOP answer: detail first, then one element of a list answer.
_PATHS: tuple[Path, ...] = (
    ("trade_fullinfo_get_response", "trade"),
    ("trade_get_response", "trade"),
    ("trades_sold_increment_get_response", "trades", "trade", ONE),
    ("trades_sold_get_response", "trades", "trade", ONE),
)
#: A sub-order's states that mean it was refunded and closed.
_CLOSED = frozenset({"TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO"})
STATUSES: Mapping[str, tuple[Milestone, ...]] = {
    "TRADE_NO_CREATE_PAY": (M.CREATED,),
    "WAIT_BUYER_PAY": (M.CREATED,),
    "PAY_PENDING": (M.CREATED,),
    "WAIT_PRE_AUTH_CONFIRM": (M.CREATED,),
    "PAID_FORBID_CONSIGN": _PAID,
    "WAIT_SELLER_SEND_GOODS": _PAID,
    "SELLER_CONSIGNED_PART": _PAID,
    "WAIT_BUYER_CONFIRM_GOODS": (*_PAID, M.OUTBOUND),
    "TRADE_BUYER_SIGNED": (*_PAID, M.OUTBOUND, M.DELIVERED),
    "TRADE_FINISHED": (*_PAID, M.OUTBOUND, M.DELIVERED, M.COMPLETED),
    "TRADE_CLOSED": (M.CREATED, M.CANCELLED),
    "TRADE_CLOSED_BY_TAOBAO": (M.CREATED, M.CANCELLED),
}


_NO = (None, "", "0", 0, False, "false")


def _tmall_tags(trade: Mapping[str, Any]) -> list[str]:
    """What a staged (预售) or store-pickup (门店自提) trade says, per the TOP Trade object:
    ``step_trade_status`` FRONT_NOPAID_FINAL_NOPAID / FRONT_PAID_FINAL_NOPAID /
    FRONT_PAID_FINAL_PAID (``type: step``); ``o2o_delivery: inshop`` (导购宝 店内提货),
    ``shop_pick`` / ``obs`` (门店自提 / 门店预约自提 flags)."""
    tags: list[str] = []
    step = str(trade.get("step_trade_status") or "")
    if step or trade.get("type") == "step":
        tags.append(PRESALE_DEPOSIT_ONLY if step == "FRONT_PAID_FINAL_NOPAID" else PRESALE)
    if (
        trade.get("o2o_delivery") == "inshop"
        or trade.get("shop_pick") not in _NO
        or trade.get("obs") not in _NO
    ):
        tags.append(STORE_PICKUP)
    return tags


def _oid(item: Mapping[str, Any]) -> str:
    """The sub-order id (``oid_str``, else ``oid``; 0 is an id), or empty."""
    oid = item.get("oid_str") or item.get("oid")
    return "" if oid is None or oid == "" else str(oid)


class TopTradeAdapter:
    """One adapter, two channels: Taobao and Tmall share the TOP trade object."""

    statuses = STATUSES

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def orders_in(self, payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Each order in a list / increment answer (one payload is one order for ``parse``)."""
        return orders_in(payload, _PATHS)

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        r = Reader()
        trade = open_envelope(payload, _PATHS)
        tid = r.text(trade, "tid_str", required=False) or r.ident(trade, "tid")
        status = r.text(trade, "status")
        implied = STATUSES.get(status)
        if status and implied is None:
            r.fail("unknown_status", "status", f"unknown trade status {status!r} / 未知交易状态")
        complete = "orders" in trade
        created = r.time(trade, "created", required=complete) or 0
        paid = r.time(trade, "pay_time", required=False)
        modified = r.time(trade, "modified", required=not created) or created
        end = r.time(trade, "end_time", required=False)
        times = {
            M.CREATED: created,
            M.PAID: paid,
            M.OUTBOUND: r.time(trade, "consign_time", required=False),
            M.DELIVERED: end,
            M.COMPLETED: end,
            M.CANCELLED: end,
        }
        lines: list[ChannelLine] = []
        refunded_fen = 0
        tags: list[str] = [PARTIALLY_SHIPPED] if status == "SELLER_CONSIGNED_PART" else []
        tags += _tmall_tags(trade)
        if complete:
            orders = r.obj(trade, "orders")
            for i, item in enumerate(r.items(orders, "order", at="orders")):
                where = f"orders.order[{i}]"
                price = r.yuan(item, "price", at=where)
                skus = r.texts(item, _SKU_KEYS, where)
                if not skus:
                    r.fail("missing_field", f"{where}.sku_id", "no SKU id / 缺少商品编码")
                discount = r.yuan(item, "discount_fee", at=where, default=0)
                if "part_mjz_discount" in item:  # the shop-level discount's share of this line
                    discount += r.yuan(item, "part_mjz_discount", at=where, default=0)
                if str(item.get("status") or "") in _CLOSED and status not in _CLOSED:
                    if r.time(item, "consign_time", at=where, required=False) is None:
                        refunded_fen += r.yuan(item, "payment", at=where, default=0)
                        tags.append(LINE_REFUNDED)
                        continue
                    tags.append(REFUND_AFTER_SHIPPING)
                # Positional (skus, quantity, unit price, discount, gift, title, line id): per line.
                lines.append(
                    ChannelLine(
                        skus,
                        r.count(item, "num", at=where),
                        price,
                        discount,
                        price == 0,
                        r.text(item, "title", at=where, required=False),
                        _oid(item),
                    )
                )
        freight = r.yuan(trade, "post_fee", default=0)
        total = r.yuan(trade, "payment") - refunded_fen if complete else None
        r.check()
        assert implied is not None
        phone = str(trade.get("receiver_mobile") or trade.get("receiver_phone") or "")
        buyer = str(trade.get("buyer_open_uid") or "")
        # Positional (province, city, district, street, detail, text, name, phone): per payload.
        address = RawAddress(
            str(trade.get("receiver_state") or ""), str(trade.get("receiver_city") or ""),
            str(trade.get("receiver_district") or ""), str(trade.get("receiver_town") or ""),
            str(trade.get("receiver_address") or ""), "", str(trade.get("receiver_name") or ""), phone,
        )  # fmt: skip
        ids = identifiers(
            phone_identifier(phone),
            identifier(IdentifierKind.BUYER_ID, buyer, masked=False),
            # The OAID is an opaque per-receiver ciphertext: kept, never used to link people.
            identifier(IdentifierKind.BUYER_ID, str(trade.get("oaid") or ""), masked=True),
        )
        # Positional, in ChannelOrder's field order (no order-level discount): one per payload.
        return ChannelOrder(
            self.channel, tid, status, steps_for(implied, times, modified), complete, tuple(lines),
            address, created, paid, freight, total, 0, str(trade.get("buyer_message") or ""), buyer,
            ids, (*dict.fromkeys(tags), *receiver_tags(address)),
        )  # fmt: skip
