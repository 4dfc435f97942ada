"""Report filters (dates, team, engineer, territory) and who may see which engineers; pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from server.accounts.roles import Principal, Role
from server.reports.errors import InvalidFilterError, OutOfScopeError

DEFAULT_DAYS = 30
MAX_DAYS = 400  # a year and a bit: enough for year-on-year, bounded for the database
DEFAULT_LIMIT = 1000
MAX_LIMIT = 50_000
KNOWN = frozenset({"date_from", "date_to", "team", "engineer", "territory", "customer",
                   "status", "limit", "offset", "format"})


@dataclass(frozen=True)
class ReportFilter:
    """What a report is asked for: an inclusive range of local days and optional narrowing."""

    date_from: date
    date_to: date
    team_id: int | None = None
    engineer: str | None = None
    territory: str | None = None
    customer: str | None = None
    status: str | None = None  # report-specific: ERP status, verification status, …
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight of date_from to local midnight after date_to."""
        start = datetime.combine(self.date_from, time(0), tz).astimezone(UTC)
        end = datetime.combine(self.date_to + timedelta(days=1), time(0), tz).astimezone(UTC)
        return start, end


def _date(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidFilterError(f"{name} must be a date like 2026-11-29, not {raw!r}") from None


def _int(args: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidFilterError(f"{name} must be a whole number from {low} to {high}, "
                                 f"not {raw!r}")
    return int(raw)


def _text(args: Mapping[str, str], name: str) -> str | None:
    raw = (args.get(name) or "").strip()
    if len(raw) > 64:
        raise InvalidFilterError(f"{name} is at most 64 characters")
    return raw or None


def _range(args: Mapping[str, str], today: date) -> tuple[date, date]:
    date_to = _date(args, "date_to") or today
    date_from = _date(args, "date_from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        raise InvalidFilterError(f"date_from {date_from} is after date_to {date_to}")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise InvalidFilterError(f"a report covers at most {MAX_DAYS} days; "
                                 f"narrow {date_from} .. {date_to}")
    return date_from, date_to


def parse_filter(args: Mapping[str, str], today: date) -> ReportFilter:
    """A ReportFilter from query-string values; the default range is the last 30 days."""
    unknown = sorted(set(args) - KNOWN)
    if unknown:
        raise InvalidFilterError(f"unknown filter {', '.join(unknown)}; use "
                                 f"{', '.join(sorted(KNOWN))}")
    date_from, date_to = _range(args, today)
    return ReportFilter(
        date_from=date_from, date_to=date_to, team_id=_int(args, "team", 1, 2**31 - 1),
        engineer=_text(args, "engineer"), territory=_text(args, "territory"),
        customer=_text(args, "customer"), status=_text(args, "status"),
        limit=_int(args, "limit", 1, MAX_LIMIT) or DEFAULT_LIMIT,
        offset=_int(args, "offset", 0, 10_000_000) or 0)


@dataclass(frozen=True)
class Person:
    """An engineer as the reports see them: name, team and territory."""

    username: str
    team_id: int | None
    territory_code: str | None
    full_name: str = ""


def _visible(viewer: Principal, people: Iterable[Person], wanted: ReportFilter) -> list[Person]:
    if viewer.role is Role.ADMIN:
        return list(people)
    if viewer.role is Role.HEAD:
        if wanted.team_id is not None and wanted.team_id != viewer.team_id:
            raise OutOfScopeError(f"{viewer.username} heads team {viewer.team_id}, "
                                  f"not team {wanted.team_id}")
        return [p for p in people if viewer.team_id is not None and p.team_id == viewer.team_id]
    if wanted.engineer is not None and wanted.engineer != viewer.username:
        raise OutOfScopeError(f"engineers see only their own reports; "
                              f"{viewer.username} asked for {wanted.engineer}")
    return [p for p in people if p.username == viewer.username] or [
        Person(viewer.username, viewer.team_id, viewer.territory_code)]


def owners_in_scope(viewer: Principal, people: Iterable[Person],
                    wanted: ReportFilter) -> frozenset[str] | None:
    """The engineers a report may cover for this viewer; None means everyone (an admin
    without a team, engineer or territory filter)."""
    visible = _visible(viewer, people, wanted)
    if wanted.engineer is not None and viewer.role is Role.HEAD and \
            wanted.engineer not in {p.username for p in visible}:
        raise OutOfScopeError(f"{wanted.engineer} is not in {viewer.username}'s team")
    narrowed = wanted.team_id is not None or wanted.engineer or wanted.territory
    if viewer.role is Role.ADMIN and not narrowed:
        return None
    return frozenset(
        p.username for p in visible
        if (wanted.team_id is None or p.team_id == wanted.team_id)
        and (wanted.engineer is None or p.username == wanted.engineer)
        and (wanted.territory is None or p.territory_code == wanted.territory))


def month_start(day: date) -> date:
    return day.replace(day=1)


def local_days(start: date, end: date) -> list[date]:
    """Every day from start to end inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
