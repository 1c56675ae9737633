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

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    Strict,
    StringConstraints,
    Tag,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import Address, Channel, Identifier, IdentifierKind, Line, LineFlag, Order
from ordo.domain.orders.validation import MAX_LINES, MAX_QUANTITY, MAX_TAGS, MAX_UNIT_PRICE_FEN

CST = timezone(timedelta(hours=8), "CST")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Largest order-level amount accepted, in fen (a line's maximum times a line's quantity).
MAX_AMOUNT_FEN = MAX_UNIT_PRICE_FEN * MAX_QUANTITY


def _clean(value: str | None) -> str | None:
    # NUL and lone surrogates pass JSON but no database stores them. ``None`` passes: CLEAN may
    # be placed on an optional text (``Annotated[str | None, …, CLEAN]``).
    if value is None:
        return None
    if "\x00" in value:
        raise ValueError("contains a NUL character / 含有空字符")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode text / 不是合法的 Unicode 文本") from None
    return value


#: What ``str.strip`` removes: a text of only these is empty once stripped.
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: The schema's word for what :func:`_clean` refuses: NUL. (Lone surrogates are refused too, but
#: a surrogate range is not a pattern every regex engine takes, and JSON text rarely holds one.)
CLEAN_PATTERN = r"^[^\x00]*$"
#: The same for a required text, which must keep a character once stripped of whitespace.
FILLED_PATTERN = rf"^[^\x00]*[^\x00{_SPACE}][^\x00]*$"


class _Clean:
    """Refuse NUL and lone surrogates, and say so in the JSON schema as a pattern.

    Placed after :func:`length`, whose ``minLength`` counts after stripping: a required
    text's pattern also asks for one character that is not whitespace.
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_clean, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        if out.get("type") == "string" and "pattern" not in out:
            out["pattern"] = FILLED_PATTERN if out.get("minLength", 0) >= 1 else CLEAN_PATTERN
        return out


CLEAN = _Clean()


def _integral(value: object) -> object:
    # JSON has one number type: 3.0 is the integer 3 to a JSON Schema validator (and to a
    # client generated from one), so it is taken as 3; 3.5, true and "3" are not integers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: An integer as JSON Schema means it: 3 or 3.0, never ``true`` or ``"3"`` (add the bounds).
JsonInt = Annotated[int, BeforeValidator(_integral), Strict()]


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
BodyId = Annotated[JsonInt, Field(ge=1, le=MAX_ROW_ID)]


_DAY = (
    r"20[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)|20(?:[02468][048]|[13579][26])-02-29"
)
_CLOCK = r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
#: Every time the API takes, and only those: a real calendar day in 2000..2099, optionally a
#: time of day (minutes, seconds, microseconds) and an offset. It is in the schema, so a
#: client generated from it never sends a time that is refused.
TIME_PATTERN = rf"^(?:{_DAY})(?:{_CLOCK}{_OFFSET}?)?$"
_TIME_RE = re.compile(TIME_PATTERN)


def to_ns(value: object) -> int:
    """An ISO-8601 string as UTC nanoseconds (no offset means UTC+8).

    The year is the one written (2000..2099, whatever the offset), which keeps every time
    well inside int64 nanoseconds.
    """
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("expected an ISO-8601 time string / 需要 ISO-8601 格式的时间字符串")
    if not _TIME_RE.fullmatch(value):
        raise ValueError(
            "not an ISO-8601 time in 2000..2099 (YYYY-MM-DD[Thh:mm[:ss[.ffffff]][Z|±hh:mm]]) "
            "/ 不是 2000 到 2099 年间的 ISO-8601 时间"
        )
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        at = at.replace(tzinfo=CST)
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


Time = Annotated[
    int,
    PlainValidator(to_ns),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": TIME_PATTERN,
            "maxLength": 40,
            "description": "ISO-8601 (RFC 3339) date or date-time in 2000..2099; without an offset it "
            "is read as UTC+8 (China Standard Time).",
            "examples": ["2026-11-11T08:00:00+08:00"],
        }
    ),
]

#: Money: a JSON number with a decimal point is refused (12.80 or 1280.0 is how yuan leak in).
Fen = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_AMOUNT_FEN,
        strict=True,
        description="integer fen (分), written without a decimal point / 整数分，不带小数点",
    ),
]


class _Strict(BaseModel):
    # Unknown fields are refused so a typo ("quantiy") is an error, not a silent default.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class AddressIn(_Strict):
    province: Annotated[str, length(32, 1), CLEAN]
    city: Annotated[str, length(32, 1), CLEAN]
    district: Annotated[str, length(32), CLEAN] = ""
    detail: Annotated[str, length(500), CLEAN] = ""
    adcode: Annotated[str, Field(pattern=r"^\d{6,12}$")] | None = None
    lat: Annotated[float, Field(ge=-90, le=90, strict=True)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180, strict=True)] | None = None
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
    quantity: Annotated[JsonInt, Field(ge=1, le=MAX_QUANTITY)]
    unit_price_fen: Annotated[Fen, Field(le=MAX_UNIT_PRICE_FEN)]
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
    masked: Annotated[bool, Field(strict=True)] = False


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
    priority: Annotated[JsonInt, Field(ge=0, le=100)] = 0
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
