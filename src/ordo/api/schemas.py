"""Request bodies of the HTTP API, mirroring the canonical domain objects.

Conventions a client must know (they are also in the OpenAPI schema):

* Ids are assigned by Ordo; a body that carries ``id`` is refused.
* Amounts are integer fen (分): 12.80 yuan is ``1280``. Floats are refused.
* Times are ISO-8601 strings, e.g. ``"2026-11-11T08:00:00+08:00"`` or ``"…Z"``.
  A time without an offset is read as China Standard Time (UTC+8), the way
  Chinese channels speak. Epoch numbers are refused: seconds, milliseconds and
  nanoseconds look alike and a wrong guess is silently off by years.

Every field is bounded here, so input the database could not hold (a 10^30
price, a 2 kB province, a NUL byte) is a 422 naming the field, never a 5xx.
Business rules (known SKUs, amounts that add up) stay in ``ordo.domain.orders.validation``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    StringConstraints,
    Tag,
    WithJsonSchema,
)

from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import Address, Channel, Identifier, IdentifierKind, Line, LineFlag, Order
from ordo.domain.orders.validation import MAX_LINES, MAX_QUANTITY, MAX_TAGS, MAX_UNIT_PRICE_FEN

CST = timezone(timedelta(hours=8), "CST")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Times outside this window are typos or attacks; it also keeps ns inside int64.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)
#: Largest order-level amount accepted, in fen (a line's maximum times a line's quantity).
MAX_AMOUNT_FEN = MAX_UNIT_PRICE_FEN * MAX_QUANTITY


def _clean(value: str) -> str:
    # NUL and lone surrogates pass JSON but no database stores them.
    if "\x00" in value:
        raise ValueError("contains a NUL character / 含有空字符")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode text / 不是合法的 Unicode 文本") from None
    return value


CLEAN = AfterValidator(_clean)


def length(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(min_length=min_length, max_length=max_length, strip_whitespace=True)


#: A storable filter value for query parameters (ids, codes, names).
FilterText = Annotated[str, length(64, 1), CLEAN]

#: The largest integer a stored id can be (a signed 64-bit column): a larger one is a 422
#: naming the parameter, never an overflow in the store.
MAX_ROW_ID = 2**63 - 1
#: A stored row's integer id in a path, a query or a body.
PathId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


def to_ns(value: object) -> int:
    """An ISO-8601 string as UTC nanoseconds (no offset means UTC+8)."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("expected an ISO-8601 time string / 需要 ISO-8601 格式的时间字符串")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not an ISO-8601 time / 不是 ISO-8601 格式的时间") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=CST)
    if not _EARLIEST <= at < _LATEST:
        raise ValueError("time out of range 2000..2100 / 时间超出 2000 到 2100 年的范围")
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


Time = Annotated[
    int,
    PlainValidator(to_ns),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO-8601; without an offset it is read as UTC+8 (China Standard Time).",
            "examples": ["2026-11-11T08:00:00+08:00"],
        }
    ),
]

Fen = Annotated[int, Field(ge=0, le=MAX_AMOUNT_FEN, strict=True, description="integer fen (分)")]


class _Strict(BaseModel):
    # Unknown fields are refused so a typo ("quantiy") is an error, not a silent default.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class AddressIn(_Strict):
    province: Annotated[str, length(32, 1), CLEAN]
    city: Annotated[str, length(32, 1), CLEAN]
    district: Annotated[str, length(32), CLEAN] = ""
    detail: Annotated[str, length(500), CLEAN] = ""
    adcode: Annotated[str, Field(pattern=r"^\d{6,12}$")] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180)] | None = None
    name: Annotated[str, length(100), CLEAN] = Field(
        "", description="recipient name (masked for roles without PII access)"
    )
    phone: Annotated[str, length(32), CLEAN] = Field(
        "", description="recipient phone (masked for roles without PII access)"
    )

    def to_domain(self) -> Address:
        return Address(
            self.province,
            self.city,
            self.district,
            self.detail,
            self.adcode,
            self.lat,
            self.lng,
            self.name,
            self.phone,
        )


class LineIn(_Strict):
    sku: Annotated[str, length(64, 1), CLEAN]
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY, strict=True)]
    unit_price_fen: Annotated[int, Field(ge=0, le=MAX_UNIT_PRICE_FEN, strict=True)]
    discount_fen: Fen = 0
    flags: Annotated[list[LineFlag], Field(max_length=len(LineFlag))] = []

    def to_domain(self) -> Line:
        return Line(
            self.sku,
            self.quantity,
            self.unit_price_fen,
            frozenset(f.value for f in self.flags),
            self.discount_fen,
        )


class IdentifierIn(_Strict):
    """How the channel names the buyer; ``masked`` (138****1234, ciphertext) is kept but links no one."""

    kind: IdentifierKind
    value: Annotated[str, length(128, 1), CLEAN]
    masked: bool = False


class OrderIn(_Strict):
    """One channel order. Ordo assigns the id; (channel, external_id) de-duplicates."""

    channel: Channel
    external_id: Annotated[str, length(64, 1), CLEAN]
    customer_ref: Annotated[str, length(64), CLEAN] = ""
    ship_to: AddressIn
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=MAX_LINES)]
    placed_at: Time
    paid_at: Time | None = None
    promised_at: Time | None = None
    freight_fen: Fen = 0
    discount_fen: Fen = 0
    tags: Annotated[list[Annotated[str, length(32, 1), CLEAN]], Field(max_length=MAX_TAGS)] = []
    priority: Annotated[int, Field(ge=0, le=100, strict=True)] = 0
    remark: Annotated[str, length(1000), CLEAN] = ""
    identifiers: Annotated[list[IdentifierIn], Field(max_length=16)] = []

    def to_domain(self) -> Order:
        return Order(
            id="",
            channel=self.channel.value,
            external_id=self.external_id,
            customer_ref=self.customer_ref,
            ship_to=self.ship_to.to_domain(),
            lines=tuple(line.to_domain() for line in self.lines),
            placed_at_ns=self.placed_at,
            paid_at_ns=self.paid_at,
            freight_fen=self.freight_fen,
            discount_fen=self.discount_fen,
            tags=tuple(self.tags),
            priority=self.priority,
            promised_at_ns=self.promised_at,
            remark=self.remark,
            identifiers=tuple(Identifier(i.kind.value, i.value, i.masked) for i in self.identifiers),
        )


class OrderBatch(_Strict):
    """Several orders in one transaction: all are accepted or none is."""

    orders: Annotated[list[OrderIn], Field(min_length=1)]


def _order_shape(value: Any) -> str:
    return "order_batch" if isinstance(value, dict) and "orders" in value else "single_order"


#: ``POST /orders`` takes one order or ``{"orders": [...]}``; the tags never show in field paths.
OrdersRequest = Annotated[
    Annotated[OrderBatch, Tag("order_batch")] | Annotated[OrderIn, Tag("single_order")],
    Discriminator(_order_shape),
]


class MilestoneIn(_Strict):
    order_id: Annotated[str, length(24, 1), CLEAN]
    milestone: Milestone
    at: Time
    source: Annotated[str, length(32, 1), CLEAN] = Field(
        description="the reporting system, e.g. wms, sf_express"
    )
    note: Annotated[str, length(500), CLEAN] = ""


class MilestoneBatch(_Strict):
    updates: Annotated[list[MilestoneIn], Field(min_length=1)]


class CancelIn(_Strict):
    reason: Annotated[str, length(500, 1), CLEAN]
