"""A day's points prepared once for the passes over them: sorted, de-duplicated, as vectors."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from server.location.points import GpsPoint


@dataclass(slots=True)
class Sample:
    """A point with what every pass needs precomputed: epoch seconds and its unit vector."""

    t: float
    x: float
    y: float
    z: float
    point: GpsPoint


@dataclass(frozen=True)
class Prepared:
    """All distinct valid points of a day in time order, and what was left out on the way."""

    samples: list[Sample]
    duplicates: int
    invalid: int


def _valid(point: GpsPoint) -> bool:
    # Written out rather than via geo.valid_position: this runs for every fix of the day.
    # NaN fails every comparison, so it is refused too.
    lat, lon = point.lat, point.lon
    return (point.at.tzinfo is not None and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0
            and 0.0 <= point.accuracy_m < math.inf and (lat != 0.0 or lon != 0.0))


def _sample(point: GpsPoint) -> Sample:
    phi = math.radians(point.lat)
    lam = math.radians(point.lon)
    cos_phi = math.cos(phi)
    return Sample(point.at.timestamp(), cos_phi * math.cos(lam), cos_phi * math.sin(lam),
                  math.sin(phi), point)


def _rank(sample: Sample) -> tuple[float, float, float, bool]:
    point = sample.point
    return point.accuracy_m, point.lat, point.lon, point.mock


def prepare(points: Iterable[GpsPoint]) -> Prepared:
    """Sort by time and keep one point per instant (batches overlap when uploads are retried).

    Of points sharing an instant the most accurate is kept, so the summary never depends on
    the order rows arrive in. Points that could not have passed `clean_track` (no offset,
    out of range, (0, 0)) are counted as invalid and skipped: one bad row never stops a rollup.
    """
    samples: list[Sample] = []
    invalid = 0
    for point in points:
        if _valid(point):
            samples.append(_sample(point))
        else:
            invalid += 1
    samples.sort(key=lambda s: s.t)
    distinct: list[Sample] = []
    for sample in samples:
        if not distinct or sample.t != distinct[-1].t:
            distinct.append(sample)
        elif _rank(sample) < _rank(distinct[-1]):
            distinct[-1] = sample
    return Prepared(distinct, len(samples) - len(distinct), invalid)
