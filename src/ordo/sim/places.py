"""Where orders ship to: real districts from the division registry, weighted to big cities.

Only city names are written here (the tiers of China's city rankings); every
province, city and district name, adcode and coordinate of an address comes from
the registry. Pure apart from reading the registry it is handed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

from ordo.adapters.geo import Division, Divisions
from ordo.sim.world import NOT_SERVED_PROVINCE_CODES

# Relative order volume per city: tier 1, the "new tier 1" and strong tier-2 cities buy
# far more online than a prefecture in the interior.
_TIER_1 = "北京 上海 广州 深圳"
_NEW_TIER_1 = "成都 重庆 杭州 武汉 西安 苏州 郑州 南京 天津 长沙 东莞 宁波 佛山 合肥 青岛"
_TIER_2 = (
    "昆明 沈阳 济南 无锡 厦门 福州 温州 金华 哈尔滨 大连 贵阳 南宁 泉州 石家庄 长春 "
    "南昌 惠州 常州 嘉兴 徐州 南通 太原 保定 珠海 中山 兰州 临沂 潍坊 烟台 绍兴"
)
_WEIGHTS = ((_TIER_1, 14.0), (_NEW_TIER_1, 6.0), (_TIER_2, 2.5))
_CAPITAL_WEIGHT = 2.0
_OTHER_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Place:
    province: Division
    city: Division
    #: The district, or the city itself where the registry lists none (东莞, 中山).
    district: Division

    @property
    def district_name(self) -> str:
        return "" if self.district is self.city else self.district.name


class Places:
    """A weighted sampler of ship-to districts."""

    def __init__(self, div: Divisions) -> None:
        named: dict[str, float] = {}
        for names, weight in _WEIGHTS:
            for name in names.split():
                found = div.find(name)
                if found is not None:
                    named[found.adcode] = weight
        # One pass over the registry instead of a scan per city (3,000+ divisions × 338 cities).
        districts: dict[str, list[Division]] = {}
        for d in sorted(div.by_code.values(), key=lambda d: d.adcode):
            if d.level == "district":
                districts.setdefault(d.adcode[:4], []).append(d)
                districts.setdefault(d.adcode[:2], []).append(d)
        self._cities: list[tuple[Division, Division, list[Division]]] = []
        weights: list[float] = []
        for city in div.cities():
            if city.adcode[:2] in NOT_SERVED_PROVINCE_CODES:
                continue
            province = div.province_of(city)
            # A province's capital is its first prefecture (adcode xx01xx), municipalities aside.
            capital = city.adcode[2:4] == "01" or city.level == "province"
            weights.append(named.get(city.adcode, _CAPITAL_WEIGHT if capital else _OTHER_WEIGHT))
            prefix = city.adcode[:2] if city.level == "province" else city.adcode[:4]
            self._cities.append((province, city, districts.get(prefix, [])))
        self._cum = list(accumulate(weights))

    def pick(self, rng: random.Random) -> Place:
        province, city, districts = rng.choices(self._cities, cum_weights=self._cum)[0]
        return Place(province, city, rng.choice(districts) if districts else city)
