"""SQL building blocks the report queries share: scope, local days, people, row values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, literal_column, select, true
from sqlalchemy.orm import Session

from server.reports.filters import Person, ReportFilter
from server.sales.cancellations import CANCELLED, cancellation_filter
from server.sql.models.accounts import User

DEFAULT_TIMEZONE = "Asia/Kolkata"


@dataclass(frozen=True)
class Query:
    """A report request once scoped: the filter, the engineers covered, the UTC window."""

    filter: ReportFilter
    owners: frozenset[str] | None  # None: every engineer
    tz: ZoneInfo
    people: dict[str, Person]

    @property
    def start(self) -> datetime:
        return self.filter.bounds(self.tz)[0]

    @property
    def end(self) -> datetime:
        return self.filter.bounds(self.tz)[1]

    def owned(self, column: Any) -> ColumnElement[bool]:
        """The scope as a WHERE clause on an owner/username column."""
        if self.owners is None:
            return true()
        return column.in_(sorted(self.owners))

    def within(self, column: Any) -> ColumnElement[bool]:
        """column in [start, end): the report's local days as a UTC window."""
        return and_(column >= self.start, column < self.end)

    def engineer_name(self, username: str) -> str:
        person = self.people.get(username)
        return person.full_name if person and person.full_name else username

    def team(self, username: str) -> int | None:
        person = self.people.get(username)
        return person.team_id if person else None


def counted_order() -> ColumnElement[bool]:
    """The orders sales figures count: every one but those cancelled. A cancellation counts
    from the head's or admin's approval (the ERP is told only after it, and the decision
    outlives a withdrawn request), so that approval is the one fact read here; every report
    that counts or sums orders goes through this clause."""
    return ~cancellation_filter(CANCELLED)


def load_people(session: Session) -> list[Person]:
    """Every engineer with team and territory (a few hundred rows: read whole)."""
    rows = session.execute(select(User.username, User.team_id, User.territory_code,
                                  User.full_name).where(User.role == "engineer"))
    return [Person(u, t, c, n or "") for u, t, c, n in rows]


def local_day(session: Session, column: Any, tz: ZoneInfo) -> ColumnElement[Any]:
    """The calendar day of a UTC timestamp column in the team's zone, computed in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz.key, column))
    # SQLite keeps UTC wall times; the zone's current offset is exact for zones without
    # daylight saving, which is the case for India, FieldSync's market.
    offset = utc_offset_minutes(tz)
    return func.date(column, literal_column(f"'{offset:+d} minutes'"))


def utc_offset_minutes(tz: tzinfo) -> int:
    delta = datetime.now(UTC).astimezone(tz).utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else 0


def as_date(value: Any) -> date | None:
    """A SQL date (PostgreSQL) or its ISO text (SQLite) as a date."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; they are UTC."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_TIMEZONE)
