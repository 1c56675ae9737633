"""Demand: when orders come (a Chinese retail day with a 大促 hour), from where, for what.

``DemandCurve`` is the hourly shape of a day in Asia/Shanghai time; ``schedule``
turns it into exact placement times for a number of orders; ``OrderFactory`` makes
each canonical order (channel, customer, lines, ship-to, money, external id).
Everything is drawn from seeded ``random.Random`` streams and the times it is
given: this module never reads a clock and never writes anywhere.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from ordo.adapters.geo import Divisions
from ordo.domain.orders.model import Address, Channel, Customer, CustomerTier, Line, LineFlag, Order, Sku
from ordo.sim.extids import external_id, local_time
from ordo.sim.people import mobile, person_name, street_address
from ordo.sim.places import Place, Places
from ordo.sim.world import REMOTE_PROVINCES, World, zipf_weights

NS_PER_S = 1_000_000_000
HOUR_NS = 3600 * NS_PER_S

# Relative order rate by hour of the day (Asia/Shanghai): a night trough from 2 to 6,
# a lunch-break bump, and the evening peak from 20:00 to 23:00 when people shop on
# the sofa; midnight stays busy because many promotions flip at 00:00.
# fmt: off
RETAIL_DAY: tuple[float, ...] = (
    0.95, 0.50, 0.28, 0.18, 0.14, 0.15, 0.25, 0.45, 0.70, 0.95, 1.10, 1.20,
    1.35, 1.30, 1.10, 1.05, 1.05, 1.00, 1.05, 1.30, 1.70, 1.85, 1.75, 1.30,
)
# fmt: on

#: Share of orders per channel (marketplaces first; stores and B2B are small).
CHANNEL_MIX: tuple[tuple[Channel, float], ...] = (
    (Channel.TAOBAO, 0.22),
    (Channel.TMALL, 0.20),
    (Channel.JD, 0.18),
    (Channel.DOUYIN, 0.15),
    (Channel.PINDUODUO, 0.12),
    (Channel.KUAISHOU, 0.05),
    (Channel.WECHAT_MP, 0.04),
    (Channel.POS, 0.03),
    (Channel.B2B, 0.01),
)

PROMO_TAG = "大促"
URGENT_TAG = "加急"
UNPAID_SHARE = 0.06
B2B_ASSORTMENT = 200
GIFT_SHARE = 0.08
_LINES_WEIGHTS = (0.55, 0.25, 0.12, 0.05, 0.03)
_TIER_ACTIVITY = {
    CustomerTier.REGULAR: 1.0,
    CustomerTier.SILVER: 2.0,
    CustomerTier.GOLD: 4.0,
    CustomerTier.DIAMOND: 8.0,
}
_REMARKS = (
    "请尽快发货",
    "不要放快递柜，电话联系",
    "周末送货",
    "送人的，不要放价格单",
    "请用顺丰",
    "包装好一点，易碎",
    "工作日白天不在家，放门卫",
    "需要开发票",
)
_FREE_SHIPPING_FROM = {
    Channel.TAOBAO: 4_900,
    Channel.JD: 9_900,
    Channel.WECHAT_MP: 9_900,
}
#: 偏远地区加收运费: parcels to the far west cost the merchant extra.
_SURCHARGE_PROVINCES = REMOTE_PROVINCES | {"青海省", "甘肃省", "宁夏回族自治区", "内蒙古自治区"}


@dataclass(frozen=True, slots=True)
class DemandCurve:
    """Relative order rates for the 24 hours of a day, Asia/Shanghai time."""

    weights: tuple[float, ...]
    promo_hour: int | None = None

    @classmethod
    def retail_day(cls, *, promo_hour: int | None = 20, boost: float = 3.0) -> DemandCurve:
        """The retail day; ``promo_hour`` (e.g. 20:00, when 大促 opens) sells ``boost`` times more."""
        weights = list(RETAIL_DAY)
        if promo_hour is not None:
            weights[promo_hour] *= boost
        return cls(tuple(weights), promo_hour)

    def __post_init__(self) -> None:
        if len(self.weights) != 24 or min(self.weights) < 0 or sum(self.weights) <= 0:
            raise ValueError("a demand curve needs 24 non-negative hourly weights")

    def shares(self) -> tuple[float, ...]:
        total = sum(self.weights)
        return tuple(w / total for w in self.weights)

    def peak_ratio(self) -> float:
        """The busiest hour's rate over the day's mean hourly rate."""
        return max(self.weights) / (sum(self.weights) / 24)

    def rate_per_s(self, hour: int, orders_per_day: float) -> float:
        """Orders per simulated second during this hour of a day of ``orders_per_day``."""
        return self.shares()[hour] * orders_per_day / 3600

    def hourly_counts(self, total: int, first_hour: int = 0) -> list[int]:
        """``total`` orders spread over 24 hours starting at ``first_hour``; sums exactly.

        Largest remainder rounding, so every hour gets its fair share within one order.
        """
        shares = self.shares()
        order = [(first_hour + k) % 24 for k in range(24)]
        exact = [total * shares[h] for h in order]
        counts = [math.floor(x) for x in exact]
        rest = total - sum(counts)
        by_remainder = sorted(range(24), key=lambda k: (counts[k] - exact[k], k))
        for k in by_remainder[:rest]:
            counts[k] += 1
        return counts


def schedule(curve: DemandCurve, start_ns: int, total: int, rng: random.Random) -> list[int]:
    """Placement times (sorted) of ``total`` orders over the 24 hours from ``start_ns``.

    ``start_ns`` should fall on a full hour. Inside the 大促 hour orders crowd the first
    minutes (everyone waits for the bell), elsewhere they spread evenly.
    """
    first_hour = local_time(start_ns).hour
    times: list[int] = []
    for k, count in enumerate(curve.hourly_counts(total, first_hour)):
        base = start_ns + k * HOUR_NS
        rush = (first_hour + k) % 24 == curve.promo_hour
        for _ in range(count):
            offset = min(rng.expovariate(1 / 900), 3599.999) if rush else rng.uniform(0, 3600)
            times.append(base + int(offset * NS_PER_S))
    times.sort()
    return times


class OrderFactory:
    """Makes canonical orders for a world; deterministic for a seed and a call sequence."""

    def __init__(self, world: World, divisions: Divisions, seed: int, curve: DemandCurve | None = None):
        self.world = world
        self.curve = curve or DemandCurve.retail_day()
        self.rng = random.Random(f"{seed}:demand")
        self._places = Places(divisions)
        self._skus = {s.sku: s for s in world.skus}
        self._popular = list(world.popularity)
        self._popular_cum = list(accumulate(zipf_weights(len(self._popular))))
        self._bestsellers = (self._popular[:B2B_ASSORTMENT], self._popular_cum[:B2B_ASSORTMENT])
        people = [c for c in world.customers if "b2b" not in c.tags]
        self._people = people or list(world.customers)
        self._people_cum = list(accumulate(_TIER_ACTIVITY[c.tier] for c in self._people))
        self._companies = [c for c in world.customers if "b2b" in c.tags] or self._people
        self._channels = [c for c, _ in CHANNEL_MIX]
        self._channel_cum = list(accumulate(w for _, w in CHANNEL_MIX))
        self._homes: dict[str, tuple[Place, str]] = {}
        self._issued: set[tuple[str, str]] = set()

    def make(self, placed_at_ns: int, channel: str | None = None) -> Order:
        rng = self.rng
        ch = Channel(channel) if channel else rng.choices(self._channels, cum_weights=self._channel_cum)[0]
        b2b = ch is Channel.B2B
        if b2b:
            customer = rng.choice(self._companies)
        else:
            customer = rng.choices(self._people, cum_weights=self._people_cum)[0]
        promo = self.curve.promo_hour is not None and local_time(placed_at_ns).hour == self.curve.promo_hour
        lines = self._lines(b2b)
        if not b2b and rng.random() < GIFT_SHARE:
            lines.append(self._gift(lines))
        goods = sum(line.amount_fen for line in lines)
        ship_to = self._ship_to(customer, b2b)
        tags = [PROMO_TAG] if promo else []
        priority = 0
        if customer.tier is CustomerTier.DIAMOND and rng.random() < 0.2:
            tags.append(URGENT_TAG)
            priority = 1
        paid = b2b or ch is Channel.POS or rng.random() >= UNPAID_SHARE
        return Order(
            id="",
            channel=ch.value,
            external_id=self._external_id(ch.value, placed_at_ns),
            customer_ref=customer.ref,
            ship_to=ship_to,
            lines=tuple(lines),
            placed_at_ns=placed_at_ns,
            paid_at_ns=placed_at_ns + rng.randint(3, 90) * NS_PER_S if paid else None,
            freight_fen=self._freight(ch, goods, lines, ship_to.province),
            discount_fen=self._order_discount(goods, promo),
            tags=tuple(tags),
            priority=priority,
            remark=rng.choice(_REMARKS) if rng.random() < 0.1 else "",
        )

    # lines ------------------------------------------------------------------
    def _lines(self, b2b: bool) -> list[Line]:
        rng = self.rng
        n = rng.choices((1, 2, 3, 4, 5), _LINES_WEIGHTS)[0]
        # Bulk buyers restock the bestsellers; shoppers roam the whole catalogue.
        population, cum = self._bestsellers if b2b else (self._popular, self._popular_cum)
        picked: list[Sku] = []
        for _ in range(n * 3):  # a few redraws so one order does not list a SKU twice
            sku = self._skus[rng.choices(population, cum_weights=cum)[0]]
            if sku not in picked:
                picked.append(sku)
            if len(picked) == n:
                break
        out: list[Line] = []
        for sku in picked:
            qty = rng.randint(5, 30) if b2b else rng.choices((1, 2, 3), (0.8, 0.14, 0.06))[0]
            discount = 0
            if rng.random() < 0.15:  # a shop coupon on this item, in whole yuan
                discount = int(qty * sku.price_fen * rng.uniform(0.05, 0.2)) // 100 * 100
            if b2b:  # negotiated price for bulk buyers
                discount = qty * sku.price_fen * rng.randint(5, 15) // 100
            out.append(Line(sku.sku, qty, sku.price_fen, sku.flags, discount))
        return out

    def _gift(self, lines: Sequence[Line]) -> Line:
        taken = {line.sku for line in lines}
        choices = [s for s in self.world.gift_skus if s not in taken] or list(self.world.gift_skus)
        sku = self._skus[self.rng.choice(choices)]
        return Line(sku.sku, 1, 0, sku.flags | {LineFlag.GIFT.value})

    # money ------------------------------------------------------------------
    def _freight(self, ch: Channel, goods: int, lines: Sequence[Line], province: str) -> int:
        if ch is Channel.POS:
            return 0
        if ch is Channel.B2B:
            kg = sum(self._skus[line.sku].weight_g * line.quantity for line in lines) / 1000
            return 1_000 + int(kg * 150)
        # Marketplaces other than these ship free (包邮) by platform rule.
        threshold = _FREE_SHIPPING_FROM.get(ch)
        freight = 800 if threshold is not None and goods < threshold else 0
        if province in _SURCHARGE_PROVINCES:
            freight += 1_500
        return freight

    def _order_discount(self, goods: int, promo: bool) -> int:
        """每满300减50 (full-reduction), far more often in the 大促 hour."""
        if goods < 30_000 or self.rng.random() >= (0.8 if promo else 0.3):
            return 0
        return min(goods, goods // 30_000 * 5_000)

    # who and where ----------------------------------------------------------
    def _ship_to(self, customer: Customer, b2b: bool) -> Address:
        rng = self.rng
        home = self._homes.get(customer.ref)
        if home is None:
            home = self._homes[customer.ref] = (self._places.pick(rng), street_address(rng))
        place, detail = home
        name, phone = (person_name(rng), mobile(rng)) if b2b else (customer.name, customer.phone)
        if not b2b and rng.random() < 0.15:  # a present for someone elsewhere
            place, detail = self._places.pick(rng), street_address(rng)
            name, phone = person_name(rng), mobile(rng)
        return Address(
            province=place.province.name,
            city=place.city.name,
            district=place.district_name,
            detail=detail,
            adcode=place.district.adcode,
            lat=place.district.lat,
            lng=place.district.lng,
            name=name,
            phone=phone,
        )

    def _external_id(self, channel: str, placed_at_ns: int) -> str:
        while True:
            ext = external_id(channel, placed_at_ns, self.rng)
            if (channel, ext) not in self._issued:
                self._issued.add((channel, ext))
                return ext
