"""Great-circle distances, scalar and vectorised (NumPy)."""

from __future__ import annotations

import math

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
