"""The daily travel rollup: summarises each engineer-day of GPS points into daily_travel."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from server.location import DayRules, DaySummary, GpsPoint, split_days, summarise_day
from server.reports.filters import ReportFilter, local_days
from server.reports.sqlutil import as_utc
from server.sql.models.documents import GpsPoint as GpsPointRow
from server.sql.models.reports import DailyTravel, RollupState
from server.sql.models.sync_state import DocumentStatus
from server.sql.session import transaction
from server.sql.upsert import upsert

log = logging.getLogger("fieldsync.reports.rollup")

NAME = "daily_travel"
# A worker transaction may commit a little after the time it stamped on its rows; re-reading
# this much before the watermark catches those (recomputing a day is idempotent).
OVERLAP = timedelta(minutes=5)
ID_CHUNK = 500
DELETED_LOOKBACK = timedelta(days=62)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TravelRollup:
    """Recomputes the engineer-days touched by track documents processed since the last run."""

    def __init__(self, sessions: sessionmaker[Session], tz: ZoneInfo,
                 rules: DayRules | None = None, clock: Callable[[], datetime] = _utcnow) -> None:
        self.sessions, self.tz = sessions, tz
        self.rules = rules or DayRules()
        self.clock = clock

    def run(self) -> int:
        """One pass; returns how many engineer-days were recomputed."""
        with self.sessions() as session:
            state = session.get(RollupState, NAME)
            since = (as_utc(state.watermark) if state else None) or EPOCH
            touched = session.execute(
                select(DocumentStatus.doc_id, DocumentStatus.processed_at,
                       DocumentStatus.owner, DocumentStatus.deleted)
                .where(DocumentStatus.doc_type == "track",
                       DocumentStatus.processed_at > since - OVERLAP)).all()
            days = self._days_of_tracks(session, [t.doc_id for t in touched if not t.deleted])
            for owner, day in self._days_of_deleted(session, [t for t in touched if t.deleted]):
                days[owner].add(day)
        count = self.recompute(days)
        latest = max([since, *(as_utc(t.processed_at) or since for t in touched)])
        with transaction(self.sessions) as session:
            upsert(session, RollupState, [{"name": NAME, "watermark": latest,
                                           "last_run_at": self.clock(), "last_count": count,
                                           "last_error": ""}], ["name"])
        return count

    def rebuild(self, date_from: date, date_to: date) -> int:
        """Recompute every engineer-day in the range from the points (after a bulk load)."""
        start, end = ReportFilter(date_from, date_to).bounds(self.tz)
        with self.sessions() as session:
            owners = session.execute(select(GpsPointRow.owner).distinct().where(
                GpsPointRow.at >= start, GpsPointRow.at < end)).scalars().all()
        days = local_days(date_from, date_to)
        return self.recompute({owner: set(days) for owner in owners})

    def _days_of_tracks(self, session: Session, track_ids: Sequence[str]) -> dict[str, set[date]]:
        days: dict[str, set[date]] = defaultdict(set)
        for i in range(0, len(track_ids), ID_CHUNK):
            chunk = track_ids[i:i + ID_CHUNK]
            for owner, first, last in session.execute(
                    select(GpsPointRow.owner, func.min(GpsPointRow.at), func.max(GpsPointRow.at))
                    .where(GpsPointRow.track_id.in_(chunk))
                    .group_by(GpsPointRow.track_id, GpsPointRow.owner)):
                days[owner].update(local_days(self._local(first), self._local(last)))
        return days

    def _days_of_deleted(self, session: Session, deleted: Sequence[Any]) -> list[tuple[str, date]]:
        """A deleted track's points are gone, and with them its days: recompute the owner's
        recent rollup days instead (deleting a track is rare)."""
        found: list[tuple[str, date]] = []
        for owner in sorted({t.owner for t in deleted if t.owner}):
            since = self._local(self.clock()) - DELETED_LOOKBACK
            found += [(owner, day) for day in session.execute(
                select(DailyTravel.day).where(DailyTravel.owner == owner,
                                              DailyTravel.day >= since)).scalars()]
        return found

    def _local(self, at: Any) -> date:
        return (as_utc(at) or EPOCH).astimezone(self.tz).date()

    def recompute(self, days: dict[str, set[date]]) -> int:
        """Summarise the given days of each engineer and replace their rollup rows."""
        count = 0
        for owner, wanted in sorted(days.items()):
            if not wanted:
                continue
            with transaction(self.sessions) as session:
                points = self._points(session, owner, min(wanted), max(wanted))
                by_day = split_days(points, self.tz)
                rows = [self._row(owner, day, summarise_day(by_day[day], self.rules))
                        for day in sorted(wanted) if by_day.get(day)]
                empty = [day for day in wanted if not by_day.get(day)]
                if empty:
                    session.execute(delete(DailyTravel).where(DailyTravel.owner == owner,
                                                              DailyTravel.day.in_(empty)))
                if rows:
                    upsert(session, DailyTravel, rows, ["owner", "day"])
                count += len(rows)
        log.info("event=travel_rollup days=%d", count)
        return count

    def _points(self, session: Session, owner: str, first: date, last: date) -> list[GpsPoint]:
        start, end = ReportFilter(first, last).bounds(self.tz)
        p = GpsPointRow
        rows = session.execute(
            select(p.lat, p.lon, p.accuracy_m, p.at, p.speed_mps, p.mock)
            .where(p.owner == owner, p.at >= start, p.at < end).order_by(p.at))
        return list(_points(rows))

    def _row(self, owner: str, day: date, summary: DaySummary) -> dict[str, Any]:
        return {
            "owner": owner, "day": day, "points": summary.points,
            "used_points": summary.used_points, "mock_points": summary.mock_points,
            "distance_m": summary.distance_m, "moving_s": summary.moving_s,
            "stopped_s": summary.stopped_s, "untracked_s": summary.untracked_s,
            "stops": len(summary.stops), "first_at": summary.first_at,
            "last_at": summary.last_at, "integrity_score": summary.integrity.score,
            "integrity_reasons": [r.as_dict() for r in summary.integrity.reasons],
            "computed_at": self.clock(),
        }


def _points(rows: Iterable[Any]) -> Iterable[GpsPoint]:
    for lat, lon, accuracy, at, speed, mock in rows:
        yield GpsPoint(lat, lon, accuracy, at if at.tzinfo else at.replace(tzinfo=UTC),
                       speed, bool(mock))
