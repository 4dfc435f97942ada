"""GPS integrity: each rule on its own, then together, and the score's bounds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from geopy.distance import geodesic

from server.location import (
    DayRules,
    GpsPoint,
    IntegrityFacts,
    IntegrityRules,
    InvalidRulesError,
    TimeWindow,
    score_integrity,
    summarise_day,
)
from server.location.integrity import (
    IMPOSSIBLE_SPEED,
    MOCK_LOCATION,
    REPEATED_FIXES,
    TRACKING_GAPS,
    WITHOUT_FIX,
    without_fix,
)

IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=IST)
START = (12.9716, 77.5946)


def drive(steps: int = 100, every_s: int = 20, start_s: int = 0) -> list[GpsPoint]:
    """A clean drive: 200 m every 20 s (36 km/h), 10 m accuracy."""
    points = []
    for i in range(steps):
        dest = geodesic(meters=200 * i).destination(START, 60)
        points.append(GpsPoint(dest.latitude, dest.longitude, 10,
                               T0 + timedelta(seconds=start_s + every_s * i)))
    return points


def codes(points: list[GpsPoint], tracking: list[TimeWindow] | None = None) -> dict[str, int]:
    integrity = summarise_day(points, tracking=tracking).integrity
    return {reason.code: reason.penalty for reason in integrity.reasons}


def test_a_clean_day_scores_100_with_no_reasons() -> None:
    integrity = summarise_day(drive()).integrity
    assert (integrity.score, integrity.reasons) == (100, ())


def test_mock_fixes_alone() -> None:
    points = [GpsPoint(p.lat, p.lon, p.accuracy_m, p.at, mock=i % 10 == 0)
              for i, p in enumerate(drive())]
    integrity = summarise_day(points).integrity
    (reason,) = integrity.reasons
    assert (reason.code, reason.count, reason.penalty) == (MOCK_LOCATION, 10, 44)
    assert integrity.score == 56
    assert "10 of 100 fixes" in reason.message


def test_a_day_of_mock_fixes_scores_at_most_20() -> None:
    points = [GpsPoint(p.lat, p.lon, p.accuracy_m, p.at, mock=True) for p in drive()]
    assert summarise_day(points).integrity.score == 20


def test_impossible_speed_alone() -> None:
    points = drive()
    far = geodesic(meters=80_000).destination(START, 200)
    points[50] = GpsPoint(far.latitude, far.longitude, 10, points[50].at)  # there and back
    integrity = summarise_day(points).integrity
    (reason,) = integrity.reasons
    assert (reason.code, reason.count, reason.penalty) == (IMPOSSIBLE_SPEED, 2, 30)
    assert "km/h" in reason.message
    assert integrity.score == 70


def test_fast_but_possible_travel_is_not_impossible() -> None:
    # A train at 160 km/h: 888 m every 20 s.
    points = [GpsPoint(*_along(888 * i), 10, T0 + timedelta(seconds=20 * i)) for i in range(50)]
    assert codes(points) == {}


def test_close_fixes_a_second_apart_are_jitter_not_speed() -> None:
    # 60 m apart in one second, but each fix is only good to 40 m.
    points = [GpsPoint(*_along(60 * (i % 2)), 40, T0 + timedelta(seconds=i)) for i in range(20)]
    assert IMPOSSIBLE_SPEED not in codes(points)


def _along(metres: float) -> tuple[float, float]:
    dest = geodesic(meters=metres).destination(START, 60)
    return dest.latitude, dest.longitude


def test_a_long_gap_alone() -> None:
    points = drive(50) + drive(50, start_s=50 * 20 + 1800)  # 30 min without fixes
    integrity = summarise_day(points).integrity
    (reason,) = [r for r in integrity.reasons if r.code == TRACKING_GAPS]
    span = (points[-1].at - points[0].at).total_seconds()
    assert reason.count == 1
    assert reason.penalty == round(5 + 40 * (1800 + 20) / span)
    assert [r.code for r in integrity.reasons] == [TRACKING_GAPS]


def test_short_pauses_between_fixes_are_not_gaps() -> None:
    assert codes(drive(every_s=300)) == {}


def test_a_claimed_window_counts_the_silence_before_the_first_fix() -> None:
    points = drive(30)
    window = TimeWindow(T0 - timedelta(hours=1), points[-1].at)
    summary = summarise_day(points, tracking=[window])
    (gap,) = summary.gaps
    assert (gap.start, gap.end, gap.duration_s) == (window.start, T0, 3600)
    assert TRACKING_GAPS in {r.code for r in summary.integrity.reasons}


def test_time_outside_the_claimed_windows_is_no_gap() -> None:
    morning = drive(30)
    evening = drive(30, start_s=8 * 3600)
    windows = [TimeWindow(morning[0].at, morning[-1].at), TimeWindow(evening[0].at, evening[-1].at)]
    summary = summarise_day(morning + evening, tracking=windows)
    assert summary.gaps == ()
    assert TRACKING_GAPS not in codes(morning + evening, tracking=windows)


def test_repeated_identical_fixes_alone() -> None:
    points = drive()
    frozen = points[40]
    for i in range(40, 50):  # ten fixes replaying one position, with fresh times
        points[i] = GpsPoint(frozen.lat, frozen.lon, frozen.accuracy_m, points[i].at)
    integrity = summarise_day(points).integrity
    (reason,) = [r for r in integrity.reasons if r.code == REPEATED_FIXES]
    assert (reason.count, reason.penalty) == (10, 14)


def test_a_few_identical_fixes_are_not_suspicious() -> None:
    points = drive()
    for i in range(41, 44):
        points[i] = GpsPoint(points[40].lat, points[40].lon, 10, points[i].at)
    assert REPEATED_FIXES not in codes(points)


def facts(**changes: object) -> IntegrityFacts:
    base: dict[str, object] = {"points": 100, "mock_points": 0, "jumps": (), "gaps": (),
                               "claimed_s": 36_000.0, "repeated_points": 0, "repeat_runs": 0}
    base.update(changes)
    return IntegrityFacts(**base)  # type: ignore[arg-type]


def test_each_rule_is_capped_and_the_score_never_goes_below_zero() -> None:
    rules = IntegrityRules()
    heavy = facts(mock_points=100, repeated_points=100, repeat_runs=3)
    integrity = score_integrity(heavy, rules)
    assert {r.code: r.penalty for r in integrity.reasons} == {MOCK_LOCATION: 80,
                                                              REPEATED_FIXES: 30}
    assert integrity.score == 0


def test_penalties_follow_the_rules() -> None:
    lenient = IntegrityRules(mock_base=10, mock_share=0)
    assert score_integrity(facts(mock_points=50), lenient).score == 90


def test_no_fixes_means_no_score() -> None:
    integrity = score_integrity(facts(points=0), IntegrityRules())
    assert integrity.score is None


@pytest.mark.parametrize("change", [{"mock_base": -1}, {"repeat_min_run": 1}])
def test_unusable_integrity_rules_are_refused(change: dict[str, float]) -> None:
    with pytest.raises(InvalidRulesError):
        IntegrityRules(**change)  # type: ignore[arg-type]


def test_the_day_rules_carry_the_integrity_rules() -> None:
    points = [GpsPoint(p.lat, p.lon, p.accuracy_m, p.at, mock=True) for p in drive()]
    rules = DayRules(integrity=IntegrityRules(mock_base=5, mock_share=5))
    assert summarise_day(points, rules).integrity.score == 90


def test_the_integrity_is_ready_for_json() -> None:
    points = [GpsPoint(p.lat, p.lon, p.accuracy_m, p.at, mock=True) for p in drive(10)]
    assert summarise_day(points).integrity.as_dict() == {
        "score": 20,
        "reasons": [{"code": MOCK_LOCATION, "penalty": 80, "count": 10,
                     "message": "10 of 10 fixes came from a mock-location app"}]}


def test_signatures_and_check_ins_without_a_fix_are_a_flag_not_a_penalty() -> None:
    assert without_fix(0, 0, "") is None
    flag = without_fix(1, 2, "no fix after 10 s")
    assert flag is not None
    assert (flag.code, flag.penalty, flag.count) == (WITHOUT_FIX, 0, 3)
    assert flag.message == "1 signature and 2 check-ins saved without a GPS fix (no fix after 10 s)"
