"""Distances: geopy's geodesic on known city pairs, the sphere estimate, poles and (0, 0)."""

from __future__ import annotations

import random

import pytest
from geopy.distance import geodesic

from server.location.geo import (
    SPHERE_ERROR,
    geodesic_m,
    is_null_island,
    sphere_m,
    to_lat_lon,
    unit_vector,
    valid_position,
    within_m,
)

BENGALURU = (12.9716, 77.5946)
MYSURU = (12.2958, 76.6394)
MUMBAI = (19.0760, 72.8777)
PUNE = (18.5204, 73.8567)


def test_bengaluru_to_mysuru_is_about_127_km() -> None:
    assert 126_000 <= geodesic_m(*BENGALURU, *MYSURU) <= 128_500


def test_mumbai_to_pune_is_about_120_km() -> None:
    assert 119_000 <= geodesic_m(*MUMBAI, *PUNE) <= 121_000


def test_distance_is_symmetric_and_zero_on_the_same_point() -> None:
    assert geodesic_m(*MUMBAI, *PUNE) == pytest.approx(geodesic_m(*PUNE, *MUMBAI), abs=1e-6)
    assert geodesic_m(*PUNE, *PUNE) == 0.0


def test_the_fast_geodesic_equals_geopys() -> None:
    for a, b in ((BENGALURU, MYSURU), (MUMBAI, PUNE), ((0.0, 0.0), (0.001, 0.001))):
        assert geodesic_m(*a, *b) == pytest.approx(geodesic(a, b).m, abs=1e-6)


def test_one_degree_of_latitude_at_the_equator_is_110_574_m() -> None:
    assert geodesic_m(0, 10, 1, 10) == pytest.approx(110_574, abs=1)


def test_the_pole_is_one_point_whatever_the_longitude() -> None:
    assert geodesic_m(90, 0, 90, 135) == pytest.approx(0, abs=1e-6)
    assert sphere_m(90, 0, 90, 135) == pytest.approx(0, abs=1e-6)
    assert sphere_m(-90, -45, -90, 170) == pytest.approx(0, abs=1e-6)


def test_crossing_the_pole_is_short() -> None:
    # 0.0001 degrees from the pole on opposite meridians: about 2 x 11.2 m.
    assert geodesic_m(89.9999, 0, 89.9999, 180) == pytest.approx(22.4, abs=0.2)
    assert sphere_m(89.9999, 0, 89.9999, 180) == pytest.approx(22.4, abs=0.2)


def test_the_sphere_estimate_stays_within_its_error_band() -> None:
    rnd = random.Random(7)
    for _ in range(2000):
        lat1, lon1 = rnd.uniform(-90, 90), rnd.uniform(-180, 180)
        span = rnd.choice((0.0005, 0.01, 1.0, 20.0))
        lat2 = max(-90.0, min(90.0, lat1 + rnd.uniform(-span, span)))
        lon2 = max(-180.0, min(180.0, lon1 + rnd.uniform(-span, span)))
        exact = geodesic_m(lat1, lon1, lat2, lon2)
        assert abs(sphere_m(lat1, lon1, lat2, lon2) - exact) <= exact * SPHERE_ERROR + 1e-6


def test_within_decides_near_the_limit_with_the_geodesic() -> None:
    exact = geodesic_m(*MUMBAI, *PUNE)
    assert within_m(*MUMBAI, *PUNE, exact + 0.5)
    assert not within_m(*MUMBAI, *PUNE, exact - 0.5)
    assert within_m(*MUMBAI, *PUNE, 200_000)
    assert not within_m(*MUMBAI, *PUNE, 50_000)


def test_unit_vectors_round_trip_including_the_poles() -> None:
    for lat, lon in ((12.9716, 77.5946), (-33.9, 151.2), (0.0, 0.0), (45.0, -179.5)):
        back = to_lat_lon(*unit_vector(lat, lon))
        assert (back.lat, back.lon) == (pytest.approx(lat), pytest.approx(lon))
    pole = to_lat_lon(*unit_vector(90, 123))
    assert (pole.lat, pole.lon) == (pytest.approx(90), 0.0)


@pytest.mark.parametrize(("lat", "lon", "ok"), [
    (0, 0, True), (90, 180, True), (-90, -180, True), (90.0001, 0, False), (0, -180.5, False),
    (float("nan"), 0, False), (0, float("inf"), False), (True, 0, False), ("12.9", 77.5, False),
])
def test_valid_position(lat: object, lon: object, ok: bool) -> None:
    assert valid_position(lat, lon) is ok


def test_only_exactly_zero_zero_is_null_island() -> None:
    assert is_null_island(0.0, 0.0)
    assert not is_null_island(0.0, 0.000001)
