"""A day's route as GeoJSON: valid RFC 7946, longitude first, split at gaps."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

from geopy.distance import geodesic

from server.location import GpsPoint, RouteMarker, day_route

IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=IST)
START = (12.9716, 77.5946)  # latitude 12, longitude 77: a swapped pair is easy to spot


def along(metres: float, bearing: float = 45) -> tuple[float, float]:
    dest = geodesic(meters=metres).destination(START, bearing)
    return dest.latitude, dest.longitude


def drive(start_s: int, steps: int, from_m: float = 0) -> list[GpsPoint]:
    return [GpsPoint(*along(from_m + 150 * i), 10, T0 + timedelta(seconds=start_s + 15 * i))
            for i in range(steps)]


def stay(start_s: int, seconds: int, at_m: float) -> list[GpsPoint]:
    centre = along(at_m)
    times = range(0, seconds, 20)
    return [GpsPoint(centre[0] + 0.00005 * (-1) ** i, centre[1], 10,
                     T0 + timedelta(seconds=start_s + t)) for i, t in enumerate(times)]


def check_position(position: Any) -> None:
    assert isinstance(position, list) and len(position) == 2
    lon, lat = position
    assert all(isinstance(v, float) and math.isfinite(v) for v in position)
    assert -180 <= lon <= 180 and -90 <= lat <= 90


def check_geojson(collection: dict[str, Any]) -> None:
    """The parts of RFC 7946 the console relies on."""
    json.dumps(collection, allow_nan=False)  # serialisable, no NaN
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            check_position(geometry["coordinates"])
        else:
            assert geometry["type"] == "LineString"
            assert len(geometry["coordinates"]) >= 2
            for position in geometry["coordinates"]:
                check_position(position)


def kinds(collection: dict[str, Any]) -> list[str]:
    return [f["properties"]["kind"] for f in collection["features"]]


def test_an_empty_day_is_an_empty_collection() -> None:
    route = day_route([])
    check_geojson(route)
    assert route == {"type": "FeatureCollection", "features": []}


def test_a_single_fix_is_a_point_not_a_broken_line() -> None:
    route = day_route([GpsPoint(*START, 10, T0)])
    check_geojson(route)
    assert route["features"][0]["geometry"] == {"type": "Point",
                                                "coordinates": [77.5946, 12.9716]}


def test_the_track_is_a_linestring_with_longitude_first() -> None:
    points = drive(0, 20)
    route = day_route(points)
    check_geojson(route)
    (track,) = route["features"]
    line = track["geometry"]["coordinates"]
    assert line[0] == [round(points[0].lon, 6), round(points[0].lat, 6)]
    assert all(70 < lon < 80 and 10 < lat < 15 for lon, lat in line)
    assert track["properties"]["start"] == T0.isoformat()
    assert track["properties"]["end"] == points[-1].at.isoformat()


def test_stops_and_markers_are_points_with_properties() -> None:
    points = drive(0, 10) + stay(150, 900, 1500) + drive(1050, 10, from_m=1650)
    visit = RouteMarker("visit", "visit:01J", *along(1500), at=T0 + timedelta(minutes=3),
                        properties={"customer_id": "C-17", "geofence": "inside"})
    route = day_route(points, [visit])
    check_geojson(route)
    assert kinds(route) == ["track", "stop", "visit"]
    stop, marker = route["features"][1], route["features"][2]
    assert stop["properties"]["duration_s"] >= 880
    lon, lat = stop["geometry"]["coordinates"]
    assert geodesic((lat, lon), along(1500)).m < 10
    assert marker["properties"] == {"customer_id": "C-17", "geofence": "inside",
                                    "kind": "visit", "id": "visit:01J",
                                    "at": (T0 + timedelta(minutes=3)).isoformat()}


def test_a_stop_is_drawn_as_one_vertex_not_a_scribble() -> None:
    points = stay(0, 1200, 0)
    (track, _stop) = day_route(points)["features"]
    assert track["geometry"]["type"] == "Point"
    assert track["properties"]["end"] == points[-1].at.isoformat()


def test_a_gap_splits_the_track_into_separate_lines() -> None:
    route = day_route(drive(0, 10) + drive(150 + 3600, 10, from_m=5000))
    check_geojson(route)
    assert kinds(route) == ["track", "track"]
    first, second = route["features"]
    assert first["properties"]["end"] < second["properties"]["start"]


def test_mock_fixes_stay_off_the_line() -> None:
    points = drive(0, 10)
    faked = GpsPoint(*along(50_000, 200), 10, T0 + timedelta(seconds=7), mock=True)
    (track,) = day_route([*points, faked])["features"]
    assert len(track["geometry"]["coordinates"]) == 10
