"""Which divisions and places an event's area covers, with shapely.

Owns the geometry of the risk radar: a polygon, a track buffered by its radius or a list
of regions by adcode, tested against the division registry's centroids (every province,
city and district) and against any points (warehouses). Distances are kilometres on a
local equirectangular projection around the area (good to a few percent over the few
hundred kilometres a storm's radius spans). Pure computation over data passed in: no
store, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ordo.adapters.geo.divisions import MUNICIPALITIES, Divisions
from ordo.domain.risk import Area, Polygon, Regions, Track

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LNG_EQUATOR = 111.320


@dataclass(frozen=True, slots=True)
class _Projected:
    geom: BaseGeometry
    lat0: float

    def covers(self, lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
        x, y = _project(lng, lat, self.lat0)
        out: np.ndarray = shapely.intersects_xy(self.geom, x, y)
        return out


def _project(lng: np.ndarray, lat: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    k = KM_PER_DEG_LNG_EQUATOR * math.cos(math.radians(lat0))
    return np.asarray(lng, dtype=np.float64) * k, np.asarray(lat, dtype=np.float64) * KM_PER_DEG_LAT


def _shape(area: Polygon | Track) -> _Projected:
    if isinstance(area, Track):
        pts = area.points
        lat0 = sum(p[1] for p in pts) / len(pts)
        x, y = _project(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]), lat0)
        line = shapely.Point(x[0], y[0]) if len(pts) == 1 else shapely.LineString(np.column_stack([x, y]))
        return _Projected(line.buffer(area.radius_km, quad_segs=16), lat0)
    outer = [r for r in area.rings]
    lat0 = sum(p[1] for r in outer for p in r) / sum(len(r) for r in outer)
    parts = []
    for ring in area.rings:
        x, y = _project(np.array([p[0] for p in ring]), np.array([p[1] for p in ring]), lat0)
        parts.append(shapely.Polygon(np.column_stack([x, y])).buffer(0))
    return _Projected(shapely.union_all(parts), lat0)


def _prefix(code: str) -> str:
    """An adcode as the prefix of everything inside it: 440000 → 44, 440100 → 4401."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def covered_divisions(area: Area, divisions: Divisions) -> frozenset[str]:
    """Every division code (province, city, district) the area covers.

    A region list covers everything under each code. A polygon or a track covers each
    division whose centroid lies inside, and the city and province of any covered district
    (an order located only to its city is exposed when part of the city is)."""
    codes = sorted(divisions.by_code)
    if isinstance(area, Regions):
        prefixes = tuple(_prefix(c) for c in area.adcodes)
        out = {c for c in codes if c.startswith(prefixes)}
        out.update(area.adcodes)
        return frozenset(out)
    shape = _shape(area)
    lng = np.array([divisions.by_code[c].lng for c in codes])
    lat = np.array([divisions.by_code[c].lat for c in codes])
    inside = shape.covers(lng, lat)
    hit = {c for c, i in zip(codes, inside.tolist(), strict=True) if i}
    for c in list(hit):
        if not c.endswith("00"):  # a district: its city (a municipality's is the province)
            hit.add(c[:2] + "0000" if c[:2] in MUNICIPALITIES else c[:4] + "00")
    return frozenset(hit)


def covered_points(area: Area, points: Sequence[tuple[str, float, float, str]]) -> frozenset[str]:
    """The ids of ``(id, lat, lng, adcode)`` points inside the area (a region list: by adcode)."""
    if not points:
        return frozenset()
    if isinstance(area, Regions):
        prefixes = tuple(_prefix(c) for c in area.adcodes)
        return frozenset(pid for pid, _, _, code in points if code and code.startswith(prefixes))
    shape = _shape(area)
    inside = shape.covers(np.array([p[2] for p in points]), np.array([p[1] for p in points]))
    return frozenset(p[0] for p, i in zip(points, inside.tolist(), strict=True) if i)


def outline(area: Area, divisions: Divisions) -> list[list[float]]:
    """The area's outline as ``[lng, lat]`` points for a map (a region list: its centroids)."""
    if isinstance(area, Regions):
        return [
            [divisions.by_code[c].lng, divisions.by_code[c].lat]
            for c in area.adcodes
            if c in divisions.by_code
        ]
    shape = _shape(area)
    geom = shape.geom
    if isinstance(geom, shapely.MultiPolygon):
        geom = max(geom.geoms, key=lambda g: g.area)
    if not isinstance(geom, shapely.Polygon):
        return []
    xs, ys = geom.exterior.coords.xy
    k = KM_PER_DEG_LNG_EQUATOR * math.cos(math.radians(shape.lat0))
    step = max(1, len(xs) // 64)
    return [
        [round(x / k, 4), round(y / KM_PER_DEG_LAT, 4)] for x, y in list(zip(xs, ys, strict=True))[::step]
    ]
