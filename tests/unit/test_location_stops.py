"""Stops: where, from when to when, and what does or does not make one."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from geopy.distance import geodesic

from server.location import DayRules, GpsPoint, summarise_day
from server.location.geo import geodesic_m

IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=IST)
OFFICE = (19.0760, 72.8777)


def moved(origin: tuple[float, float], metres: float, bearing: float) -> tuple[float, float]:
    dest = geodesic(meters=metres).destination(origin, bearing)
    return dest.latitude, dest.longitude


def stay(centre: tuple[float, float], start_s: int, seconds: int, spread_m: float = 25,
         every_s: int = 15, seed: int = 3) -> list[GpsPoint]:
    """Fixes scattered evenly around the centre, so their mean is close to it."""
    rnd = random.Random(seed)
    return [GpsPoint(*moved(centre, rnd.uniform(0, spread_m), rnd.uniform(0, 360)), 10,
                     T0 + timedelta(seconds=start_s + t))
            for t in range(0, seconds + 1, every_s)]


def go(origin: tuple[float, float], start_s: int, steps: int, bearing: float = 90,
       step_m: float = 150, every_s: int = 15) -> list[GpsPoint]:
    return [GpsPoint(*moved(origin, step_m * i, bearing), 10,
                     T0 + timedelta(seconds=start_s + every_s * i)) for i in range(1, steps + 1)]


def test_a_long_stay_is_a_stop_with_centre_start_end_and_duration() -> None:
    summary = summarise_day(stay(OFFICE, 0, 900))
    (stop,) = summary.stops
    assert geodesic_m(stop.lat, stop.lon, *OFFICE) < 10
    assert (stop.start, stop.end) == (T0, T0 + timedelta(seconds=900))
    assert stop.duration_s == 900
    assert stop.points == 61


def test_a_short_pause_is_not_a_stop() -> None:
    summary = summarise_day(stay(OFFICE, 0, 240))
    assert summary.stops == ()
    assert summary.moving_s == 240


def test_the_minimum_duration_is_configurable() -> None:
    assert len(summarise_day(stay(OFFICE, 0, 240), DayRules(stop_min_duration_s=120)).stops) == 1


def test_two_stays_with_a_drive_between_are_two_stops() -> None:
    first = stay(OFFICE, 0, 600)
    drive = go(OFFICE, 600, steps=20)
    there = moved(OFFICE, 3000, 90)
    second = stay(there, 600 + 300 + 15, 1200, seed=4)
    summary = summarise_day(first + drive + second)
    assert len(summary.stops) == 2
    assert geodesic_m(summary.stops[1].lat, summary.stops[1].lon, *there) < 10
    # The drive's last fix is already at the second place: the stop starts on arrival.
    assert summary.stops[1].start == drive[-1].at
    assert summary.stopped_s == 600 + 15 + 1200
    # The drive counts from the first stop's centre to the second's, not the jitter around them.
    assert summary.distance_m == pytest.approx(3000, abs=30)


def test_one_stray_fix_does_not_split_a_stop() -> None:
    points = stay(OFFICE, 0, 900)
    stray = points[30]
    points[30] = GpsPoint(*moved(OFFICE, 400, 10), 10, stray.at)
    summary = summarise_day(points)
    (stop,) = summary.stops
    assert stop.duration_s == 900
    assert summary.distance_m == 0


def test_two_stray_fixes_in_a_row_end_a_stop() -> None:
    points = stay(OFFICE, 0, 900)
    for i in (30, 31):
        points[i] = GpsPoint(*moved(OFFICE, 400, 10), 10, points[i].at)
    assert len(summarise_day(points).stops) == 2


def test_a_gap_ends_a_stop() -> None:
    points = stay(OFFICE, 0, 600) + stay(OFFICE, 600 + 1200, 600, seed=5)
    summary = summarise_day(points)
    assert len(summary.stops) == 2
    assert summary.stopped_s == 1200
    assert summary.untracked_s == 1200


def test_leaving_the_radius_ends_a_stop() -> None:
    points = stay(OFFICE, 0, 600) + go(OFFICE, 600, steps=10)
    (stop,) = summarise_day(points).stops
    assert stop.end == T0 + timedelta(seconds=600)


def test_a_stop_at_the_pole_has_its_centre_at_the_pole() -> None:
    pole = (90.0, 0.0)
    summary = summarise_day(stay(pole, 0, 900))
    (stop,) = summary.stops
    assert geodesic_m(stop.lat, stop.lon, *pole) < 10
