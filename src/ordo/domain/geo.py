"""Great-circle distances, scalar and vectorised (NumPy), and the province-level divisions.

The 34 province-level divisions are data every layer needs without the division registry
(the router names provinces, filters and the overview count by them): their adcode
prefix, full and short names and English spellings. Cities and districts live in the
registry (``ordo.adapters.geo``). Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088

FloatArray = npt.NDArray[np.float64]


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def distance_matrix_km(
    lat_a: FloatArray, lng_a: FloatArray, lat_b: FloatArray, lng_b: FloatArray
) -> FloatArray:
    """Distances from every point of A (rows) to every point of B (columns)."""
    pa, la = np.radians(lat_a)[:, None], np.radians(lng_a)[:, None]
    pb, lb = np.radians(lat_b)[None, :], np.radians(lng_b)[None, :]
    a = np.sin((pb - pa) / 2) ** 2 + np.cos(pa) * np.cos(pb) * np.sin((lb - la) / 2) ** 2
    result: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


# -- province-level divisions -------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Province:
    """One of the 34 province-level divisions: its adcode prefix, its names."""

    code: str  # the adcode's first two digits
    name: str  # the registry's full name, the one Ordo stores (上海市, 广西壮族自治区)
    short: str  # as people write it (上海, 广西)
    english: tuple[str, ...]  # English / pinyin spellings, lower case, no spaces

    @property
    def adcode(self) -> str:
        return self.code + "0000"


#: The province-level divisions as GB/T 2260 names them (and as the shipped division table
#: spells them): 23 provinces (台湾省 included, as the data has it), 4 municipalities,
#: 5 autonomous regions and 2 special administrative regions.
PROVINCES: tuple[Province, ...] = (
    Province("11", "北京市", "北京", ("beijing", "peking")),
    Province("12", "天津市", "天津", ("tianjin",)),
    Province("13", "河北省", "河北", ("hebei",)),
    Province("14", "山西省", "山西", ("shanxi",)),
    Province("15", "内蒙古自治区", "内蒙古", ("neimenggu", "innermongolia", "neimongol")),
    Province("21", "辽宁省", "辽宁", ("liaoning",)),
    Province("22", "吉林省", "吉林", ("jilin",)),
    Province("23", "黑龙江省", "黑龙江", ("heilongjiang",)),
    Province("31", "上海市", "上海", ("shanghai",)),
    Province("32", "江苏省", "江苏", ("jiangsu",)),
    Province("33", "浙江省", "浙江", ("zhejiang",)),
    Province("34", "安徽省", "安徽", ("anhui",)),
    Province("35", "福建省", "福建", ("fujian",)),
    Province("36", "江西省", "江西", ("jiangxi",)),
    Province("37", "山东省", "山东", ("shandong",)),
    Province("41", "河南省", "河南", ("henan",)),
    Province("42", "湖北省", "湖北", ("hubei",)),
    Province("43", "湖南省", "湖南", ("hunan",)),
    Province("44", "广东省", "广东", ("guangdong",)),
    Province("45", "广西壮族自治区", "广西", ("guangxi",)),
    Province("46", "海南省", "海南", ("hainan",)),
    Province("50", "重庆市", "重庆", ("chongqing",)),
    Province("51", "四川省", "四川", ("sichuan",)),
    Province("52", "贵州省", "贵州", ("guizhou",)),
    Province("53", "云南省", "云南", ("yunnan",)),
    Province("54", "西藏自治区", "西藏", ("xizang", "tibet")),
    Province("61", "陕西省", "陕西", ("shaanxi",)),
    Province("62", "甘肃省", "甘肃", ("gansu",)),
    Province("63", "青海省", "青海", ("qinghai",)),
    Province("64", "宁夏回族自治区", "宁夏", ("ningxia",)),
    Province("65", "新疆维吾尔自治区", "新疆", ("xinjiang",)),
    Province("71", "台湾省", "台湾", ("taiwan",)),
    Province("81", "香港特别行政区", "香港", ("hongkong", "xianggang", "hk")),
    Province("82", "澳门特别行政区", "澳门", ("macau", "macao", "aomen")),
)

#: Every spelling → its province: full and short names, the short name with 省 or 自治区
#: (some platforms write 广西省, 内蒙古自治区 as 内蒙古省), the two-digit code, and English /
#: pinyin (``find_province`` also drops spaces and "province", "shi", "sheng"). Never the
#: short name with 市: 吉林市 is a city of 吉林省.
_PROVINCE_BY_SPELLING: Mapping[str, Province] = MappingProxyType(
    {
        key: p
        for p in PROVINCES
        for key in (p.name, p.short, p.short + "省", p.short + "自治区", p.code, *p.english)
    }
)
_LATIN_NOISE = (
    "province",
    "municipality",
    "autonomousregion",
    "specialadministrativeregion",
    "sar",
    "sheng",
    "shi",
)


def province_by_code(adcode: str) -> Province | None:
    """The province an adcode (or any prefix of at least two digits) lies in."""
    return _PROVINCE_BY_SPELLING.get(adcode[:2]) if len(adcode) >= 2 and adcode[:2].isdigit() else None


def find_province(name: str) -> Province | None:
    """A province by any spelling people use: ``上海`` / ``上海市``, ``广西`` / ``广西壮族自治区``,
    ``内蒙古``, ``Guangdong``, ``Hong Kong``, or its two-digit code; None when it names none."""
    key = name.strip()
    found = _PROVINCE_BY_SPELLING.get(key)
    if found is not None or not key.isascii():
        return found
    key = "".join(key.lower().replace("-", " ").replace("'", "").split())
    found = _PROVINCE_BY_SPELLING.get(key)
    for noise in _LATIN_NOISE:
        if found is None and key.endswith(noise) and len(key) > len(noise) + 1:
            found = _PROVINCE_BY_SPELLING.get(key[: -len(noise)])
    return found


def canonical_province(name: str) -> str:
    """The full name of the province ``name`` spells, or ``name`` unchanged when it names none
    (so a place Ordo does not know is kept as it was written, never dropped)."""
    found = find_province(name)
    return found.name if found is not None else name
