"""Track points: bad ones are dropped and counted per reason; `loc` fields become fixes."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from server.location.errors import LocationError
from server.location.points import (
    DUPLICATE,
    FUTURE,
    MALFORMED,
    NO_POSITION,
    OUT_OF_RANGE,
    clean_track,
    parse_fix,
    parse_time,
)

IST = timezone(timedelta(hours=5, minutes=30))
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=IST)


def raw(**changes: Any) -> dict[str, Any]:
    point: dict[str, Any] = {"lat": 12.9716, "lon": 77.5946, "accuracy_m": 12.0,
                             "at": "2026-11-30T10:15:00+05:30", "speed_mps": 3.5,
                             "mock": False}
    point.update(changes)
    return point


def test_a_good_point_is_kept_with_all_its_fields() -> None:
    batch = clean_track([raw()], NOW)
    assert batch.dropped_total == 0
    (point,) = batch.points
    assert (point.lat, point.lon, point.accuracy_m, point.speed_mps, point.mock) == (
        12.9716, 77.5946, 12.0, 3.5, False)
    assert point.at == datetime(2026, 11, 30, 10, 15, tzinfo=IST)


def test_speed_and_mock_are_optional() -> None:
    point = raw()
    del point["speed_mps"], point["mock"]
    (kept,) = clean_track([point], NOW).points
    assert kept.speed_mps is None
    assert kept.mock is False


def test_out_of_range_values_are_dropped_and_counted() -> None:
    points = [raw(lat=90.5), raw(lon=-181), raw(accuracy_m=-1), raw(speed_mps=-2),
              raw(lat=math.nan), raw(accuracy_m=math.inf), raw()]
    batch = clean_track(points, NOW)
    assert len(batch.points) == 1
    assert batch.dropped == {OUT_OF_RANGE: 6}


def test_malformed_points_are_dropped_and_counted() -> None:
    points: list[object] = [raw(lat="12.97"), raw(at="2026-11-30T10:15:00"), raw(at="yesterday"),
                            raw(mock="yes"), raw(accuracy_m=None), raw(lat=True),
                            raw(speed_mps="fast"), "not a point", raw()]
    batch = clean_track(points, NOW)
    assert len(batch.points) == 1
    assert batch.dropped == {MALFORMED: 8}


def test_zero_zero_is_no_position() -> None:
    batch = clean_track([raw(lat=0, lon=0), raw(lat=0.0, lon=0.5)], NOW)
    assert [(p.lat, p.lon) for p in batch.points] == [(0.0, 0.5)]
    assert batch.dropped == {NO_POSITION: 1}


def test_points_in_the_future_are_dropped_beyond_the_clock_skew() -> None:
    soon = (NOW + timedelta(minutes=4)).isoformat()
    later = (NOW + timedelta(minutes=6)).isoformat()
    batch = clean_track([raw(at=soon), raw(at=later)], NOW)
    assert [p.at for p in batch.points] == [NOW + timedelta(minutes=4)]
    assert batch.dropped == {FUTURE: 1}


def test_a_repeated_instant_is_a_duplicate_even_in_another_offset() -> None:
    points = [raw(), raw(lat=12.98), raw(at="2026-11-30T04:45:00Z"),
              raw(at="2026-11-30T10:16:00+05:30")]
    batch = clean_track(points, NOW)
    assert [p.lat for p in batch.points] == [12.9716, 12.9716]
    assert batch.dropped == {DUPLICATE: 2}
    assert batch.dropped_total == 2


def test_an_empty_batch_is_fine() -> None:
    batch = clean_track([], NOW)
    assert batch.points == ()
    assert batch.dropped_total == 0


def test_parse_time_requires_an_offset() -> None:
    assert parse_time("2026-11-30T10:15:00+05:30") == datetime(2026, 11, 30, 10, 15, tzinfo=IST)
    assert parse_time("2026-11-30T04:45:00Z") == datetime(2026, 11, 30, 10, 15, tzinfo=IST)
    assert parse_time("2026-11-30T10:15:00") is None
    assert parse_time(1764478500) is None


def test_parse_fix_reads_a_loc() -> None:
    fix = parse_fix({"lat": 12.97, "lon": 77.59, "accuracy_m": 8,
                     "at": "2026-11-30T10:15:00+05:30", "mock": True})
    assert fix is not None
    assert (fix.lat, fix.lon, fix.accuracy_m, fix.mock) == (12.97, 77.59, 8.0, True)
    assert fix.at == datetime(2026, 11, 30, 10, 15, tzinfo=IST)


def test_parse_fix_without_a_position_is_none() -> None:
    for loc in (None, {}, {"lat": 12.97}, {"lat": 0, "lon": 0, "accuracy_m": 5},
                {"lat": 95, "lon": 77}, "12.97,77.59"):
        assert parse_fix(loc) is None


def test_parse_fix_with_unknown_accuracy_treats_it_as_poor() -> None:
    fix = parse_fix({"lat": 12.97, "lon": 77.59, "accuracy_m": -3})
    assert fix is not None
    assert fix.accuracy_m == math.inf
    assert fix.at is None
    assert fix.mock is False


def test_a_naive_server_clock_is_refused() -> None:
    with pytest.raises(LocationError, match="time zone"):
        clean_track([raw()], datetime(2026, 11, 30, 18, 0))
