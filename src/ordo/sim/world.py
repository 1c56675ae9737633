"""The simulated world: warehouses in real Chinese cities, carriers, SKUs, customers, stock.

``generate_world(seed)`` is pure and deterministic: the same seed gives an equal
``World``, another seed a different one. Warehouse sites are named here (city and
district names only); their adcodes and coordinates always come from the division
registry, never typed by hand. ``load_world`` writes a world through the catalog
service, the one way in, and records the seed so a run can be reproduced.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from ordo.adapters.geo import Division, Divisions, load_divisions
from ordo.adapters.geo.divisions import MUNICIPALITIES
from ordo.domain.orders.model import Carrier, Customer, CustomerTier, Sku, Stock, Warehouse, WarehouseClass
from ordo.service.inventory.catalog import save_catalog
from ordo.service.runtime.app import Ordo
from ordo.sim.people import mobile, person_name
from ordo.sim.products import CATEGORIES

#: Exponent of the SKU popularity law: rank r sells ∝ 1 / r**ZIPF_S.
ZIPF_S = 0.85
#: The daily order volume stock is sized for (a busy but not a 大促 day).
NOMINAL_ORDERS_PER_DAY = 30_000
_UNITS_PER_ORDER = 2.4  # lines per order × units per line, on average
#: Stock on hand in days of nominal demand (周转天数): a week to three.
DAYS_OF_COVER = (7.0, 20.0)

ALL = frozenset({"cold_chain", "hazmat", "oversize"})
COLD, HAZ, BIG = frozenset({"cold_chain"}), frozenset({"hazmat"}), frozenset({"oversize"})
NO: frozenset[str] = frozenset()
OWN, REG, TPL = WarehouseClass.OWN, WarehouseClass.REGIONAL, WarehouseClass.THIRD_PARTY


@dataclass(frozen=True, slots=True)
class Site:
    """A warehouse site by name; the registry supplies where it is."""

    code: str
    city: str
    district: str
    klass: WarehouseClass
    capabilities: frozenset[str]


# The national DCs (own) sit in the seven big logistics hubs plus Hangzhou; regional
# warehouses cover the other big cities and the far west; 3PL 云仓 fill the rich
# coastal belt (佛山/东莞 for furniture, 宁波 port for dangerous goods).
# fmt: off
SITES: tuple[Site, ...] = (
    Site("SHA", "上海", "嘉定区", OWN, ALL), Site("PEK", "北京", "大兴区", OWN, ALL),
    Site("CAN", "广州", "白云区", OWN, ALL), Site("WUH", "武汉", "东西湖区", OWN, ALL),
    Site("CTU", "成都", "双流区", OWN, ALL), Site("XIY", "西安", "灞桥区", OWN, COLD | BIG),
    Site("SHE", "沈阳", "于洪区", OWN, COLD | BIG), Site("HGH", "杭州", "余杭区", OWN, COLD | BIG),
    Site("SZX", "深圳", "宝安区", REG, COLD), Site("CGO", "郑州", "新郑市", REG, ALL),
    Site("CKG", "重庆", "渝北区", REG, COLD | BIG), Site("TSN", "天津", "东丽区", REG, BIG),
    Site("NKG", "南京", "江宁区", REG, COLD), Site("CSX", "长沙", "长沙县", REG, NO),
    Site("TNA", "济南", "历城区", REG, NO), Site("TAO", "青岛", "即墨市", REG, COLD),
    Site("XMN", "厦门", "集美区", REG, NO), Site("HFE", "合肥", "肥西县", REG, NO),
    Site("KMG", "昆明", "官渡区", REG, COLD), Site("NNG", "南宁", "江南区", REG, NO),
    Site("KWE", "贵阳", "观山湖区", REG, NO), Site("HRB", "哈尔滨", "道里区", REG, COLD),
    Site("URC", "乌鲁木齐", "米东区", REG, BIG), Site("LHW", "兰州", "城关区", REG, NO),
    Site("SZV", "苏州", "吴江区", TPL, NO), Site("NGB", "宁波", "北仑区", TPL, HAZ),
    Site("DGM", "东莞", "", TPL, BIG), Site("FUO", "佛山", "南海区", TPL, BIG | HAZ),
    Site("WUX", "无锡", "新吴区", TPL, NO), Site("KHN", "南昌", "南昌县", TPL, NO),
    Site("FOC", "福州", "闽侯县", TPL, NO), Site("SJW", "石家庄", "正定县", TPL, NO),
    Site("TYN", "太原", "小店区", TPL, NO), Site("CGQ", "长春", "绿园区", TPL, NO),
    Site("HET", "呼和浩特", "赛罕区", TPL, NO), Site("LXA", "拉萨", "堆龙德庆区", TPL, NO),
    # Beyond the default 36: more 3PL sites, used when a bigger network is asked for.
    Site("JXG", "嘉兴", "嘉善县", TPL, NO), Site("LFW", "廊坊", "广阳区", TPL, BIG),
    Site("HAK", "海口", "美兰区", TPL, NO), Site("INC", "银川", "兴庆区", TPL, NO),
    Site("XNN", "西宁", "城东区", TPL, NO),
)
# fmt: on

_CLASS_SUFFIX = {OWN: "中心仓", REG: "区域仓", TPL: "云仓"}
_CAPACITY = {OWN: (30_000, 80_000), REG: (8_000, 25_000), TPL: (3_000, 12_000)}

#: Provinces the 通达 networks and 极兔 do not serve in this world; 顺丰, 京东 and EMS do.
REMOTE_PROVINCES = frozenset({"新疆维吾尔自治区", "西藏自治区"})
#: Outside the mainland network (customs, different carriers).
NOT_SERVED_PROVINCE_CODES = frozenset({"71", "81", "82"})

_TIERS = (CustomerTier.REGULAR, CustomerTier.SILVER, CustomerTier.GOLD, CustomerTier.DIAMOND)
_TIER_WEIGHTS = (0.72, 0.18, 0.08, 0.02)
#: Share of customers that are businesses (the b2b channel's buyers).
B2B_SHARE = 0.02
#: Where the catalog remembers which seed its world was generated from.
WORLD_SEED_KEY = "sim.seed"
WORLD_SIZE_KEY = "sim.size"


@dataclass(frozen=True, slots=True)
class World:
    seed: int
    warehouses: tuple[Warehouse, ...]
    carriers: tuple[Carrier, ...]
    skus: tuple[Sku, ...]
    customers: tuple[Customer, ...]
    stock: tuple[Stock, ...]
    #: SKU ids, best seller first; demand draws from it with a Zipf law.
    popularity: tuple[str, ...]
    #: Cheap giftable SKUs, stocked deep in every own warehouse.
    gift_skus: tuple[str, ...]
    #: Hot SKUs with little stock (限量款): they sell out and put orders on hold.
    scarce_skus: tuple[str, ...]


def zipf_weights(n: int, s: float = ZIPF_S) -> list[float]:
    """Relative popularity of ranks 1..n, normalised to sum to 1."""
    raw = [1.0 / (r**s) for r in range(1, n + 1)]
    total = sum(raw)
    return [w / total for w in raw]


def generate_world(
    seed: int,
    *,
    warehouses: int = 36,
    skus: int = 2400,
    customers: int = 5000,
    divisions: Divisions | None = None,
) -> World:
    if not 1 <= warehouses <= len(SITES):
        raise ValueError(f"warehouses must be 1..{len(SITES)}")
    if skus < 1 or customers < 1:
        raise ValueError("skus and customers must be positive")
    div = divisions or load_divisions()
    # One stream per part, so changing how many customers there are leaves the SKUs alone.
    whs = _warehouses(random.Random(f"{seed}:warehouses"), div, SITES[:warehouses])
    items, giftable = _skus(random.Random(f"{seed}:skus"), skus)
    rng = random.Random(f"{seed}:popularity")
    popularity = [s.sku for s in items]
    rng.shuffle(popularity)
    gifts = sorted(rng.sample(giftable, min(12, len(giftable))))
    # Hot but not the very hottest: a limited edition sells out within the day, it does not
    # put a fifth of all orders on hold.
    hot = [sku for sku in popularity[10:150] if sku not in gifts]
    scarce = tuple(sorted(rng.sample(hot, min(5, len(hot)))))
    stock = _stock(random.Random(f"{seed}:stock"), whs, items, popularity, set(gifts), set(scarce))
    people = _customers(random.Random(f"{seed}:customers"), customers)
    return World(
        seed=seed,
        warehouses=tuple(whs),
        carriers=carriers(div),
        skus=tuple(items),
        customers=tuple(people),
        stock=tuple(stock),
        popularity=tuple(popularity),
        gift_skus=tuple(gifts),
        scarce_skus=scarce,
    )


def load_world(app: Ordo, world: World) -> None:
    """Write the world into Ordo's catalog in one transaction, with its seed in meta."""
    save_catalog(
        app,
        warehouses=world.warehouses,
        carriers=world.carriers,
        skus=world.skus,
        customers=world.customers,
        stock=world.stock,
        meta={
            WORLD_SEED_KEY: str(world.seed),
            WORLD_SIZE_KEY: f"{len(world.warehouses)},{len(world.skus)},{len(world.customers)}",
        },
    )


