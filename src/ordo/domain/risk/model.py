"""A risk event: what happens outside (typhoon, red rainstorm warning, closure, strike …),
where (an area and / or named assets), when (the active window), how bad (severity,
confidence), and what it did to us (impact status, with its transition table).

An event's area is one of: a polygon (lng, lat rings, as GeoJSON), a track with a radius
(a storm's forecast path), or a list of regions by adcode. Named assets — warehouses,
carriers, lanes (``warehouse>province adcode``) — come beside or instead of an area.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ordo.domain.errors import Conflict, ValidationError


class RiskKind(StrEnum):
    TYPHOON = "typhoon"
    RAINSTORM = "rainstorm"
    FLOOD = "flood"
    SNOWSTORM = "snowstorm"
    EARTHQUAKE = "earthquake"
    ROAD_CLOSURE = "road_closure"
    PORT_CLOSURE = "port_closure"
    LOCKDOWN = "lockdown"
    CARRIER_STRIKE = "carrier_strike"
    POWER_LOSS = "power_loss"
    CONGESTION = "congestion"
    OTHER = "other"


KIND_LABELS: Mapping[RiskKind, tuple[str, str]] = {
    RiskKind.TYPHOON: ("台风", "typhoon"),
    RiskKind.RAINSTORM: ("暴雨", "rainstorm"),
    RiskKind.FLOOD: ("洪水", "flood"),
    RiskKind.SNOWSTORM: ("暴雪", "snowstorm"),
    RiskKind.EARTHQUAKE: ("地震", "earthquake"),
    RiskKind.ROAD_CLOSURE: ("道路封闭", "road closure"),
    RiskKind.PORT_CLOSURE: ("港口关闭", "port closure"),
    RiskKind.LOCKDOWN: ("封控", "lockdown"),
    RiskKind.CARRIER_STRIKE: ("承运商罢工", "carrier strike"),
    RiskKind.POWER_LOSS: ("仓库停电", "warehouse power loss"),
    RiskKind.CONGESTION: ("拥堵", "congestion"),
    RiskKind.OTHER: ("其他", "other"),
}

#: Kinds that stop a warehouse inside them from shipping at all: the router excludes it
#: (a hard constraint) rather than weighing its risk.
BLOCKING_KINDS = frozenset(
    {RiskKind.ROAD_CLOSURE, RiskKind.PORT_CLOSURE, RiskKind.LOCKDOWN, RiskKind.POWER_LOSS}
)


class Severity(StrEnum):
    """CAP 1.2's severity words; a Chinese warning colour maps onto them (蓝 黄 橙 红)."""

    MINOR = "minor"
    MODERATE = "moderate"
    SEVERE = "severe"
    EXTREME = "extreme"

    @property
    def weight(self) -> float:
        return _WEIGHT[self]


_WEIGHT = {Severity.MINOR: 0.25, Severity.MODERATE: 0.5, Severity.SEVERE: 0.75, Severity.EXTREME: 1.0}

#: The severity from which a carrier strike means the carrier takes nothing (橙色 and up:
#: a walk-out), not a slowdown.
STRIKE_CLOSES_AT = Severity.SEVERE

#: 预警颜色 → severity (GB/T 27962 colours as CAP feeds of 中国气象局 carry them).
COLOUR_SEVERITY: Mapping[str, Severity] = {
    "蓝色": Severity.MINOR,
    "blue": Severity.MINOR,
    "黄色": Severity.MODERATE,
    "yellow": Severity.MODERATE,
    "橙色": Severity.SEVERE,
    "orange": Severity.SEVERE,
    "红色": Severity.EXTREME,
    "red": Severity.EXTREME,
}


class ImpactStatus(StrEnum):
    """What the event did to us (Resilinc's words): potential until someone judges it."""

    POTENTIAL = "potential"
    CONFIRMED = "confirmed"
    NO_IMPACT = "no_impact"
    RESTORED = "restored"

    @property
    def live(self) -> bool:
        """Still weighs on routing and still shows on the radar."""
        return self in (ImpactStatus.POTENTIAL, ImpactStatus.CONFIRMED)


STATUS_TRANSITIONS: Mapping[ImpactStatus, frozenset[ImpactStatus]] = {
    ImpactStatus.POTENTIAL: frozenset(
        {ImpactStatus.CONFIRMED, ImpactStatus.NO_IMPACT, ImpactStatus.RESTORED}
    ),
    ImpactStatus.CONFIRMED: frozenset({ImpactStatus.RESTORED}),
    ImpactStatus.NO_IMPACT: frozenset({ImpactStatus.CONFIRMED, ImpactStatus.RESTORED}),
    ImpactStatus.RESTORED: frozenset(),
}


