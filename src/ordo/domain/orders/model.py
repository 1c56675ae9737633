"""The canonical order and the things it is fulfilled from.

Everything here is a frozen value: amounts are integer fen (分), times are UTC
nanoseconds since the epoch. Nothing here reads a clock, a database or a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Channel(StrEnum):
    TAOBAO = "taobao"
    TMALL = "tmall"
    JD = "jd"
    DOUYIN = "douyin"
    PINDUODUO = "pinduoduo"
    KUAISHOU = "kuaishou"
    WECHAT_MP = "wechat_mp"
    WECHAT_CHANNELS = "wechat_channels"
    YOUZAN = "youzan"
    XIAOHONGSHU = "xiaohongshu"
    POS = "pos"
    B2B = "b2b"
    API = "api"


class LineFlag(StrEnum):
    GIFT = "gift"
    COLD_CHAIN = "cold_chain"
    HAZMAT = "hazmat"
    FRAGILE = "fragile"
    OVERSIZE = "oversize"


#: Flags a warehouse must be capable of to ship a line carrying them.
HANDLING_FLAGS = frozenset({LineFlag.COLD_CHAIN, LineFlag.HAZMAT, LineFlag.OVERSIZE})


class WarehouseClass(StrEnum):
    OWN = "own"
    REGIONAL = "regional"
    THIRD_PARTY = "3pl"


class CustomerTier(StrEnum):
    REGULAR = "regular"
    SILVER = "silver"
    GOLD = "gold"
    DIAMOND = "diamond"


@dataclass(frozen=True, slots=True)
class Address:
    province: str
    city: str
    district: str = ""
    detail: str = ""
    adcode: str | None = None
    lat: float | None = None
    lng: float | None = None
    name: str = ""
    phone: str = ""

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lng is not None


class IdentifierKind(StrEnum):
    """Ways a channel names a person (the seeds' 客户数字身份总线)."""

    PHONE = "phone"
    OPENID = "openid"
    UNIONID = "unionid"
    BUYER_ID = "buyer_id"  # a platform's own buyer id / OAID
    DEVICE = "device"
    MEMBER = "member"
    EMAIL = "email"


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier an order carries. ``masked`` ones (138****1234, ciphertext) are kept
    as sent but never used to link two people."""

    kind: str
    value: str
    masked: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    sku: str
    quantity: int
    unit_price_fen: int
    flags: frozenset[str] = frozenset()
    discount_fen: int = 0
    #: The platform's own id of this line (Taobao ``oid``, Douyin's SKU order id, Youzan
    #: ``oid`` …): what a split parcel is confirmed by. Empty where the platform has none.
    platform_line_id: str = ""

    @property
    def amount_fen(self) -> int:
        return self.quantity * self.unit_price_fen - self.discount_fen


@dataclass(frozen=True, slots=True)
class Order:
    """A channel order in Ordo's canonical shape, as accepted at intake."""

    id: str
    channel: str
    external_id: str
    customer_ref: str
    ship_to: Address
    lines: tuple[Line, ...]
    placed_at_ns: int
    paid_at_ns: int | None = None
    freight_fen: int = 0
    discount_fen: int = 0
    tags: tuple[str, ...] = ()
    priority: int = 0
    promised_at_ns: int | None = None
    remark: str = ""
    identifiers: tuple[Identifier, ...] = ()

    @property
    def goods_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def total_fen(self) -> int:
        return self.goods_fen - self.discount_fen + self.freight_fen

    @property
    def flags(self) -> frozenset[str]:
        out: set[str] = set()
        for line in self.lines:
            out |= line.flags
        return frozenset(out)

    def quantities(self) -> dict[str, int]:
        """Units needed per SKU (a SKU may appear on several lines)."""
        need: dict[str, int] = {}
        for line in self.lines:
            need[line.sku] = need.get(line.sku, 0) + line.quantity
        return need


@dataclass(frozen=True, slots=True)
class Sku:
    sku: str
    name: str
    category: str
    price_fen: int
    weight_g: int
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: str
    name: str
    province: str
    city: str
    adcode: str
    lat: float
    lng: float
    klass: WarehouseClass
    capabilities: frozenset[str] = frozenset()
    daily_capacity: int = 10_000
    active: bool = True

    def can_handle(self, flags: frozenset[str]) -> bool:
        return (flags & HANDLING_FLAGS) <= self.capabilities


@dataclass(frozen=True, slots=True)
class Carrier:
    id: str
    name: str
    #: Provinces served; empty means nationwide.
    coverage: frozenset[str] = frozenset()
    capabilities: frozenset[str] = frozenset()
    daily_capacity: int = 100_000
    base_fen: int = 800
    per_kg_fen: int = 200


@dataclass(frozen=True, slots=True)
class Stock:
    warehouse_id: str
    sku: str
    on_hand: int
    reserved: int = 0
    safety: int = 0

    @property
    def available(self) -> int:
        """Available to promise: what may still be reserved."""
        return max(0, self.on_hand - self.reserved - self.safety)


@dataclass(frozen=True, slots=True)
class Customer:
    ref: str
    name: str
    tier: CustomerTier = CustomerTier.REGULAR
    phone: str = ""
    tags: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class AcceptedOrder:
    """An order as intake decided it: where it ships from, or why it waits."""

    order: Order
    status: str
    warehouse_id: str | None
    hold_reason: str | None
    accepted_at_ns: int
