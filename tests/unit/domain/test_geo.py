"""Great-circle distances: the scalar and the vectorised versions agree, and match known distances."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ordo.domain.geo import distance_matrix_km, haversine_km

SHANGHAI = (31.2304, 121.4737)
BEIJING = (39.9042, 116.4074)
GUANGZHOU = (23.1291, 113.2644)


def test_shanghai_to_beijing_is_about_1070_km():
    assert 1050 < haversine_km(*SHANGHAI, *BEIJING) < 1090


def test_distance_is_zero_to_itself_and_symmetric():
    assert haversine_km(*SHANGHAI, *SHANGHAI) == 0
    assert haversine_km(*SHANGHAI, *GUANGZHOU) == haversine_km(*GUANGZHOU, *SHANGHAI)


def test_antipodes_are_half_the_earth_apart():
    assert abs(haversine_km(0, 0, 0, 180) - np.pi * 6371.0088) < 1e-6


def test_the_matrix_has_one_row_per_origin_and_one_column_per_destination():
    origins = np.array([SHANGHAI, BEIJING])
    dests = np.array([SHANGHAI, BEIJING, GUANGZHOU])
    m = distance_matrix_km(origins[:, 0], origins[:, 1], dests[:, 0], dests[:, 1])
    assert m.shape == (2, 3)
    assert m[0, 0] == 0 and m[1, 1] == 0


lat = st.floats(-90, 90, allow_nan=False)
lng = st.floats(-180, 180, allow_nan=False)
points = st.lists(st.tuples(lat, lng), min_size=1, max_size=6)


@settings(max_examples=100, deadline=None)
@given(a=points, b=points)
def test_the_vectorised_matrix_agrees_with_the_scalar_haversine(a, b):
    pa, pb = np.array(a), np.array(b)
    m = distance_matrix_km(pa[:, 0], pa[:, 1], pb[:, 0], pb[:, 1])
    for i, (la, ga) in enumerate(a):
        for j, (lb, gb) in enumerate(b):
            assert abs(m[i, j] - haversine_km(la, ga, lb, gb)) < 1e-6
