"""China's administrative divisions (province / city / district) with real coordinates.

The data is ``data/divisions.csv.gz`` beside this module (adcode, name, longitude,
latitude; 3,200+ divisions), shipped in Ordo's package. It was cut from the
``adcodes.csv`` of the ``cpca`` package on PyPI (MIT) by ``scripts/build_divisions.py``;
``data/README.md`` says where it comes from and how to regenerate it. Ordo never installs
or imports ``cpca``. The hierarchy comes from the adcode itself: the first two digits are
the province, the first four the city. This module reads that one file; it never writes.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
from dataclasses import dataclass
from importlib import resources

#: Province-level municipalities: their districts hang directly under the province.
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


@dataclass(frozen=True, slots=True)
class Division:
    adcode: str  # 6 digits
    name: str
    lat: float
    lng: float

    @property
    def level(self) -> str:
        if self.adcode.endswith("0000"):
            return "province"
        if self.adcode.endswith("00"):
            return "city"
        return "district"


#: The shipped table, relative to this package (``package-data`` in pyproject.toml).
DATA_FILE = "data/divisions.csv.gz"


def _read_table() -> str:
    data = resources.files("ordo.adapters.geo").joinpath(DATA_FILE).read_bytes()
    return gzip.decompress(data).decode("utf-8")


class Divisions:
    """Lookup by adcode and by name, and the province → city → district tree."""

    def __init__(self, items: list[Division]) -> None:
        self.by_code = {d.adcode: d for d in items}
        self._by_name: dict[str, list[Division]] = {}
        for d in items:
            for key in {d.name, _short(d.name)}:
                self._by_name.setdefault(key, []).append(d)

    def province_of(self, d: Division) -> Division:
        return self.by_code[d.adcode[:2] + "0000"]

    def city_of(self, d: Division) -> Division:
        """The prefecture-level city of a district (the municipality itself for 北京 etc.)."""
        if d.adcode[:2] in MUNICIPALITIES:
            return self.province_of(d)
        return self.by_code.get(d.adcode[:4] + "00", d)

    def provinces(self) -> list[Division]:
        return sorted((d for d in self.by_code.values() if d.level == "province"), key=lambda d: d.adcode)

    def cities(self) -> list[Division]:
        """Prefecture-level cities plus the four municipalities."""
        out = [
            d
            for d in self.by_code.values()
            if (d.level == "city" and d.adcode[:2] not in MUNICIPALITIES)
            or (d.level == "province" and d.adcode[:2] in MUNICIPALITIES)
        ]
        return sorted(out, key=lambda d: d.adcode)

    def find(self, name: str, within: str | None = None) -> Division | None:
        """A division by (short or full) name, optionally inside an adcode prefix."""
        for d in self._by_name.get(name, []) + self._by_name.get(_short(name), []):
            if within is None or d.adcode.startswith(within):
                return d
        return None

    def locate(
        self, province: str, city: str, district: str = "", adcode: str | None = None
    ) -> Division | None:
        """The most precise division an address names, or None."""
        if adcode:
            d = self.by_code.get(adcode[:6].ljust(6, "0"))
            if d:
                return d
        prov = self.find(province) if province else None
        scope = prov.adcode[:2] if prov else None
        cty = self.find(city, scope) if city else None
        if district:
            dist = self.find(district, cty.adcode[:4] if cty and cty.level == "city" else scope)
            if dist:
                return dist
        return cty or prov


_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "省",
    "市",
    "地区",
    "盟",
)


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@functools.cache
def load_divisions() -> Divisions:
    items: list[Division] = []
    with io.StringIO(_read_table(), newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if not row["latitude"] or not row["longitude"]:
                continue
            items.append(Division(code, row["name"], float(row["latitude"]), float(row["longitude"])))
    return Divisions(items)