def ensure_world(
    app: Ordo, seed: int, *, warehouses: int = 36, skus: int = 2400, customers: int = 5000
) -> World:
    """The world in Ordo's catalog: rebuilt from its stored seed, or generated and loaded.

    A stored world is never written again, so its stock levels (moved by earlier
    runs) stay as they are.
    """
    with app.store.uow(read_only=True) as uow:
        stored = uow.catalog.get_meta(WORLD_SEED_KEY)
        size = uow.catalog.get_meta(WORLD_SIZE_KEY)
    if stored is not None:
        w, s, c = (int(v) for v in (size or "36,2400,5000").split(","))
        return generate_world(int(stored), warehouses=w, skus=s, customers=c, divisions=app.divisions)
    world = generate_world(
        seed, warehouses=warehouses, skus=skus, customers=customers, divisions=app.divisions
    )
    load_world(app, world)
    return world


def site_division(div: Divisions, site: Site) -> tuple[Division, Division, Division]:
    """(province, city, site) divisions of a warehouse site, from the registry."""
    city = div.find(site.city)
    if city is None:
        raise LookupError(f"city {site.city} not in the division registry")
    scope = city.adcode[:2] if city.adcode[:2] in MUNICIPALITIES else city.adcode[:4]
    place = div.find(site.district, scope) if site.district else city
    if place is None:
        raise LookupError(f"district {site.district} of {site.city} not in the division registry")
    return div.province_of(city), city, place


