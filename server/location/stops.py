"""Stops: runs of fixes that stay within a radius of their centre for long enough."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from server.location.geo import EARTH_RADIUS_M, to_lat_lon
from server.location.samples import Sample


@dataclass(frozen=True)
class Stop:
    """Where an engineer stayed: centre, first and last fix, duration, number of fixes."""

    lat: float
    lon: float
    start: datetime
    end: datetime
    duration_s: float
    points: int


class _Cluster:
    """A growing run of fixes; its centre is the normalised mean of their unit vectors."""

    __slots__ = ("cx", "cy", "cz", "first", "last", "n", "sx", "sy", "sz")

    def __init__(self, sample: Sample) -> None:
        self.sx, self.sy, self.sz = sample.x, sample.y, sample.z
        self.cx, self.cy, self.cz = sample.x, sample.y, sample.z
        self.first = self.last = sample
        self.n = 1

    def fits(self, sample: Sample, radius_m: float, max_gap_s: float) -> bool:
        if sample.t - self.last.t > max_gap_s:
            return False  # a gap ends the stop: nobody knows where the phone was meanwhile
        chord = math.sqrt((sample.x - self.cx) ** 2 + (sample.y - self.cy) ** 2
                          + (sample.z - self.cz) ** 2)
        return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, chord * 0.5)) <= radius_m

    def add(self, sample: Sample) -> None:
        self.sx += sample.x
        self.sy += sample.y
        self.sz += sample.z
        norm = math.sqrt(self.sx * self.sx + self.sy * self.sy + self.sz * self.sz)
        self.cx, self.cy, self.cz = self.sx / norm, self.sy / norm, self.sz / norm
        self.last = sample
        self.n += 1

    def as_stop(self, min_duration_s: float) -> Stop | None:
        duration = self.last.t - self.first.t
        if duration < min_duration_s:
            return None
        centre = to_lat_lon(self.cx, self.cy, self.cz)
        return Stop(centre.lat, centre.lon, self.first.point.at, self.last.point.at,
                    duration, self.n)


def find_stops(samples: Sequence[Sample], *, radius_m: float, min_duration_s: float,
               max_gap_s: float) -> list[Stop]:
    """Stops in time order. One stray fix between two that fit does not split a stop."""
    stops: list[Stop] = []
    if not samples:
        return stops
    cluster = _Cluster(samples[0])
    i, n = 1, len(samples)
    while i < n:
        sample = samples[i]
        if cluster.fits(sample, radius_m, max_gap_s):
            cluster.add(sample)
            i += 1
            continue
        after = samples[i + 1] if i + 1 < n else None
        if (after is not None and after.t - cluster.last.t <= max_gap_s
                and cluster.fits(after, radius_m, math.inf)):
            cluster.add(after)  # `sample` was a stray fix; the phone never left
            i += 2
            continue
        stop = cluster.as_stop(min_duration_s)
        if stop is not None:
            stops.append(stop)
        cluster = _Cluster(sample)
        i += 1
    stop = cluster.as_stop(min_duration_s)
    if stop is not None:
        stops.append(stop)
    return stops