class StatusRefused(Conflict):
    code = "risk_status_refused"


def check_status(event_id: str, current: ImpactStatus, target: ImpactStatus) -> None:
    if target not in STATUS_TRANSITIONS[current]:
        raise StatusRefused(
            f"event {event_id} is {current.value}; it cannot become {target.value} / "
            f"风险事件 {event_id} 当前为「{current.value}」，不能变为「{target.value}」",
            details={"event_id": event_id, "status": current.value, "target": target.value},
        )


Point = tuple[float, float]  # (lng, lat), as GeoJSON


@dataclass(frozen=True, slots=True)
class Polygon:
    """One or more rings (the first the outer one of each part), (lng, lat)."""

    rings: tuple[tuple[Point, ...], ...]


@dataclass(frozen=True, slots=True)
class Track:
    """A path (a storm's forecast positions) and how far its effects reach either side."""

    points: tuple[Point, ...]
    radius_km: float


@dataclass(frozen=True, slots=True)
class Regions:
    """Divisions by adcode: ``440000`` is all of 广东, ``440100`` 广州, ``440106`` 天河区."""

    adcodes: tuple[str, ...]


Area = Polygon | Track | Regions


@dataclass(frozen=True, slots=True)
class Assets:
    warehouses: frozenset[str] = frozenset()
    carriers: frozenset[str] = frozenset()
    #: ``warehouse>adcode`` (the origin and the destination province or city).
    lanes: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.warehouses or self.carriers or self.lanes)


@dataclass(frozen=True, slots=True)
class RiskEvent:
    id: str
    kind: RiskKind
    title: str
    severity: Severity
    confidence: float
    source: str
    area: Area | None
    assets: Assets
    starts_at_ns: int
    ends_at_ns: int | None
    status: ImpactStatus = ImpactStatus.POTENTIAL
    source_ref: str = ""
    confirmed_hours: int | None = None
    owners: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def active_at(self, now_ns: int) -> bool:
        ends = self.ends_at_ns
        return self.status.live and self.starts_at_ns <= now_ns and (ends is None or now_ns < ends)

    @property
    def weight(self) -> float:
        """Risk 0..1 the event puts on what it covers: severity × confidence."""
        return round(self.severity.weight * self.confidence, 4)

    @property
    def blocks(self) -> bool:
        return self.kind in BLOCKING_KINDS and self.confidence >= 0.5

    @property
    def closes_carriers(self) -> bool:
        """A strike at :data:`STRIKE_CLOSES_AT` or worse stops its carriers outright: the
        router excludes them (a hard constraint); a milder one only weighs as risk."""
        return (
            self.kind is RiskKind.CARRIER_STRIKE
            and self.confidence >= 0.5
            and _WEIGHT[self.severity] >= _WEIGHT[STRIKE_CLOSES_AT]
        )

    def label(self, lang: str = "zh") -> str:
        zh, en = KIND_LABELS[self.kind]
        return f"{zh}「{self.title}」" if lang == "zh" else f"{en} '{self.title}'"


