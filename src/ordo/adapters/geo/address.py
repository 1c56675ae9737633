"""Chinese address text → province / city / district, adcode, coordinates, confidence.

Reads ``浙江省杭州市西湖区文三路100号``, ``浙江杭州西湖区…`` (no suffixes),
municipalities (``上海市浦东新区…``, ``北京朝阳区…``) and county-level cities directly
under a province (``湖北省潜江市…``), as one text or as the parts a platform sends.

It never guesses: a name that is unknown, ambiguous (``朝阳区`` alone: Beijing or
Changchun?) or contradicts another part (``浙江省南京市``) gives an unresolved
:class:`Resolution` with the reason, and the caller holds the order as an address
incident. Matching is by whole division names at the start of the text only
(never anywhere inside it), so a street called 西湖路 is not taken for 西湖区.
Data: :func:`ordo.adapters.geo.divisions.load_divisions`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ordo.adapters.geo.divisions import MUNICIPALITIES, Division, Divisions, _short
from ordo.adapters.geo.renames import OLD_CITIES, OLD_DISTRICTS
from ordo.domain.geo import find_province

#: Placeholder names in the registry that are not places ("市辖区" etc.).
_FILLER = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
_SUFFIX_CHARS = frozenset("省市区县州盟旗镇乡")
#: An autonomous prefecture's people in its name: 甘孜藏族自治州 is written 甘孜.
_ETHNIC = re.compile(
    r"^(.{2,}?)(?:藏族|羌族|彝族|苗族|土家族|侗族|布依族|哈尼族|傣族|景颇族|傈僳族|白族|壮族|朝鲜族|回族"
    r"|蒙古族|蒙古|哈萨克|柯尔克孜|纳西族|瑶族|黎族|土族|满族)+自治州$"
)


def _ethnic_short(name: str) -> str:
    m = _ETHNIC.match(name)
    return m.group(1) if m else name


#: County-level suffixes a county keeps its stem across (县 → 区 when it joins its city).
_SWAPPABLE = frozenset("县区市")
_STRIP = " \t\r\n,，、;；:：/\\-—()（）[]【】"

CONFIDENCE_DISTRICT = 1.0
CONFIDENCE_DISTRICT_INFERRED_CITY = 0.9
CONFIDENCE_CITY = 0.8
CONFIDENCE_CITY_UNKNOWN_DISTRICT = 0.7


@dataclass(frozen=True, slots=True)
class Resolution:
    province: str = ""
    city: str = ""
    district: str = ""
    adcode: str | None = None
    lat: float | None = None
    lng: float | None = None
    #: 1.0 = district named and consistent; 0.8 = city only; 0 = unresolved.
    confidence: float = 0.0
    #: What was left of the text after the divisions (street and house number).
    rest: str = ""
    #: Why it is unresolved (bilingual), empty when resolved.
    reason: str = ""

    @property
    def resolved(self) -> bool:
        return self.adcode is not None


def _unresolved(reason: str) -> Resolution:
    return Resolution(reason=reason)


class AddressResolver:
    """Name indexes over the division registry; build once, share freely (read-only)."""

    def __init__(self, divisions: Divisions) -> None:
        self._d = divisions
        self._provinces: dict[str, Division] = {}
        #: province code (2 digits) → name → city-level divisions inside it
        self._cities: dict[str, dict[str, list[Division]]] = {}
        #: city container code → name → districts inside it
        self._districts: dict[str, dict[str, list[Division]]] = {}
        #: province code → name → districts inside it (to infer a missing city)
        self._prov_districts: dict[str, dict[str, list[Division]]] = {}
        for d in divisions.by_code.values():
            if d.name in _FILLER:
                continue
            names = {d.name, _short(d.name), _ethnic_short(d.name)}
            if d.level == "province":
                for n in names:
                    self._provinces[n] = d
            elif self._is_city(d):
                for n in names:
                    self._cities.setdefault(d.adcode[:2], {}).setdefault(n, []).append(d)
            if d.level == "district":
                box = self._container(d).adcode
                self._districts.setdefault(box, {}).setdefault(d.name, []).append(d)
                self._prov_districts.setdefault(d.adcode[:2], {}).setdefault(d.name, []).append(d)
        self._add_other_names(divisions)
        self._all_districts: dict[str, list[Division]] = {}
        for by_name in self._prov_districts.values():
            for k, v in by_name.items():
                self._all_districts.setdefault(k, []).extend(v)
        self._max_len = max(len(n) for n in self._provinces) + 8
        self.resolve = functools.lru_cache(maxsize=65_536)(self._resolve)
        self.parse = functools.lru_cache(maxsize=65_536)(self._parse)
        #: An adcode's full canonical names (intake asks once an order): 3,200 codes at most.
        self.canonical = functools.lru_cache(maxsize=8_192)(self._canonical)

    def _add_other_names(self, divisions: Divisions) -> None:
        """Index the names people write beside the registry's own: old names of renamed
        cities and districts (:mod:`ordo.adapters.geo.renames`), and a county under its
        other suffix (崇明县 for 崇明区, 梁平区 for 梁平县, 吴江市 for 吴江区) where that
        names no other division of the same city. Whole names only, suffix included, so
        free text still never matches inside a street name."""
        for old, code in OLD_CITIES.items():
            d = divisions.by_code[code]
            for n in {old, _short(old)}:
                self._cities.setdefault(code[:2], {}).setdefault(n, [d])
        for old, code in OLD_DISTRICTS.items():
            d = divisions.by_code[code]
            self._districts.setdefault(self._container(d).adcode, {}).setdefault(old, [d])
            self._prov_districts.setdefault(code[:2], {}).setdefault(old, [d])
        for box, by_name in self._districts.items():
            swaps: dict[str, list[Division]] = {}
            for name, found in by_name.items():
                stem, suffix = name[:-1], name[-1:]
                if len(found) != 1 or suffix not in _SWAPPABLE or len(stem) < 2:
                    continue
                for other in _SWAPPABLE - {suffix}:
                    if stem + other not in by_name:
                        swaps.setdefault(stem + other, []).append(found[0])
            for name, found in swaps.items():
                if len(found) == 1:
                    by_name[name] = found
                    self._prov_districts.setdefault(box[:2], {}).setdefault(name, found)

    def province(self, name: str) -> Division | None:
        """The province-level division any spelling names (上海, 广西壮族自治区, Guangdong)."""
        found = self._provinces.get(name)
        if found is None:
            p = find_province(name)
            found = self._d.by_code.get(p.adcode) if p is not None else None
        return found

    # -- the registry's shape ---------------------------------------------------
    def _is_city(self, d: Division) -> bool:
        """Prefecture-level cities, and county-level cities that no prefecture holds."""
        if d.adcode[:2] in MUNICIPALITIES:
            return False
        if d.level == "city":
            return True
        parent = self._d.by_code.get(d.adcode[:4] + "00")
        return d.level == "district" and (parent is None or parent.name in _FILLER) and d.name.endswith("市")

    def _container(self, d: Division) -> Division:
        """The city a district belongs to (the municipality itself for 北京 etc.)."""
        province = self._d.province_of(d)
        if d.adcode[:2] in MUNICIPALITIES:
            return province
        parent = self._d.by_code.get(d.adcode[:4] + "00")
        if parent is None or parent.name in _FILLER:
            return d if d.name.endswith("市") else province
        return parent

    def _result(self, d: Division, confidence: float, rest: str = "") -> Resolution:
        province = self._d.province_of(d)
        if d.level == "province" or d.level == "city" or self._is_city(d):
            city, district = d, None
        else:
            city, district = self._container(d), d
        return Resolution(
            province=province.name,
            city=city.name,
            district=district.name if district else "",
            adcode=d.adcode,
            lat=d.lat,
            lng=d.lng,
            confidence=confidence,
            rest=rest,
        )

    def _canonical(self, adcode: str) -> Resolution | None:
        """The full canonical names of the division an adcode names (6 digits, or the
        12-digit form), with its coordinates; None when the registry has no such code."""
        d = self._d.by_code.get(adcode[:6].ljust(6, "0")) if adcode[:6].isdigit() else None
        return None if d is None or d.name in _FILLER else self._result(d, CONFIDENCE_DISTRICT)

    @staticmethod
    def _one(found: list[Division] | None) -> Division | bool | None:
        """The single match, None for none, False for ambiguous."""
        if not found:
            return None
        return found[0] if len(found) == 1 else False

    # -- parts, as platforms send them ----------------------------------------
    def _resolve(self, province: str, city: str, district: str = "", text: str = "") -> Resolution:
        province, city, district = province.strip(), city.strip(), district.strip()
        if not (province or city or district):
            return self._parse(text) if text else _unresolved("no address / 没有地址")
        if "*" in province or "*" in city:
            return _unresolved("address is masked / 地址被隐藏")
        prov = self.province(province) if province else None
        if province and prov is None:
            return _unresolved(f"unknown province {province!r} / 未知省份「{province}」")
        if prov is None:
            return self._parse(city + district + text)
        code = prov.adcode[:2]
        if code not in self._cities and code not in MUNICIPALITIES:
            # 香港, 澳门, 台湾: the registry has the province-level division only.
            return self._result(prov, CONFIDENCE_CITY)
        if code in MUNICIPALITIES:
            if city and city not in _FILLER and self.province(city) is not prov:
                # JD and others put a municipality's district in the city field (北京/朝阳区/
                # 三环到四环之间): the first part that names a district of it wins.
                names = self._districts.get(prov.adcode, {})
                district = city if city in names or not district else district
            box: Division | None = prov
        elif city:
            match = self._one(self._cities.get(code, {}).get(city))
            if match is False:
                return _unresolved(f"ambiguous city {city!r} / 城市「{city}」不唯一")
            if match is None:
                return _unresolved(f"{city!r} is not a city of {prov.name} / 「{city}」不属于{prov.name}")
            assert isinstance(match, Division)
            box = match
        else:
            box = None
        if district:
            scope = self._districts.get(box.adcode, {}) if box else self._prov_districts.get(code, {})
            found = self._one(scope.get(district))
            if isinstance(found, Division):
                conf = CONFIDENCE_DISTRICT if box else CONFIDENCE_DISTRICT_INFERRED_CITY
                return self._result(found, conf)
            if found is False:
                return _unresolved(f"ambiguous district {district!r} / 区县「{district}」不唯一")
            if box is None:
                return _unresolved(f"unknown district {district!r} / 未知区县「{district}」")
            if (box.adcode[4:6] == "00" and box is not prov) or code in MUNICIPALITIES:
                # A district the registry does not know (new or renamed): the city is still sure.
                return self._result(box, CONFIDENCE_CITY_UNKNOWN_DISTRICT)
        if box is None or (box is prov and code not in MUNICIPALITIES):
            return _unresolved(f"no city in the address / 地址缺少城市 ({prov.name})")
        return self._result(box, CONFIDENCE_CITY)

    # -- free text --------------------------------------------------------------
    def _prefix(self, text: str, names: dict[str, list[Division]] | dict[str, Division]) -> tuple[str, int]:
        """The longest name in ``names`` that ``text`` starts with, and its length."""
        for n in range(min(len(text), self._max_len), 1, -1):
            if text[:n] in names:
                if n < len(text) and text[n] in _SUFFIX_CHARS and text[n - 1] not in _SUFFIX_CHARS:
                    continue  # "朝阳" of 朝阳区 is not the city 朝阳(市): a short name must end a word
                return text[:n], n
        return "", 0

    def _parse(self, text: str) -> Resolution:
        s = text.strip(_STRIP)
        if not s:
            return _unresolved("no address / 没有地址")
        name, n = self._prefix(s, self._provinces)
        prov = self._provinces.get(name) if n else None
        s = s[n:].lstrip(_STRIP)
        if prov is None:
            # No province: a city (or a district) named at the start, if unique nationwide.
            cities = [d for by_name in self._cities.values() for d in by_name.get(self._city_prefix(s), [])]
            if len(cities) == 1:
                return self._after_city(cities[0], s[len(self._city_prefix(s)) :], CONFIDENCE_DISTRICT)
            if len(cities) > 1:
                return _unresolved(f"ambiguous city in {text!r} / 城市不唯一")
            all_districts = self._all_districts
            dname, dn = self._prefix(s, all_districts)
            found = self._one(all_districts.get(dname)) if dn else None
            if isinstance(found, Division) and found.adcode[:2] in MUNICIPALITIES:
                return self._result(found, CONFIDENCE_DISTRICT_INFERRED_CITY, s[dn:].strip(_STRIP))
            if found is False:
                return _unresolved(f"ambiguous district in {text!r} / 区县不唯一，请写明省市")
            return _unresolved(f"no province or city found in {text!r} / 无法识别省市")
        code = prov.adcode[:2]
        if code not in self._cities and code not in MUNICIPALITIES:
            return self._result(prov, CONFIDENCE_CITY, s.strip(_STRIP))
        if code in MUNICIPALITIES:
            # "上海市上海市浦东新区", "北京市市辖区朝阳区": skip the repeats.
            for filler in (prov.name, _short(prov.name), "市辖区", "县"):
                if s.startswith(filler):
                    s = s[len(filler) :].lstrip(_STRIP)
            return self._after_city(prov, s, CONFIDENCE_DISTRICT)
        cname = self._city_prefix(s, code)
        if cname:
            match = self._one(self._cities[code][cname])
            if isinstance(match, Division):
                return self._after_city(match, s[len(cname) :], CONFIDENCE_DISTRICT)
        dname, dn = self._prefix(s, self._prov_districts.get(code, {}))
        found = self._one(self._prov_districts.get(code, {}).get(dname)) if dn else None
        if isinstance(found, Division):
            return self._result(found, CONFIDENCE_DISTRICT_INFERRED_CITY, s[dn:].strip(_STRIP))
        return _unresolved(f"no city of {prov.name} found in {text!r} / 无法识别城市")

    def _city_prefix(self, s: str, code: str | None = None) -> str:
        if code is not None:
            return self._prefix(s, self._cities.get(code, {}))[0]
        best = ""
        for by_name in self._cities.values():
            name, _ = self._prefix(s, by_name)
            if len(name) > len(best):
                best = name
        return best

    def _after_city(self, city: Division, s: str, confidence: float) -> Resolution:
        s = s.lstrip(_STRIP)
        dname, dn = self._prefix(s, self._districts.get(city.adcode, {}))
        if dn:
            found = self._one(self._districts[city.adcode][dname])
            if isinstance(found, Division):
                return self._result(found, confidence, s[dn:].strip(_STRIP))
        if city.adcode[:2] in MUNICIPALITIES:
            return _unresolved(f"no district of {city.name} found / 无法识别{city.name}的区县")
        return self._result(city, CONFIDENCE_CITY, s.strip(_STRIP))


@functools.cache
def default_resolver() -> AddressResolver:
    from ordo.adapters.geo.divisions import load_divisions

    return AddressResolver(load_divisions())
