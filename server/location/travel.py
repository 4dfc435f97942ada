"""Distance travelled and tracked time over a day's usable samples, ignoring GPS jitter."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from server.location.geo import EARTH_RADIUS_M, SPHERE_ERROR, geodesic_m, unit_vector
from server.location.points import GpsPoint
from server.location.samples import Sample
from server.location.stops import Stop

DistanceFn = Callable[[float, float, float, float], float]


@dataclass(frozen=True)
class Jump:
    """Two consecutive fixes too far apart for the time between them, even allowing accuracy."""

    start: datetime
    end: datetime
    distance_m: float  # sphere estimate, enough to show a person how impossible it is
    speed_mps: float  # the lowest speed the fixes allow: (distance - both accuracies) / time


@dataclass(frozen=True)
class Travel:
    """What one pass over the usable samples measures."""

    distance_m: float  # geodesic, jitter and stops ignored, impossible jumps left out
    bridged_m: float  # the part of distance_m that crosses an untracked gap (straight line)
    tracked_s: float  # time between consecutive usable fixes that were close enough in time
    untracked_s: float  # time inside gaps longer than the allowed one
    jumps: tuple[Jump, ...]


def _sphere(a: Sample, b: Sample) -> float:
    """geo.chord_m on samples; written out because it runs for every fix, twice."""
    chord = math.sqrt((a.x - b.x) ** 2 + (a.y - b.y) ** 2 + (a.z - b.z) ** 2)
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, chord * 0.5))


def _moved(anchor: Sample, sample: Sample, min_jitter_m: float,
           geodesic: DistanceFn) -> float:
    """Geodesic distance from the anchor, or 0 when it is within the accuracy radius.

    The sphere estimate settles the clear cases; geopy is called only for real moves and for
    estimates too close to the radius to decide.
    """
    radius = max(anchor.point.accuracy_m, sample.point.accuracy_m, min_jitter_m)
    estimate = _sphere(anchor, sample)
    if estimate < radius * (1.0 - SPHERE_ERROR):
        return 0.0
    a, b = anchor.point, sample.point
    distance = geodesic(a.lat, a.lon, b.lat, b.lon)
    return distance if distance > radius else 0.0


def _jump(prev: Sample, sample: Sample, max_speed_mps: float) -> Jump | None:
    step = _sphere(prev, sample)
    dt = sample.t - prev.t
    slack = step - prev.point.accuracy_m - sample.point.accuracy_m
    if slack <= max_speed_mps * dt:
        return None
    return Jump(prev.point.at, sample.point.at, step, slack / dt)


@dataclass(frozen=True)
class _Timing:
    """Time and speed over consecutive fixes, and where the distance must restart."""

    tracked_s: float
    untracked_s: float
    jumps: tuple[Jump, ...]
    after_jump: frozenset[int]  # indices of fixes that landed an impossible move
    after_gap: frozenset[int]  # indices of the first fix after an untracked gap


def _timing(samples: Sequence[Sample], max_gap_s: float, max_speed_mps: float) -> _Timing:
    tracked = untracked = 0.0
    jumps: list[Jump] = []
    after_jump: set[int] = set()
    after_gap: set[int] = set()
    for i in range(1, len(samples)):
        prev, sample = samples[i - 1], samples[i]
        dt = sample.t - prev.t
        if dt > max_gap_s:
            untracked += dt
            after_gap.add(i)
        else:
            tracked += dt
        jump = _jump(prev, sample, max_speed_mps)
        if jump is not None:
            jumps.append(jump)
            after_jump.add(i)
    return _Timing(tracked, untracked, tuple(jumps), frozenset(after_jump), frozenset(after_gap))


def _stop_centre(stop: Stop) -> Sample:
    x, y, z = unit_vector(stop.lat, stop.lon)
    centre = GpsPoint(stop.lat, stop.lon, 0.0, stop.start)
    return Sample(stop.start.timestamp(), x, y, z, centre)


def waypoints(samples: Sequence[Sample], stops: Sequence[Stop]) -> Iterator[tuple[int, Sample]]:
    """The fixes with each stop collapsed into its centre: staying put adds no distance."""
    bounds = [(s.start.timestamp(), s.end.timestamp(), s) for s in stops]
    k = 0
    for i, sample in enumerate(samples):
        while k < len(bounds) and sample.t > bounds[k][1]:
            k += 1
        if k < len(bounds) and sample.t >= bounds[k][0]:
            if sample.t == bounds[k][0]:
                yield i, _stop_centre(bounds[k][2])
            continue
        yield i, sample


def measure_travel(samples: Sequence[Sample], stops: Sequence[Stop] = (), *,
                   min_jitter_m: float, max_gap_s: float, max_speed_mps: float,
                   geodesic: DistanceFn = geodesic_m) -> Travel:
    """Sum geodesic moves between anchors: a fix within the accuracy radius of the last
    counted position is jitter and moves nothing; a stop counts as its centre only."""
    timing = _timing(samples, max_gap_s, max_speed_mps)
    distance = bridged = 0.0
    anchor: Sample | None = None
    gap_since_anchor = False
    for i, sample in waypoints(samples, stops):
        gap_since_anchor = gap_since_anchor or i in timing.after_gap
        if anchor is None or i in timing.after_jump:
            # A teleport is left out of the distance; counting restarts where it landed.
            anchor, gap_since_anchor = sample, False
            continue
        moved = _moved(anchor, sample, min_jitter_m, geodesic)
        if moved:
            distance += moved
            bridged += moved if gap_since_anchor else 0.0
            anchor, gap_since_anchor = sample, False
    return Travel(distance, bridged, timing.tracked_s, timing.untracked_s, timing.jumps)
