"""B2B purchase orders (企业采购): one order per ``po_number``, from CSV / Excel rows or JSON.

A file has one row per order line; rows with the same ``po_number`` form one order::

    po_number,buyer_code,order_date,address,contact,phone,email,sku,quantity,unit_price,freight,remark,status

``unit_price`` and ``freight`` are yuan (``128.00``); ``freight`` and the order
fields are read from the PO's first row; ``status`` is ``confirmed`` (default),
``draft`` or ``cancelled``; ``address`` is one Chinese address text
(``浙江省杭州市西湖区文三路100号``). :func:`read_rows` reads ``.csv`` and ``.xlsx``;
:func:`group_rows` turns rows into one JSON-shaped payload per PO, remembering which
file rows each came from so a rejected PO names its rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
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
    "draft": (M.CREATED,),
    "confirmed": (M.CREATED, M.PAID),  # on account: credit approved counts as paid
    "cancelled": (M.CREATED, M.CANCELLED),
}
COLUMNS = (
    "po_number", "buyer_code", "order_date", "address", "contact", "phone", "email",
    "sku", "quantity", "unit_price", "freight", "remark", "status",
)  # fmt: skip
_ORDER_FIELDS = (
    "buyer_code",
    "order_date",
    "address",
    "contact",
    "phone",
    "email",
    "freight",
    "remark",
    "status",
)


class B2bAdapter:
    channel = "b2b"
    statuses = STATUSES

    def parse(self, payload: Mapping[str, Any]) -> ChannelOrder:
        r = Reader()
        po = r.text(payload, "po_number")
        status = (r.text(payload, "status", required=False) or "confirmed").lower()
        implied = STATUSES.get(status)
        if implied is None:
            r.fail("unknown_status", "status", f"unknown status {status!r} / 未知采购单状态")
        placed = r.time(payload, "order_date") or 0
        lines: list[ChannelLine] = []
        for i, item in enumerate(r.items(payload, "lines")):
            where = f"lines[{i}]"
            lines.append(
                ChannelLine(
                    skus=(r.text(item, "sku", at=where),),
                    quantity=r.count(item, "quantity", at=where),
                    unit_price_fen=r.yuan(item, "unit_price", at=where),
                )
            )
        address = r.text(payload, "address")
        freight = r.yuan(payload, "freight", default=0)
        r.check()
        assert implied is not None
        buyer = str(payload.get("buyer_code") or "")
        phone = str(payload.get("phone") or "")
        return ChannelOrder(
            channel=self.channel,
            external_id=po,
            status=status,
            steps=steps_for(implied, {}, placed),
            lines=tuple(lines),
            address=RawAddress(text=address, name=str(payload.get("contact") or ""), phone=phone),
            placed_at_ns=placed,
            paid_at_ns=placed if M.PAID in implied else None,
            freight_fen=freight,
            remark=str(payload.get("remark") or ""),
            buyer_ref=buyer,
            identifiers=identifiers(
                phone_identifier(phone),
                identifier(IdentifierKind.MEMBER, buyer, masked=False),
                identifier(IdentifierKind.EMAIL, str(payload.get("email") or ""), masked=False),
            ),
        )


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    payload: dict[str, Any]
    #: 1-based row numbers in the file (the header is row 1), for the reject file.
    rows: tuple[int, ...]
    raw: tuple[dict[str, str], ...]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a ``.csv`` (UTF-8, with or without BOM) or ``.xlsx`` file as header → text."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl  # type: ignore[import-untyped]

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            it = sheet.iter_rows(values_only=True)
            header = [_cell(h).lower() for h in next(it, ())]
            for values in it:
                if any(v is not None and str(v).strip() for v in values):
                    yield {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        finally:
            book.close()
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}


def group_rows(rows: Iterator[dict[str, str]]) -> Iterator[PurchaseOrder]:
    """One payload per ``po_number``; rows of a PO need not be adjacent."""
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for n, row in enumerate(rows, start=2):
        groups.setdefault(row.get("po_number", ""), []).append((n, row))
    for po, members in groups.items():
        first = members[0][1]
        payload: dict[str, Any] = {"po_number": po, **{k: first.get(k, "") for k in _ORDER_FIELDS}}
        payload["lines"] = [
            {
                "sku": row.get("sku", ""),
                "quantity": row.get("quantity", ""),
                "unit_price": row.get("unit_price", ""),
            }
            for _, row in members
        ]
        if payload.get("order_date", "").count(":") == 0 and payload.get("order_date"):
            payload["order_date"] = payload["order_date"][:10] + " 00:00:00"
        yield PurchaseOrder(payload, tuple(n for n, _ in members), tuple(row for _, row in members))
