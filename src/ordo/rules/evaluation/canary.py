"""Canary scope: which orders a newly published rule-set version applies to first.

Owns the scope value (a share of orders, a set of places, or both) and the stable
bucket of an order id: the same order lands in the same bucket in every process and
every run (BLAKE2b of the id, not Python's salted ``hash``), so a canary's orders are
reproducible and a 5% canary stays the same 5% while it widens. Places are short names
(``上海``, ``新疆``) matched against the order's province, city or district. Pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ordo.rules.language.glossary import Glossary, short_place_name

_SPAN = float(2**64)


def bucket(order_id: str) -> float:
    """A stable number in [0, 1) for an order id."""
    digest = hashlib.blake2b(order_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SPAN


@dataclass(frozen=True, slots=True)
class Canary:
    """Orders in the canary: their bucket is below ``share``, or they ship to one of ``places``."""

    share: float = 0.0
    places: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"canary share must lie in [0, 1], not {self.share}")

    @property
    def empty(self) -> bool:
        return self.share == 0.0 and not self.places

    def covers(self, order_id: str, province: str = "", city: str = "", district: str = "") -> bool:
        if self.places and ({province, city, district} & self.places):
            return True
        return self.share > 0.0 and bucket(order_id) < self.share

    def as_dict(self) -> dict[str, Any]:
        return {"share": self.share, "places": sorted(self.places)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Canary | None:
        if not data:
            return None
        return cls(float(data.get("share", 0.0)), frozenset(data.get("places", ())))


def canary_places(words: Iterable[str], glossary: Glossary) -> frozenset[str]:
    """Short place names for what a user typed: provinces, cities, or region groups (华东)."""
    out: set[str] = set()
    for word in words:
        gid = glossary.resolve_group(word)
        if gid is not None:
            out |= glossary.group_members(gid)
        else:
            out.add(glossary.resolve_place(word) or short_place_name(word))
    return frozenset(out)
