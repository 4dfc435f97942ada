"""The report use cases: scope a request by role, run the named report, export it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from server.accounts.roles import Principal, Role
from server.reports import field, leads, people, sales
from server.reports.errors import (
    InvalidFilterError,
    InvalidTargetError,
    OutOfScopeError,
    UnknownReportError,
)
from server.reports.export import check_format, render
from server.reports.filters import ReportFilter, owners_in_scope, parse_filter
from server.reports.routes import engineer_day
from server.reports.sqlutil import Query, load_people, zone
from server.reports.table import ReportTable
from server.sql.session import transaction

ReportFn = Callable[[Session, Query], ReportTable]

REPORTS: dict[str, ReportFn] = {
    "sales_performance": sales.sales_performance,
    "order_history": sales.order_history,
    "lead_funnel": leads.lead_funnel,
    "visits": field.visits,
    "verifications": field.verifications,
    "travel": field.travel,
    "integrity": field.integrity,
    "logins": people.logins,
    "conflicts": people.conflicts,
}


@dataclass(frozen=True)
class Export:
    """A rendered report file."""

    content: bytes
    media_type: str
    filename: str


class ReportService:
    """Runs reports for a signed-in principal, scoped to what their role may see."""

    def __init__(self, sessions: sessionmaker[Session], tz: ZoneInfo | None = None,
                 today: Callable[[], date] | None = None) -> None:
        self.sessions = sessions
        self.tz = tz or zone(None)
        self._today = today or (lambda: datetime.now(UTC).astimezone(self.tz).date())

    def names(self) -> list[str]:
        return list(REPORTS)

    def run(self, name: str, viewer: Principal, wanted: ReportFilter) -> ReportTable:
        """The report `name` for `viewer`; raises OutOfScopeError for others' engineers."""
        report = REPORTS.get(name)
        if report is None:
            raise UnknownReportError(f"no report {name!r}; reports: {', '.join(REPORTS)}")
        with self.sessions() as session:
            everyone = load_people(session)
            owners = owners_in_scope(viewer, everyone, wanted)
            query = Query(wanted, owners, self.tz, {p.username: p for p in everyone})
            return report(session, query)

    def run_args(self, name: str, viewer: Principal,
                 args: Mapping[str, str]) -> tuple[ReportTable, str, ReportFilter]:
        """Parse query-string filters and the format, then run: (table, format, filter)."""
        values = dict(args)
        fmt = check_format(values.pop("format", None))
        wanted = parse_filter(values, self._today())
        return self.run(name, viewer, wanted), fmt, wanted

    def export(self, table: ReportTable, fmt: str, wanted: ReportFilter | None = None) -> Export:
        """The table as a CSV or XLSX file with a descriptive file name."""
        span = f"_{wanted.date_from}_{wanted.date_to}" if wanted else ""
        media = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-"
                 "officedocument.spreadsheetml.sheet"}[fmt]
        return Export(render(table, fmt, self.tz), media, f"{table.name}{span}.{fmt}")

    def route(self, viewer: Principal, engineer: str | None, day: str | None) -> dict[str, Any]:
        """An engineer's day as GeoJSON; engineers see their own days, heads their team's."""
        owner = (engineer or "").strip() or viewer.username
        try:
            when = date.fromisoformat((day or "").strip())
        except ValueError:
            raise InvalidFilterError(f"day must be a date like 2026-11-29, not {day!r}") from None
        with self.sessions() as session:
            wanted = ReportFilter(when, when, engineer=owner)
            allowed = owners_in_scope(viewer, load_people(session), wanted)
            if allowed is not None and owner not in allowed and viewer.role is not Role.ADMIN:
                raise OutOfScopeError(f"{viewer.username} may not see {owner}'s route")
            return engineer_day(session, owner, when, self.tz)

    def set_target(self, viewer: Principal, owner: str, month: str, order_value: str,
                   orders: int = 0) -> None:
        """Heads set targets for their team's engineers, admins for anyone."""
        if viewer.role is Role.ENGINEER:
            raise OutOfScopeError("only heads and admins set sales targets")
        first = _month(month)
        value = _amount(order_value)
        with transaction(self.sessions) as session:
            if viewer.role is Role.HEAD:
                team = {p.username for p in load_people(session) if p.team_id == viewer.team_id}
                if owner not in team:
                    raise OutOfScopeError(f"{owner} is not in {viewer.username}'s team")
            sales.set_target(session, owner, first, value, orders, viewer.username)


def _month(raw: str) -> date:
    try:
        return date.fromisoformat(f"{raw}-01" if len(raw) == 7 else raw).replace(day=1)
    except ValueError:
        raise InvalidTargetError(f"month must look like 2026-11, not {raw!r}") from None


def _amount(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidTargetError(f"order_value must be an amount like \"250000.00\", "
                                 f"not {raw!r}") from None
    if not value.is_finite():
        raise InvalidTargetError("order_value must be a finite amount")
    return value
