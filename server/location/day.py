"""One engineer-day of points summarised for the rollup table and the integrity report."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, tzinfo

from server.location.errors import InvalidRulesError
from server.location.geo import geodesic_m
from server.location.integrity import (
    Gap,
    Integrity,
    IntegrityFacts,
    IntegrityRules,
    TimeWindow,
    find_gaps,
    repeated_runs,
    score_integrity,
)
from server.location.points import GpsPoint
from server.location.samples import Sample, prepare
from server.location.stops import Stop, find_stops
from server.location.travel import DistanceFn, Jump, measure_travel


@dataclass(frozen=True)
class DayRules:
    """Thresholds for a day's summary; the defaults suit phones logging every 10-60 s."""

    max_accuracy_m: float = 100.0  # poorer fixes neither add distance nor make stops
    min_jitter_m: float = 5.0  # even a fix claiming 1 m accuracy wanders a few metres
    stop_radius_m: float = 75.0
    stop_min_duration_s: float = 300.0
    max_gap_s: float = 600.0  # longer without a fix is a gap, not movement or a stop
    max_speed_mps: float = 70.0  # 252 km/h: faster than any road or train the team takes
    use_mock_points: bool = False  # mock fixes are scored, but by default never measured
    integrity: IntegrityRules = field(default_factory=IntegrityRules)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not (math.isfinite(value) and value > 0):
                raise InvalidRulesError(f"day rule {f.name} must be a positive number, "
                                        f"not {value!r}")


@dataclass(frozen=True)
class DaySummary:
    """Everything the daily rollup row and the integrity report need, with no raw points."""

    points: int  # as handed in
    duplicates: int  # same instant as another point (the most accurate one is kept)
    invalid: int  # could not be a position (out of range, no offset)
    mock_points: int
    poor_accuracy_points: int
    used_points: int  # measured for distance and stops
    first_at: datetime | None
    last_at: datetime | None
    distance_m: float
    bridged_m: float  # part of distance_m straight across untracked gaps
    moving_s: float
    stopped_s: float
    untracked_s: float
    stops: tuple[Stop, ...]
    jumps: tuple[Jump, ...]
    gaps: tuple[Gap, ...]
    integrity: Integrity


def usable(samples: Sequence[Sample], rules: DayRules) -> list[Sample]:
    """The fixes good enough to measure with: accurate enough and, by default, not mocked."""
    limit, with_mock = rules.max_accuracy_m, rules.use_mock_points
    return [s for s in samples
            if s.point.accuracy_m <= limit and (with_mock or not s.point.mock)]


def summarise_day(points: Iterable[GpsPoint], rules: DayRules | None = None, *,
                  tracking: Sequence[TimeWindow] | None = None,
                  geodesic: DistanceFn = geodesic_m) -> DaySummary:
    """Summarise one engineer-day. `tracking` are the periods the app claimed to track
    (default: first to last fix); `geodesic` is the distance function, geopy's by default."""
    rules = rules or DayRules()
    prepared = prepare(points)
    every = prepared.samples
    measured = usable(every, rules)
    stops = find_stops(measured, radius_m=rules.stop_radius_m,
                       min_duration_s=rules.stop_min_duration_s, max_gap_s=rules.max_gap_s)
    travel = measure_travel(measured, stops, min_jitter_m=rules.min_jitter_m,
                            max_gap_s=rules.max_gap_s, max_speed_mps=rules.max_speed_mps,
                            geodesic=geodesic)
    stopped = sum(stop.duration_s for stop in stops)
    mock = sum(1 for s in every if s.point.mock)
    facts = _facts(every, mock, travel.jumps, tracking, rules)
    return DaySummary(
        points=len(every) + prepared.duplicates + prepared.invalid,
        duplicates=prepared.duplicates, invalid=prepared.invalid, mock_points=mock,
        poor_accuracy_points=sum(1 for s in every if s.point.accuracy_m > rules.max_accuracy_m),
        used_points=len(measured),
        first_at=every[0].point.at if every else None,
        last_at=every[-1].point.at if every else None,
        distance_m=travel.distance_m, bridged_m=travel.bridged_m,
        moving_s=max(0.0, travel.tracked_s - stopped), stopped_s=stopped,
        untracked_s=travel.untracked_s, stops=tuple(stops), jumps=travel.jumps,
        gaps=facts.gaps, integrity=score_integrity(facts, rules.integrity))


def _facts(samples: Sequence[Sample], mock: int, jumps: tuple[Jump, ...],
           tracking: Sequence[TimeWindow] | None, rules: DayRules) -> IntegrityFacts:
    gaps, claimed = find_gaps(samples, tracking, rules.max_gap_s)
    repeated, runs = repeated_runs(samples, rules.integrity.repeat_min_run)
    return IntegrityFacts(points=len(samples), mock_points=mock, jumps=jumps, gaps=gaps,
                          claimed_s=claimed, repeated_points=repeated, repeat_runs=runs)


def split_days(points: Iterable[GpsPoint], tz: tzinfo) -> dict[date, list[GpsPoint]]:
    """Group points by calendar day in the team's time zone (a day ends at local midnight).

    Points without an offset belong to no day and are left out.
    """
    days: dict[date, list[GpsPoint]] = defaultdict(list)
    for point in points:
        if point.at.tzinfo is None:
            continue
        days[point.at.astimezone(tz).date()].append(point)
    return dict(days)
