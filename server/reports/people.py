"""Reports about people's use of FieldSync: logins and syncs, conflicts and rejections."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.reports.sqlutil import Query, as_date, as_utc, local_day
from server.reports.table import Column, ReportTable
from server.sql.models.accounts import LoginEvent
from server.sql.models.conflicts import Conflict
from server.sql.models.sync_state import DocumentStatus, RejectedDocument

LOGIN_COLUMNS = (
    Column("user", "User"), Column("day", "Day", "date"), Column("logins", "Logins", "int"),
    Column("failed", "Failed logins", "int"), Column("refreshes", "Token refreshes", "int"),
    Column("devices", "Devices", "int"), Column("addresses", "Addresses", "int"),
    Column("first_sync", "First sync", "datetime"), Column("last_sync", "Last sync", "datetime"),
    Column("documents_synced", "Documents synced", "int"),
)


def logins(session: Session, q: Query) -> ReportTable:
    """Per user and day: logins, failures, devices (user agents), first and last sync."""
    e = LoginEvent
    day = local_day(session, e.at, q.tz)
    signed_in = e.kind.in_(("login", "refresh"))
    rows: dict[tuple[str, Any], dict[str, Any]] = defaultdict(dict)
    for user, d, n, failed, refreshed, devices, addresses in session.execute(
            select(e.username, day, func.count().filter(e.kind == "login"),
                   func.count().filter(e.kind == "failed"),
                   func.count().filter(e.kind == "refresh"),
                   func.count(func.distinct(e.user_agent)).filter(signed_in),
                   func.count(func.distinct(e.address)))
            .where(q.within(e.at), q.owned(e.username)).group_by(e.username, day)):
        rows[(user, as_date(d))].update(logins=n, failed=failed, refreshes=refreshed,
                                        devices=devices, addresses=addresses)
    s = DocumentStatus
    sync_day = local_day(session, s.processed_at, q.tz)
    for owner, d, first, last, n in session.execute(
            select(s.owner, sync_day, func.min(s.processed_at), func.max(s.processed_at),
                   func.count())
            .where(q.within(s.processed_at), q.owned(s.owner), s.owner != "")
            .group_by(s.owner, sync_day)):
        rows[(owner, as_date(d))].update(first_sync=as_utc(first), last_sync=as_utc(last),
                                         documents_synced=n)
    zero = {"logins": 0, "failed": 0, "refreshes": 0, "devices": 0, "addresses": 0,
            "documents_synced": 0}
    out = [{**zero, "user": user, "day": d, **values}
           for (user, d), values in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    summary = {k: sum(r[k] for r in out) for k in ("logins", "failed", "documents_synced")}
    return ReportTable("logins", "Logins and syncs", LOGIN_COLUMNS, out, summary)


CONFLICT_COLUMNS = (
    Column("engineer", "Engineer"), Column("conflicts", "Conflicts opened", "int"),
    Column("conflicts_open", "Still open", "int"), Column("conflicts_resolved", "Resolved", "int"),
    Column("rejections", "Rejected documents", "int"),
    Column("rejections_by_type", "Rejections by type"),
)


def conflicts(session: Session, q: Query) -> ReportTable:
    """Per engineer: conflicts opened in range (open / resolved) and documents rejected."""
    c, r = Conflict, RejectedDocument
    rows: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"conflicts": 0, "conflicts_open": 0, "conflicts_resolved": 0, "rejections": 0})
    for owner, n, still_open in session.execute(
            select(c.owner, func.count(), func.count().filter(c.status == "open"))
            .where(q.within(c.opened_at), q.owned(c.owner)).group_by(c.owner)):
        rows[owner].update(conflicts=n, conflicts_open=still_open,
                           conflicts_resolved=n - still_open)
    types: dict[str, Counter[str]] = defaultdict(Counter)
    for owner, doc_type, n in session.execute(
            select(r.owner, r.doc_type, func.count())
            .where(q.within(r.rejected_at), q.owned(r.owner)).group_by(r.owner, r.doc_type)):
        rows[owner]["rejections"] += n
        types[owner][doc_type] = n
    out = [{"engineer": owner, **values,
            "rejections_by_type": ", ".join(f"{t}: {n}" for t, n in sorted(types[owner].items()))}
           for owner, values in sorted(rows.items())]
    summary = {k: sum(row[k] for row in out) for k in ("conflicts", "conflicts_open",
                                                       "rejections")}
    return ReportTable("conflicts", "Conflicts and rejections", CONFLICT_COLUMNS, out, summary)