def _short(name: str) -> str:
    for suffix in ("新区", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _warehouses(rng: random.Random, div: Divisions, sites: Sequence[Site]) -> list[Warehouse]:
    out: list[Warehouse] = []
    for n, site in enumerate(sites, start=1):
        province, city, place = site_division(div, site)
        district = _short(place.name) if place is not city else ""
        lo, hi = _CAPACITY[site.klass]
        out.append(
            Warehouse(
                id=f"WH-{site.code}-{n:02d}",
                name=f"{_short(city.name)}{district}{_CLASS_SUFFIX[site.klass]}",
                province=province.name,
                city=city.name,
                adcode=place.adcode,
                lat=place.lat,
                lng=place.lng,
                klass=site.klass,
                capabilities=site.capabilities,
                daily_capacity=rng.randrange(lo, hi, 500),
            )
        )
    return out


def carriers(div: Divisions) -> tuple[Carrier, ...]:
    """The eight carriers; the 通达 networks and 极兔 skip the remote west."""
    mainland = frozenset(p.name for p in div.provinces() if p.adcode[:2] not in NOT_SERVED_PROVINCE_CODES)
    partial = mainland - REMOTE_PROVINCES
    # Nationwide coverage is spelled out rather than left empty, so a reader sees it.
    return (
        Carrier("sf", "顺丰速运", mainland, COLD | HAZ, 400_000, 1_200, 400),
        Carrier("jdl", "京东物流", mainland, COLD | BIG, 350_000, 1_100, 350),
        Carrier("ems", "中国邮政EMS", mainland, BIG, 300_000, 1_000, 300),
        Carrier("zto", "中通快递", partial, NO, 900_000, 450, 150),
        Carrier("yto", "圆通速递", partial, NO, 800_000, 450, 150),
        Carrier("yunda", "韵达快递", partial, NO, 700_000, 420, 150),
        Carrier("sto", "申通快递", partial, NO, 600_000, 400, 140),
        Carrier("jtexpress", "极兔速递", partial, NO, 700_000, 380, 130),
    )


def _retail_price_fen(rng: random.Random, lo: float, hi: float) -> int:
    """A log-uniform price in the band, ending in 9 or .90 like shelf prices do."""
    yuan = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    if yuan < 20:
        return max(90, int(yuan) * 100 + 90)
    if yuan < 1000:
        return (int(yuan) // 10 * 10 + 9) * 100
    return (int(yuan) // 100 * 100 + 99) * 100


def _skus(rng: random.Random, n: int) -> tuple[list[Sku], list[str]]:
    """The catalogue, and the ids of the SKUs fit to be given away."""
    total_share = sum(c.share for c in CATEGORIES)
    counts = [int(n * c.share / total_share) for c in CATEGORIES]
    for i in range(n - sum(counts)):  # hand out the rounding remainder
        counts[i % len(counts)] += 1
    out: list[Sku] = []
    gifts: list[str] = []
    for cat, count in zip(CATEGORIES, counts, strict=True):
        combos = [(b, p, s) for b in cat.brands for p in cat.products for s in cat.specs]
        rng.shuffle(combos)
        for k in range(count):
            brand, product, spec = combos[k % len(combos)]
            edition = f" 第{k // len(combos) + 1}代" if k >= len(combos) else ""
            sku_id = f"SKU-{cat.code}-{k + 1:05d}"
            if product.giftable:
                gifts.append(sku_id)
            out.append(
                Sku(
                    sku=sku_id,
                    name=f"{brand} {product.name} {spec}{edition}",
                    category=cat.name,
                    price_fen=_retail_price_fen(rng, *product.price_yuan),
                    weight_g=rng.randint(*product.weight_g),
                    flags=product.flags,
                )
            )
    return out, gifts


def _stock(
    rng: random.Random,
    whs: Sequence[Warehouse],
    items: Sequence[Sku],
    popularity: Sequence[str],
    gifts: set[str],
    scarce: set[str],
) -> list[Stock]:
    """Every SKU in each capable own DC (deepest), popular ones also regionally and at 3PLs."""
    share = zipf_weights(len(popularity))
    rank = {sku: r for r, sku in enumerate(popularity)}
    out: list[Stock] = []
    for sku in items:
        r = rank[sku.sku]
        able = [w for w in whs if w.can_handle(sku.flags)]
        own = [w for w in able if w.klass is OWN]
        regional = [w for w in able if w.klass is REG]
        tpl = [w for w in able if w.klass is TPL]
        if sku.sku in scarce:
            # A limited edition: a few dozen units at most, in one or two DCs.
            for w in rng.sample(own or able, min(2, len(own or able))):
                out.append(Stock(w.id, sku.sku, rng.randint(6, 20)))
            continue
        daily = NOMINAL_ORDERS_PER_DAY * _UNITS_PER_ORDER * share[r]
        total = max(60, int(daily * rng.uniform(*DAYS_OF_COVER)))
        placed: list[tuple[Warehouse, float]] = [(w, 0.65 / max(1, len(own))) for w in own]
        if r < len(popularity) * 0.4 and regional:
            picks = rng.sample(regional, min(len(regional), rng.randint(4, 6)))
            placed += [(w, 0.25 / len(picks)) for w in picks]
        if tpl and rng.random() < 0.5:
            picks = rng.sample(tpl, min(len(tpl), rng.randint(1, 3)))
            placed += [(w, 0.1 / len(picks)) for w in picks]
        if not placed and able:
            placed = [(rng.choice(able), 1.0)]
        for w, part in placed:
            on_hand = max(4, int(total * part * rng.uniform(0.7, 1.3)))
            if sku.sku in gifts and w.klass is OWN:
                on_hand += 5_000
            out.append(Stock(w.id, sku.sku, on_hand, safety=on_hand // 50))
    return out


def _customers(rng: random.Random, n: int) -> list[Customer]:
    # Companies are registered in the big cities where the sites are.
    cities = sorted({s.city for s in SITES})
    out: list[Customer] = []
    n_b2b = max(1, int(n * B2B_SHARE)) if n >= 10 else 0
    for i in range(n):
        ref = f"C{i + 1:07d}"
        if i >= n - n_b2b:
            city = rng.choice(cities)
            kind = rng.choice(("商贸", "科技", "餐饮管理", "连锁超市", "酒店管理", "建材"))
            out.append(
                Customer(
                    ref,
                    f"{city}{person_name(rng)[-2:]}{kind}有限公司",
                    CustomerTier.GOLD,
                    mobile(rng),
                    ("b2b",),
                )
            )
            continue
        tier = rng.choices(_TIERS, _TIER_WEIGHTS)[0]
        out.append(Customer(ref, person_name(rng), tier, mobile(rng)))
    return out
