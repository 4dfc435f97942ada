"""A day's summary: geodesic distance without jitter, time moving, stopped and untracked."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from geographiclib.geodesic import Geodesic
from geopy.distance import geodesic

from server.location import DayRules, GpsPoint, InvalidRulesError, split_days, summarise_day
from server.location.geo import geodesic_m

IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=IST)
BENGALURU = (12.9716, 77.5946)


def moved(origin: tuple[float, float], metres: float, bearing: float) -> tuple[float, float]:
    dest = geodesic(meters=metres).destination(origin, bearing)
    return dest.latitude, dest.longitude


def drive(start: tuple[float, float], t0_s: float, steps: int, step_m: float = 100.0,
          every_s: float = 10.0, bearing: float = 45.0, accuracy: float = 10.0,
          ) -> list[GpsPoint]:
    points, here = [], start
    for i in range(steps + 1):
        points.append(GpsPoint(*here, accuracy, T0 + timedelta(seconds=t0_s + i * every_s)))
        here = moved(here, step_m, bearing)
    return points


def linger(centre: tuple[float, float], t0_s: float, seconds: float, spread_m: float,
           accuracy: float = 10.0, every_s: float = 10.0, seed: int = 1) -> list[GpsPoint]:
    rnd = random.Random(seed)
    return [GpsPoint(*moved(centre, rnd.uniform(0, spread_m), rnd.uniform(0, 360)), accuracy,
                     T0 + timedelta(seconds=t0_s + i * every_s))
            for i in range(int(seconds // every_s) + 1)]


def test_an_empty_day_is_all_zero_with_no_score() -> None:
    summary = summarise_day([])
    assert (summary.points, summary.distance_m, summary.moving_s, summary.stopped_s) == (0, 0, 0, 0)
    assert summary.first_at is None and summary.last_at is None
    assert summary.stops == () and summary.jumps == () and summary.gaps == ()
    assert summary.integrity.score is None
    assert [r.code for r in summary.integrity.reasons] == ["no_points"]


def test_a_single_fix_travels_nowhere() -> None:
    summary = summarise_day([GpsPoint(*BENGALURU, 10, T0)])
    assert (summary.distance_m, summary.moving_s, summary.used_points) == (0, 0, 1)
    assert summary.first_at == summary.last_at == T0
    assert summary.integrity.score == 100


def test_a_straight_drive_measures_the_geodesic_steps() -> None:
    summary = summarise_day(drive(BENGALURU, 0, steps=60))
    assert summary.distance_m == pytest.approx(6000, abs=0.01)
    assert (summary.moving_s, summary.stopped_s, summary.untracked_s) == (600, 0, 0)
    assert summary.stops == ()


def test_a_city_to_city_trip_matches_the_geodesic_between_them() -> None:
    mysuru = (12.2958, 76.6394)
    total = geodesic_m(*BENGALURU, *mysuru)
    points = [GpsPoint(*BENGALURU, 10, T0)]
    for i in range(1, 201):  # 200 steps along the geodesic, one every 30 s
        dest = geodesic(meters=total * i / 200).destination(BENGALURU, _initial_bearing(mysuru))
        points.append(GpsPoint(dest.latitude, dest.longitude, 10, T0 + timedelta(seconds=30 * i)))
    summary = summarise_day(points)
    assert 126_000 <= summary.distance_m <= 128_500
    assert summary.distance_m == pytest.approx(total, rel=1e-6)


def _initial_bearing(to: tuple[float, float]) -> float:
    return float(Geodesic.WGS84.Inverse(*BENGALURU, *to)["azi1"])


def test_jitter_within_the_accuracy_radius_adds_nothing() -> None:
    # Three minutes of fixes wandering 8 m with 10 m accuracy: too short for a stop.
    summary = summarise_day(linger(BENGALURU, 0, 180, spread_m=8))
    assert summary.distance_m == 0
    assert summary.stops == ()
    assert summary.moving_s == 180


def test_jitter_beyond_the_accuracy_radius_adds_distance_outside_stops() -> None:
    summary = summarise_day(linger(BENGALURU, 0, 180, spread_m=60, accuracy=5))
    assert summary.distance_m > 100


def test_jitter_inside_a_stop_adds_nothing_even_beyond_accuracy() -> None:
    summary = summarise_day(linger(BENGALURU, 0, 3600, spread_m=40, accuracy=5))
    assert summary.distance_m == 0
    assert len(summary.stops) == 1
    assert (summary.stopped_s, summary.moving_s) == (3600, 0)


def test_a_move_after_jitter_counts_from_the_last_counted_position() -> None:
    points = linger(BENGALURU, 0, 120, spread_m=5, accuracy=10)
    points.append(GpsPoint(*moved(BENGALURU, 500, 90), 10, T0 + timedelta(seconds=180)))
    assert summarise_day(points).distance_m == pytest.approx(500, abs=12)


def test_duplicates_across_batches_are_counted_once() -> None:
    points = drive(BENGALURU, 0, steps=20)
    summary = summarise_day(points + points[5:15])
    assert summary.duplicates == 10
    assert summary.points == 31
    assert summary.distance_m == pytest.approx(2000, abs=0.01)


def test_mock_fixes_are_counted_but_not_measured_by_default() -> None:
    points = drive(BENGALURU, 0, steps=20)
    faked = [GpsPoint(p.lat, p.lon, p.accuracy_m, p.at, mock=i >= 10) for i, p in enumerate(points)]
    summary = summarise_day(faked)
    assert summary.mock_points == 11
    assert summary.used_points == 10
    assert summary.distance_m == pytest.approx(900, abs=0.01)
    measured = summarise_day(faked, DayRules(use_mock_points=True))
    assert measured.distance_m == pytest.approx(2000, abs=0.01)


def test_poor_fixes_are_not_measured() -> None:
    points = drive(BENGALURU, 0, steps=10)
    points.insert(5, GpsPoint(*moved(BENGALURU, 3000, 200), 900, T0 + timedelta(seconds=55)))
    summary = summarise_day(points)
    assert summary.poor_accuracy_points == 1
    assert summary.distance_m == pytest.approx(1000, abs=0.01)


def test_a_gap_is_untracked_time_and_its_straight_line_is_bridged() -> None:
    first = drive(BENGALURU, 0, steps=10)  # 1 km in 100 s
    resume = moved((first[-1].lat, first[-1].lon), 20_000, 45)
    second = drive(resume, 100 + 1800, steps=10)  # 30 minutes later, 20 km on
    summary = summarise_day(first + second)
    assert summary.untracked_s == 1800
    assert summary.moving_s == 200
    assert summary.bridged_m == pytest.approx(20_000, abs=0.01)
    assert summary.distance_m == pytest.approx(22_000, abs=0.01)
    assert len(summary.gaps) == 1


def test_an_impossible_spike_is_left_out_of_the_distance() -> None:
    points = drive(BENGALURU, 0, steps=20)
    spike = GpsPoint(*moved(BENGALURU, 50_000, 180), 10, T0 + timedelta(seconds=105))
    summary = summarise_day([*points, spike])
    assert len(summary.jumps) == 2  # there and back
    # The steps into and out of the spike are lost: 100 m of the 2 km.
    assert summary.distance_m == pytest.approx(1900, abs=60)


def test_moving_stopped_and_untracked_add_up_to_the_day() -> None:
    points = (drive(BENGALURU, 0, steps=30)
              + linger(moved(BENGALURU, 3000, 45), 310, 1200, spread_m=20, seed=2)
              + drive(moved(BENGALURU, 3000, 45), 1510 + 3600, steps=30, bearing=120))
    summary = summarise_day(points)
    assert len(summary.stops) == 1
    span = (summary.last_at - summary.first_at).total_seconds()  # type: ignore[operator]
    assert summary.moving_s + summary.stopped_s + summary.untracked_s == pytest.approx(span)
    assert summary.untracked_s == 3600


def test_a_day_at_the_pole_is_measured() -> None:
    # Along the meridian over the pole, 10 m every 10 s, from 111 m before it to 289 m after.
    start = (89.999, 0.0)
    points = [GpsPoint(*moved(start, 10.0 * i, 0), 5, T0 + timedelta(seconds=10 * i))
              for i in range(41)]
    assert points[-1].lon == pytest.approx(180) or points[-1].lon == pytest.approx(-180)
    summary = summarise_day(points)
    assert summary.distance_m == pytest.approx(400, abs=0.5)
    assert summary.jumps == ()
    assert summary.stops == ()


def test_zero_zero_and_naive_times_are_invalid_but_near_zero_is_fine() -> None:
    naive = datetime(2026, 11, 30, 9, 0)
    points = [GpsPoint(0.0, 0.0, 5, T0), GpsPoint(12.9, 77.5, 5, naive),
              GpsPoint(0.0001, 0.0, 5, T0 + timedelta(seconds=10)),
              GpsPoint(0.0101, 0.0, 5, T0 + timedelta(seconds=130))]
    summary = summarise_day(points)
    assert summary.invalid == 2
    assert summary.used_points == 2
    assert summary.distance_m == pytest.approx(1105.7, abs=0.5)


def counting(calls: list[int]) -> Callable[[float, float, float, float], float]:
    def distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        calls.append(1)
        return geodesic_m(lat1, lon1, lat2, lon2)
    return distance


def test_jitter_is_settled_without_calling_the_geodesic() -> None:
    calls: list[int] = []
    summarise_day(linger(BENGALURU, 0, 180, spread_m=6, accuracy=10), geodesic=counting(calls))
    assert calls == []
    summarise_day(drive(BENGALURU, 0, steps=30), geodesic=counting(calls))
    assert len(calls) == 30


@pytest.mark.parametrize("change", [{"stop_radius_m": 0}, {"max_gap_s": -1},
                                    {"max_speed_mps": float("nan")},
                                    {"max_accuracy_m": float("inf")}])
def test_unusable_rules_are_refused(change: dict[str, float]) -> None:
    with pytest.raises(InvalidRulesError, match=next(iter(change))):
        DayRules(**change)  # type: ignore[arg-type]


def test_split_days_uses_local_midnight() -> None:
    late = GpsPoint(*BENGALURU, 10, datetime(2026, 11, 30, 23, 50, tzinfo=IST))
    early = GpsPoint(*BENGALURU, 10, datetime(2026, 12, 1, 0, 10, tzinfo=IST))
    naive = GpsPoint(*BENGALURU, 10, datetime(2026, 12, 1, 0, 20))
    days = split_days([late, early, naive], IST)
    assert days == {date(2026, 11, 30): [late], date(2026, 12, 1): [early]}
    assert split_days([late, early], UTC) == {date(2026, 11, 30): [late, early]}


def test_the_summary_does_not_depend_on_the_order_of_the_rows() -> None:
    points = drive(BENGALURU, 0, steps=30) + linger(BENGALURU, 400, 900, spread_m=30)
    # Same instant, different positions: the more accurate fix is kept whatever comes first.
    rival = GpsPoint(*moved(BENGALURU, 40, 10), 4, points[3].at)
    shuffled = [*points, rival]
    random.Random(5).shuffle(shuffled)
    assert summarise_day(shuffled) == summarise_day([rival, *points])
    assert summarise_day(shuffled) == summarise_day([*points, rival])
    assert summarise_day(shuffled).duplicates == 1
