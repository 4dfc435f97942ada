"""GPS points from `track` documents and `loc` fields: parsing, and dropping what is unusable."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.location.errors import LocationError
from server.location.geo import is_null_island, valid_position

# Phone clocks drift; a point a little ahead of the server's clock is still believable.
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)

# Reasons a track point is dropped; the receipt reports a count per reason.
MALFORMED = "malformed"
OUT_OF_RANGE = "out_of_range"
NO_POSITION = "no_position"
FUTURE = "future"
DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class GpsPoint:
    """One fix: position, accuracy radius (m), time with offset, speed if known, mock flag."""

    lat: float
    lon: float
    accuracy_m: float
    at: datetime
    speed_mps: float | None = None
    mock: bool = False


@dataclass(frozen=True)
class TrackBatch:
    """The usable points of one `track` document and how many were dropped, by reason."""

    points: tuple[GpsPoint, ...]
    dropped: Mapping[str, int] = field(default_factory=dict)

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 date-time with an offset, or None (a time without offset is ambiguous)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _check(raw: object, now: datetime, skew: timedelta) -> GpsPoint | str:
    """The point, or the reason it is dropped."""
    if not isinstance(raw, Mapping):
        return MALFORMED
    lat, lon = _number(raw.get("lat")), _number(raw.get("lon"))
    accuracy, at = _number(raw.get("accuracy_m")), parse_time(raw.get("at"))
    speed, mock = raw.get("speed_mps"), raw.get("mock", False)
    if lat is None or lon is None or accuracy is None or at is None or not isinstance(mock, bool):
        return MALFORMED
    if speed is not None and _number(speed) is None:
        return MALFORMED
    speed_mps = None if speed is None else _number(speed)
    if not valid_position(lat, lon) or not math.isfinite(accuracy) or accuracy < 0:
        return OUT_OF_RANGE
    if speed_mps is not None and (not math.isfinite(speed_mps) or speed_mps < 0):
        return OUT_OF_RANGE
    if is_null_island(lat, lon):
        return NO_POSITION
    if at > now + skew:
        return FUTURE
    return GpsPoint(lat, lon, accuracy, at, speed_mps, mock)


def clean_track(raw_points: Iterable[object], now: datetime,
                skew: timedelta = DEFAULT_CLOCK_SKEW) -> TrackBatch:
    """Keep the valid points of a `track` document; count the rest instead of failing.

    A point repeating the instant of an earlier one is a duplicate (phones resend a fix when a
    batch upload is retried); the first one wins. `now` is the server's clock, with its zone.
    """
    if now.tzinfo is None:
        raise LocationError("clean_track needs `now` with a time zone to spot future points")
    kept: list[GpsPoint] = []
    seen: set[datetime] = set()
    dropped: Counter[str] = Counter()
    for raw in raw_points:
        result = _check(raw, now, skew)
        if isinstance(result, str):
            dropped[result] += 1
        elif result.at in seen:
            dropped[DUPLICATE] += 1
        else:
            seen.add(result.at)
            kept.append(result)
    return TrackBatch(tuple(kept), dict(dropped))


@dataclass(frozen=True, slots=True)
class Fix:
    """The position a document was written at (its `loc`)."""

    lat: float
    lon: float
    accuracy_m: float
    at: datetime | None
    mock: bool


def parse_fix(loc: object) -> Fix | None:
    """A document's `loc` as a Fix, or None when there is no usable position in it."""
    if not isinstance(loc, Mapping):
        return None
    lat, lon, accuracy = _number(loc.get("lat")), _number(loc.get("lon")), loc.get("accuracy_m")
    if lat is None or lon is None or not valid_position(lat, lon) or is_null_island(lat, lon):
        return None
    # An unknown accuracy is treated as infinitely poor rather than as perfect.
    acc = _number(accuracy)
    acc = math.inf if acc is None or not math.isfinite(acc) or acc < 0 else acc
    mock = loc.get("mock")
    return Fix(lat, lon, acc, parse_time(loc.get("at")), mock is True)