def _point(v: Any, field_name: str) -> Point:
    if not (isinstance(v, Sequence) and len(v) >= 2) or isinstance(v, str):
        raise ValidationError(field_name, "a point is [lng, lat] / 坐标应为 [经度, 纬度]")
    try:
        lng, lat = float(v[0]), float(v[1])
    except (TypeError, ValueError):
        raise ValidationError(field_name, "a point is [lng, lat] numbers / 坐标应为数字") from None
    if not (-180.0 <= lng <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValidationError(field_name, f"point {v} is off the globe / 坐标超出范围")
    return lng, lat


def area_from_json(doc: Mapping[str, Any] | None, field_name: str = "area") -> Area | None:
    """An area from its JSON form; a ValidationError naming the field when it is malformed."""
    if doc is None:
        return None
    if not isinstance(doc, Mapping):
        raise ValidationError(field_name, "the area is an object / 区域应为对象")
    kind = doc.get("type")
    if kind == "polygon":
        rings = doc.get("coordinates")
        if not isinstance(rings, list) or not rings:
            raise ValidationError(f"{field_name}.coordinates", "a polygon needs rings / 多边形需要坐标环")
        out = []
        for i, ring in enumerate(rings):
            if not isinstance(ring, list) or len(ring) < 3:
                raise ValidationError(
                    f"{field_name}.coordinates[{i}]", "a ring needs 3 points / 坐标环至少3个点"
                )
            out.append(tuple(_point(p, f"{field_name}.coordinates[{i}]") for p in ring))
        return Polygon(tuple(out))
    if kind == "track":
        pts = doc.get("points")
        if not isinstance(pts, list) or not pts:
            raise ValidationError(f"{field_name}.points", "a track needs points / 路径需要坐标点")
        radius = doc.get("radius_km")
        if not isinstance(radius, int | float) or isinstance(radius, bool) or not 0 < radius <= 2000:
            raise ValidationError(f"{field_name}.radius_km", "radius_km is 0-2000 / 影响半径应在 0-2000 公里")
        return Track(tuple(_point(p, f"{field_name}.points") for p in pts), float(radius))
    if kind == "regions":
        codes = doc.get("adcodes")
        if not isinstance(codes, list) or not codes:
            raise ValidationError(f"{field_name}.adcodes", "regions need adcodes / 需要行政区划代码")
        bad = [c for c in codes if not (isinstance(c, str) and len(c) == 6 and c.isdigit())]
        if bad:
            raise ValidationError(
                f"{field_name}.adcodes", f"adcodes are 6 digits: {bad[:5]} / 行政区划代码应为6位数字"
            )
        return Regions(tuple(dict.fromkeys(codes)))
    raise ValidationError(
        f"{field_name}.type", "type is polygon, track or regions / 区域类型应为 polygon、track 或 regions"
    )


def area_to_json(area: Area | None) -> dict[str, Any] | None:
    if area is None:
        return None
    if isinstance(area, Polygon):
        return {"type": "polygon", "coordinates": [[list(p) for p in ring] for ring in area.rings]}
    if isinstance(area, Track):
        return {"type": "track", "points": [list(p) for p in area.points], "radius_km": area.radius_km}
    return {"type": "regions", "adcodes": list(area.adcodes)}


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event as a feed, the API or the CLI states it, before Ordo gives it an id."""

    kind: RiskKind
    title: str
    severity: Severity
    confidence: float
    source: str
    area: Area | None
    assets: Assets
    starts_at_ns: int | None
    ends_at_ns: int | None
    source_ref: str = ""
    owners: tuple[str, ...] = ()
    #: Earlier reports this one updates, by their ``source_ref`` (CAP ``references``): the
    #: event recorded from them is replaced, not joined by a second one.
    replaces: tuple[str, ...] = ()
    #: With ``replaces``: this report ends them (CAP ``msgType`` Cancel); no event itself.
    cancels: bool = False


#: Words in an alert's event name or headline → kind (the first that matches wins).
KIND_WORDS: tuple[tuple[str, RiskKind], ...] = (
    ("台风", RiskKind.TYPHOON),
    ("typhoon", RiskKind.TYPHOON),
    ("tropical cyclone", RiskKind.TYPHOON),
    ("暴雨", RiskKind.RAINSTORM),
    ("rainstorm", RiskKind.RAINSTORM),
    ("heavy rain", RiskKind.RAINSTORM),
    ("洪", RiskKind.FLOOD),
    ("flood", RiskKind.FLOOD),
    ("暴雪", RiskKind.SNOWSTORM),
    ("snow", RiskKind.SNOWSTORM),
    ("地震", RiskKind.EARTHQUAKE),
    ("earthquake", RiskKind.EARTHQUAKE),
    ("封路", RiskKind.ROAD_CLOSURE),
    ("道路封闭", RiskKind.ROAD_CLOSURE),
    ("road closure", RiskKind.ROAD_CLOSURE),
    ("港", RiskKind.PORT_CLOSURE),
    ("port", RiskKind.PORT_CLOSURE),
    ("封控", RiskKind.LOCKDOWN),
    ("lockdown", RiskKind.LOCKDOWN),
    ("罢工", RiskKind.CARRIER_STRIKE),
    ("strike", RiskKind.CARRIER_STRIKE),
    ("停电", RiskKind.POWER_LOSS),
    ("power", RiskKind.POWER_LOSS),
    ("拥堵", RiskKind.CONGESTION),
    ("congestion", RiskKind.CONGESTION),
)


def kind_of_text(*texts: str) -> RiskKind:
    for text in texts:
        low = text.lower()
        for word, kind in KIND_WORDS:
            if word in low:
                return kind
    return RiskKind.OTHER
