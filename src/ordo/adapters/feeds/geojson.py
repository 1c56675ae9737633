"""GeoJSON feature collections (RFC 7946): one draft per feature. Geometry: a Polygon or
MultiPolygon (outer rings), a LineString (a track, ``radius_km`` in the properties) or a
Point (a circle of ``radius_km``); properties: ``kind``, ``title``, ``severity``,
``confidence``, ``starts`` / ``ends`` (ISO 8601), ``adcodes``, ``warehouses``,
``carriers``, ``lanes``, ``id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ordo.adapters.feeds.common import FeedError, ns_of
from ordo.domain.risk import (
    Area,
    Assets,
    EventDraft,
    Polygon,
    Regions,
    RiskKind,
    Severity,
    Track,
    kind_of_text,
)


def _pt(v: Any) -> tuple[float, float]:
    try:
        return float(v[0]), float(v[1])
    except (TypeError, ValueError, IndexError):
        raise FeedError(f"bad GeoJSON position {v!r} / GeoJSON 坐标错误") from None


def _area(geom: Mapping[str, Any] | None, props: Mapping[str, Any]) -> Area | None:
    radius = float(props.get("radius_km") or 100.0)
    if geom:
        kind, coords = geom.get("type"), geom.get("coordinates")
        if not isinstance(coords, list) or not coords:
            raise FeedError(f"a {kind} geometry needs coordinates / 几何对象缺少坐标")
        if kind == "Polygon":
            return Polygon((tuple(_pt(p) for p in coords[0]),))
        if kind == "MultiPolygon":
            return Polygon(tuple(tuple(_pt(p) for p in poly[0]) for poly in coords))
        if kind == "LineString":
            return Track(tuple(_pt(p) for p in coords), radius)
        if kind == "Point":
            return Track((_pt(coords),), radius)
        raise FeedError(f"unsupported GeoJSON geometry {kind!r} / 不支持的 GeoJSON 几何类型")
    codes = props.get("adcodes")
    if codes:
        return Regions(tuple(str(c) for c in codes))
    return None


def _strs(v: Any) -> frozenset[str]:
    return frozenset(str(x) for x in v) if isinstance(v, list) else frozenset()


def read(data: bytes, *, source: str = "geojson") -> list[EventDraft]:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise FeedError(f"not JSON: {exc} / 不是 JSON") from None
    if not isinstance(doc, dict):
        raise FeedError("a GeoJSON document is an object / GeoJSON 文档应为对象")
    feats = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
    if not isinstance(feats, list):
        raise FeedError("features is a list / features 应为数组")
    out = []
    for f in feats:
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise FeedError("each item is a GeoJSON Feature / 每项应为 GeoJSON Feature")
        props = f.get("properties") or {}
        title = str(props.get("title") or props.get("name") or "")[:200]
        if not title:
            raise FeedError("a feature has no title / 要素缺少 title")
        kind_word = str(props.get("kind") or "")
        kind = RiskKind(kind_word) if kind_word in RiskKind.__members__.values() else kind_of_text(title)
        sev = str(props.get("severity") or "moderate").lower()
        try:
            conf = float(props.get("confidence", 0.8))
        except (TypeError, ValueError):
            raise FeedError("confidence is a number / confidence 应为数字") from None
        out.append(
            EventDraft(
                kind=kind,
                title=title,
                severity=Severity(sev) if sev in Severity.__members__.values() else Severity.MODERATE,
                confidence=min(1.0, max(0.0, conf)),
                source=str(props.get("source") or source)[:64],
                area=_area(f.get("geometry"), props),
                assets=Assets(
                    _strs(props.get("warehouses")), _strs(props.get("carriers")), _strs(props.get("lanes"))
                ),
                starts_at_ns=ns_of(props.get("starts")),
                ends_at_ns=ns_of(props.get("ends")),
                source_ref=str(f.get("id") or props.get("id") or "")[:200],
            )
        )
    return out
