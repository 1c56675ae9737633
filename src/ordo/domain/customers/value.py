"""Customer value: RFM scores and the high-value groups, from a customer's running history.

Owns the pure judgement: given how many orders a customer placed (less cancelled), what they
spent in fen, how many they returned and when the last one was placed, the recency in whole
days, the R, F and M scores (1–5, by fixed thresholds) and the first group (分群) whose
definition the customer meets. Thresholds and groups are data (:class:`ValueModel`, read by
``service.customers.value`` from ``value.toml``); nothing here reads a file or a clock: the
instant recency is measured to is passed in.

A customer with no orders scores R = F = M = 1 and has no recency; a customer no group
takes is in the catch-all group (``ValueModel.fallback``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DAY_NS",
    "Bounds",
    "Profile",
    "Scores",
    "Segment",
    "ValueModel",
    "model_from_data",
    "profile",
    "recency_days",
    "score",
]

DAY_NS = 86_400 * 1_000_000_000
#: What a group's definition may bound, each with ``<name>_min`` / ``<name>_max`` (inclusive).
BOUNDED = ("r", "f", "m", "return_rate", "orders", "spend_fen", "recency_days")
_AT = {name: i for i, name in enumerate(BOUNDED)}


@dataclass(frozen=True, slots=True)
class Bounds:
    """Inclusive lower and upper bounds on one measure (None: unbounded)."""

    lo: float | None = None
    hi: float | None = None

    def holds(self, value: float | None) -> bool:
        if value is None:
            return False  # an unknown value never satisfies a bound, as in the rules
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)


@dataclass(frozen=True, slots=True)
class Segment:
    """One customer group: its id (the rules' value), its names and its definition."""

    id: str
    zh: str
    en: str
    about_zh: str
    about_en: str
    when: Mapping[str, Bounds]
    #: ``when`` as (position in ``BOUNDED``, low, high): intake judges every order's customer,
    #: and walking tuples is a third of the time of the mapping (measured in ``ordo bench
    #: customers``; :meth:`takes` is the plain reading, and a test holds the two together).
    checks: tuple[tuple[int, float | None, float | None], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        compiled = tuple((_AT[name], b.lo, b.hi) for name, b in self.when.items())
        object.__setattr__(self, "checks", compiled)

    def takes(self, measures: Mapping[str, float | None]) -> bool:
        return all(b.holds(measures.get(name)) for name, b in self.when.items())

    def takes_values(self, values: Sequence[float | None]) -> bool:
        """:meth:`takes` over the measures in ``BOUNDED`` order."""
        for i, lo, hi in self.checks:
            v = values[i]
            if v is None or (lo is not None and v < lo) or (hi is not None and v > hi):
                return False
        return True


@dataclass(frozen=True, slots=True)
class ValueModel:
    """The RFM thresholds and the groups, in the order they are tried."""

    #: R: days since the last order at or under each threshold add one (shorter is better).
    recency_days: tuple[int, ...]
    #: F: orders at or over each threshold add one.
    frequency: tuple[int, ...]
    #: M: lifetime spend in fen at or over each threshold adds one.
    monetary_fen: tuple[int, ...]
    segments: tuple[Segment, ...]
    fallback: Segment

    def segment(self, sid: str) -> Segment | None:
        if sid == self.fallback.id:
            return self.fallback
        return next((s for s in self.segments if s.id == sid), None)

    @property
    def all_segments(self) -> tuple[Segment, ...]:
        return (*self.segments, self.fallback)


@dataclass(frozen=True, slots=True)
class Scores:
    r: int
    f: int
    m: int

    @property
    def code(self) -> str:
        return f"{self.r}{self.f}{self.m}"


@dataclass(frozen=True, slots=True)
class Profile:
    """A customer's value as it stands at one instant."""

    recency_days: int | None
    scores: Scores
    segment: str


def recency_days(last_order_at_ns: int | None, at_ns: int) -> int | None:
    """Whole days from the last order to ``at_ns`` (never negative); None without an order."""
    if last_order_at_ns is None:
        return None
    return max(0, at_ns - last_order_at_ns) // DAY_NS


def score(model: ValueModel, orders: int, spend_fen: int, days: int | None) -> Scores:
    """One point, plus one for each threshold met (R: days at or under it; F, M: at or over)."""
    r = 1 if days is None else 1 + len(model.recency_days) - bisect_left(model.recency_days[::-1], days)
    f = 1 + bisect_right(model.frequency, orders)
    m = 1 + bisect_right(model.monetary_fen, spend_fen)
    return Scores(r, f, m)


def profile(
    model: ValueModel,
    *,
    orders: int,
    spend_fen: int,
    returns: int,
    last_order_at_ns: int | None,
    at_ns: int,
) -> Profile:
    """Recency, scores and group of a customer with this history, judged at ``at_ns``."""
    days = recency_days(last_order_at_ns, at_ns) if orders > 0 else None
    s = score(model, orders, spend_fen, days)
    rate = min(1.0, returns / orders) if orders > 0 else None
    values = (s.r, s.f, s.m, rate, orders, spend_fen, days)  # in BOUNDED order
    for seg in model.segments:
        if seg.takes_values(values):
            return Profile(days, s, seg.id)
    return Profile(days, s, model.fallback.id)


def _thresholds(data: Mapping[str, Any], key: str, *, descending: bool) -> tuple[int, ...]:
    raw = data.get(key)
    if not isinstance(raw, list) or len(raw) != 4 or not all(type(x) is int and x >= 0 for x in raw):
        raise ValueError(f"value model: rfm.{key} must be four non-negative integers")
    if list(raw) != sorted(raw, reverse=descending) or len(set(raw)) != 4:
        order = "falling" if descending else "rising"
        raise ValueError(f"value model: rfm.{key} must be strictly {order}")
    return tuple(raw)


def _segment(data: Mapping[str, Any]) -> Segment:
    when: dict[str, Bounds] = {}
    for key, value in dict(data.get("when", {})).items():
        name, _, side = key.rpartition("_")
        if name not in BOUNDED or side not in ("min", "max") or isinstance(value, bool):
            raise ValueError(f"value model: segment {data.get('id')!r} cannot bound {key!r}")
        if not isinstance(value, int | float):
            raise ValueError(f"value model: segment {data.get('id')!r}: {key} must be a number")
        old = when.get(name, Bounds())
        when[name] = Bounds(value, old.hi) if side == "min" else Bounds(old.lo, value)
    return Segment(
        str(data["id"]),
        str(data["zh"]),
        str(data["en"]),
        str(data.get("about_zh", "")),
        str(data.get("about_en", "")),
        when,
    )


def model_from_data(data: Mapping[str, Any]) -> ValueModel:
    """The model from its data (the parsed ``value.toml``); a malformed one is a ValueError."""
    rfm = data["rfm"]
    segments: Sequence[Segment] = [_segment(s) for s in data["segment"]]
    fallback = _segment(data["fallback"])
    if fallback.when:
        raise ValueError("value model: the fallback group takes everyone; it has no definition")
    ids = [s.id for s in segments] + [fallback.id]
    if len(set(ids)) != len(ids):
        raise ValueError("value model: group ids must differ")
    return ValueModel(
        _thresholds(rfm, "recency_days", descending=True),
        _thresholds(rfm, "frequency", descending=False),
        _thresholds(rfm, "monetary_fen", descending=False),
        tuple(segments),
        fallback,
    )
