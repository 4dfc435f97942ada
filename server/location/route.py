"""An engineer's day as GeoJSON (RFC 7946) for the web console's map: track, stops, events."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.location.day import DayRules, usable
from server.location.geo import EARTH_RADIUS_M
from server.location.points import GpsPoint
from server.location.samples import Sample, prepare
from server.location.stops import Stop, find_stops
from server.location.travel import waypoints

# Six decimals of a degree is about 0.1 m: finer than any phone fix, and half the JSON.
DECIMALS = 6


@dataclass(frozen=True)
class RouteMarker:
    """Something that happened at a place: a visit, an offer, an approval, an order."""

    kind: str
    id: str
    lat: float
    lon: float
    at: datetime | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


def _position(lat: float, lon: float) -> list[float]:
    return [round(lon, DECIMALS), round(lat, DECIMALS)]  # GeoJSON order: longitude first


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


@dataclass
class _Segment:
    """A stretch of track between gaps: what is drawn, and the first and last real fix."""

    drawn: list[Sample]
    start: datetime
    end: datetime


def _segments(samples: Sequence[Sample], stops: Sequence[Stop],
              rules: DayRules) -> list[_Segment]:
    """Split the track at gaps; draw each stop as its centre and skip fixes within jitter."""
    segments: list[_Segment] = []
    for i, sample in waypoints(samples, stops):
        if not segments or samples[i].t - samples[i - 1].t > rules.max_gap_s:
            if segments:
                segments[-1].end = samples[i - 1].point.at
            segments.append(_Segment([sample], samples[i].point.at, samples[i].point.at))
        elif _beyond_jitter(segments[-1].drawn[-1], sample, rules.min_jitter_m):
            segments[-1].drawn.append(sample)
    if segments:
        segments[-1].end = samples[-1].point.at
    return segments


def _beyond_jitter(a: Sample, b: Sample, min_jitter_m: float) -> bool:
    chord = math.sqrt((a.x - b.x) ** 2 + (a.y - b.y) ** 2 + (a.z - b.z) ** 2)
    radius = max(a.point.accuracy_m, b.point.accuracy_m, min_jitter_m)
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, chord * 0.5)) > radius


def _track_feature(segment: _Segment) -> dict[str, Any]:
    coordinates = [_position(s.point.lat, s.point.lon) for s in segment.drawn]
    properties = {"kind": "track", "start": _iso(segment.start), "end": _iso(segment.end),
                  "points": len(coordinates)}
    if len(coordinates) == 1:  # a LineString needs two positions; one fix is a Point
        return _feature({"type": "Point", "coordinates": coordinates[0]}, properties)
    return _feature({"type": "LineString", "coordinates": coordinates}, properties)


def _stop_feature(stop: Stop) -> dict[str, Any]:
    return _feature({"type": "Point", "coordinates": _position(stop.lat, stop.lon)},
                    {"kind": "stop", "start": _iso(stop.start), "end": _iso(stop.end),
                     "duration_s": round(stop.duration_s), "points": stop.points})


def _marker_feature(marker: RouteMarker) -> dict[str, Any]:
    properties = {**marker.properties, "kind": marker.kind, "id": marker.id,
                  "at": _iso(marker.at)}
    return _feature({"type": "Point", "coordinates": _position(marker.lat, marker.lon)},
                    properties)


def _feature(geometry: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def day_route(points: Iterable[GpsPoint], markers: Iterable[RouteMarker] = (),
              rules: DayRules | None = None) -> dict[str, Any]:
    """A FeatureCollection: the track as LineStrings (one per stretch between gaps), the
    stops and the markers as Points. Mock and poor fixes are left off the line."""
    rules = rules or DayRules()
    measured = usable(prepare(points).samples, rules)
    stops = find_stops(measured, radius_m=rules.stop_radius_m,
                       min_duration_s=rules.stop_min_duration_s, max_gap_s=rules.max_gap_s)
    features = [_track_feature(segment) for segment in _segments(measured, stops, rules)]
    features += [_stop_feature(stop) for stop in stops]
    features += [_marker_feature(marker) for marker in markers]
    return {"type": "FeatureCollection", "features": features}
