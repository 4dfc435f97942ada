"""GPS integrity: a 0-100 score per engineer-day and the reasons that lowered it."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from server.location.errors import InvalidRulesError
from server.location.samples import Sample
from server.location.travel import Jump

MOCK_LOCATION = "mock_location"
IMPOSSIBLE_SPEED = "impossible_speed"
TRACKING_GAPS = "tracking_gaps"
REPEATED_FIXES = "repeated_fixes"
NO_POINTS = "no_points"
WITHOUT_FIX = "without_fix"


@dataclass(frozen=True)
class IntegrityRules:
    """Penalties, in points off 100. Each rule is capped so no single one says everything."""

    mock_base: float = 40.0  # any fix from a mock-location provider
    mock_share: float = 40.0  # plus this times the share of mock fixes
    mock_cap: float = 80.0
    jump_each: float = 15.0  # per impossible move between consecutive fixes
    jump_cap: float = 45.0
    gap_each: float = 5.0  # per gap longer than the allowed one while tracking was claimed
    gap_share: float = 40.0  # plus this times the share of claimed time left untracked
    gap_cap: float = 40.0
    repeat_min_run: int = 5  # identical consecutive positions it takes to look replayed
    repeat_base: float = 10.0
    repeat_share: float = 40.0  # plus this times the share of fixes inside such runs
    repeat_cap: float = 30.0

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise InvalidRulesError(f"integrity rule {f.name} must not be negative")
        if self.repeat_min_run < 2:
            raise InvalidRulesError("integrity rule repeat_min_run must be at least 2")


@dataclass(frozen=True)
class TimeWindow:
    """A period in which the phone claimed to be tracking (start before end)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Gap:
    """A stretch of claimed tracking time without a single fix."""

    start: datetime
    end: datetime
    duration_s: float


@dataclass(frozen=True)
class IntegrityFacts:
    """What the rules look at, gathered from one engineer-day of fixes."""

    points: int
    mock_points: int
    jumps: tuple[Jump, ...]
    gaps: tuple[Gap, ...]
    claimed_s: float
    repeated_points: int  # fixes inside runs of identical positions of the minimum length
    repeat_runs: int


@dataclass(frozen=True)
class Reason:
    """One rule that lowered the score: a code to filter on and a sentence for people."""

    code: str
    penalty: int
    count: int
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "penalty": self.penalty, "count": self.count,
                "message": self.message}


@dataclass(frozen=True)
class Integrity:
    """The score (None for a day without fixes: nothing to judge) and its reasons."""

    score: int | None
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, for the rollup row and the integrity report."""
        return {"score": self.score, "reasons": [reason.as_dict() for reason in self.reasons]}


def find_gaps(samples: Sequence[Sample], windows: Sequence[TimeWindow] | None,
              max_gap_s: float) -> tuple[tuple[Gap, ...], float]:
    """Gaps inside the claimed windows (default: first to last fix), and the claimed time."""
    if not samples:
        return (), 0.0
    if windows is None:
        windows = [TimeWindow(samples[0].point.at, samples[-1].point.at)]
    times = [s.t for s in samples]
    gaps: list[Gap] = []
    claimed = 0.0
    for window in windows:
        start, end = window.start.timestamp(), window.end.timestamp()
        if end <= start:
            continue
        claimed += end - start
        inside = times[bisect.bisect_left(times, start):bisect.bisect_right(times, end)]
        edges = [start, *inside, end]
        gaps.extend(Gap(_at(samples, a), _at(samples, b), b - a)
                    for a, b in itertools.pairwise(edges) if b - a > max_gap_s)
    return tuple(gaps), claimed


def _at(samples: Sequence[Sample], t: float) -> datetime:
    """The instant t in the offset of the day's first fix, so reports show local times."""
    tz = samples[0].point.at.tzinfo
    return datetime.fromtimestamp(t, UTC).astimezone(tz)


def repeated_runs(samples: Sequence[Sample], min_run: int) -> tuple[int, int]:
    """(fixes inside runs, runs) of at least min_run consecutive identical positions."""
    points = runs = 0
    length = 1
    for prev, cur in itertools.pairwise(samples):
        if cur.point.lat == prev.point.lat and cur.point.lon == prev.point.lon:
            length += 1
            continue
        if length >= min_run:
            points, runs = points + length, runs + 1
        length = 1
    if samples and length >= min_run:
        points, runs = points + length, runs + 1
    return points, runs


def _penalty(value: float, cap: float) -> int:
    return round(min(value, cap))


def _mock(facts: IntegrityFacts, rules: IntegrityRules) -> Reason | None:
    if not facts.mock_points:
        return None
    share = facts.mock_points / facts.points
    penalty = _penalty(rules.mock_base + rules.mock_share * share, rules.mock_cap)
    return Reason(MOCK_LOCATION, penalty, facts.mock_points,
                  f"{facts.mock_points} of {facts.points} fixes came from a mock-location app")


def _jumps(facts: IntegrityFacts, rules: IntegrityRules) -> Reason | None:
    if not facts.jumps:
        return None
    fastest = max(jump.speed_mps for jump in facts.jumps) * 3.6
    penalty = _penalty(rules.jump_each * len(facts.jumps), rules.jump_cap)
    return Reason(IMPOSSIBLE_SPEED, penalty, len(facts.jumps),
                  f"{len(facts.jumps)} impossible moves between fixes "
                  f"(up to {fastest:.0f} km/h even allowing for accuracy)")


def _gaps(facts: IntegrityFacts, rules: IntegrityRules) -> Reason | None:
    if not facts.gaps:
        return None
    missing = sum(gap.duration_s for gap in facts.gaps)
    share = missing / facts.claimed_s if facts.claimed_s else 1.0
    penalty = _penalty(rules.gap_each * len(facts.gaps) + rules.gap_share * share, rules.gap_cap)
    return Reason(TRACKING_GAPS, penalty, len(facts.gaps),
                  f"{len(facts.gaps)} gaps without fixes while tracking was on, "
                  f"{missing / 60:.0f} min in all ({share:.0%} of the tracked time)")


def _repeats(facts: IntegrityFacts, rules: IntegrityRules) -> Reason | None:
    if not facts.repeat_runs:
        return None
    share = facts.repeated_points / facts.points
    penalty = _penalty(rules.repeat_base + rules.repeat_share * share, rules.repeat_cap)
    return Reason(REPEATED_FIXES, penalty, facts.repeated_points,
                  f"{facts.repeated_points} fixes repeat exactly the same position "
                  f"in {facts.repeat_runs} runs")


def without_fix(signatures: int, check_ins: int, why: str) -> Reason | None:
    """Signatures and check-ins the phone saved without a fix: a flag for the head to look
    at (a basement has no GPS), so it costs no points."""
    if not signatures and not check_ins:
        return None
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in
             ((signatures, "signature"), (check_ins, "check-in")) if n]
    return Reason(WITHOUT_FIX, 0, signatures + check_ins,
                  f"{' and '.join(parts)} saved without a GPS fix ({why})")


def score_integrity(facts: IntegrityFacts, rules: IntegrityRules) -> Integrity:
    """100 minus each rule's penalty, never below 0; None when there was no fix at all."""
    if facts.points == 0:
        return Integrity(None, (Reason(NO_POINTS, 0, 0, "no GPS fixes for the day"),))
    found = (rule(facts, rules) for rule in (_mock, _jumps, _gaps, _repeats))
    reasons = tuple(reason for reason in found if reason is not None)
    score = max(0, 100 - sum(reason.penalty for reason in reasons))
    return Integrity(score, reasons)
