"""GDACS-style RSS items with GeoRSS geometry: ``georss:point`` / ``georss:circle`` /
``georss:line`` / ``georss:polygon`` (``lat lon`` order), ``gdacs:eventtype`` (TC, FL, EQ …),
``gdacs:alertlevel`` (Green / Orange / Red), ``gdacs:fromdate`` / ``gdacs:todate``.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from ordo.adapters.feeds.common import FeedError, ns_of, parse_xml
from ordo.domain.risk import Area, Assets, EventDraft, Polygon, RiskKind, Severity, Track, kind_of_text

NS = {"georss": "http://www.georss.org/georss", "gdacs": "http://www.gdacs.org"}
EVENT_TYPES = {
    "TC": RiskKind.TYPHOON,
    "FL": RiskKind.FLOOD,
    "EQ": RiskKind.EARTHQUAKE,
    "DR": RiskKind.OTHER,
    "VO": RiskKind.OTHER,
    "WF": RiskKind.OTHER,
}
ALERT_LEVELS = {"green": Severity.MINOR, "orange": Severity.SEVERE, "red": Severity.EXTREME}
#: Reach of an event given only as a point, by kind (km).
DEFAULT_RADIUS = {RiskKind.TYPHOON: 250.0, RiskKind.FLOOD: 80.0, RiskKind.EARTHQUAKE: 100.0}


def _t(el: ET.Element, path: str) -> str:
    found = el.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _latlon(text: str) -> tuple[tuple[float, float], ...]:
    nums = text.split()
    if len(nums) % 2:
        raise FeedError(f"GeoRSS coordinates come in lat lon pairs: {text[:60]!r} / GeoRSS 坐标应成对")
    try:
        vals = [float(x) for x in nums]
    except ValueError:
        raise FeedError(f"bad GeoRSS coordinates {text[:60]!r} / GeoRSS 坐标错误") from None
    return tuple((vals[i + 1], vals[i]) for i in range(0, len(vals), 2))


def _area(item: ET.Element, kind: RiskKind) -> Area | None:
    if poly := _t(item, "georss:polygon"):
        return Polygon((_latlon(poly),))
    radius = DEFAULT_RADIUS.get(kind, 50.0)
    if line := _t(item, "georss:line"):
        return Track(_latlon(line), radius)
    if circle := _t(item, "georss:circle"):
        parts = circle.split()
        if len(parts) != 3:
            raise FeedError("georss:circle is lat lon radius_m / georss:circle 应为 纬度 经度 半径(米)")
        return Track(_latlon(" ".join(parts[:2])), float(parts[2]) / 1000.0)
    if point := _t(item, "georss:point"):
        return Track(_latlon(point), radius)
    return None


def read(data: bytes, *, source: str = "georss") -> list[EventDraft]:
    root = parse_xml(data)
    items = root.findall("./channel/item")
    if root.tag != "rss" or (not items and root.find("channel") is None):
        raise FeedError("not an RSS 2.0 feed / 不是 RSS 2.0 文档")
    out = []
    for item in items:
        title = _t(item, "title")
        if not title:
            raise FeedError("an item has no title / 条目缺少 title")
        etype = _t(item, "gdacs:eventtype").upper()
        kind = EVENT_TYPES.get(etype) or kind_of_text(title, _t(item, "description"))
        level = _t(item, "gdacs:alertlevel").lower()
        out.append(
            EventDraft(
                kind=kind,
                title=title[:200],
                severity=ALERT_LEVELS.get(level, Severity.MODERATE),
                confidence=0.8,
                source=source[:64],
                area=_area(item, kind),
                assets=Assets(),
                starts_at_ns=ns_of(_t(item, "gdacs:fromdate")) or ns_of(_t(item, "pubDate")),
                ends_at_ns=ns_of(_t(item, "gdacs:todate")),
                source_ref=(_t(item, "guid") or _t(item, "link"))[:200],
            )
        )
    return out
