"""Field work: visits with verification flags, verifications, travel and GPS integrity."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.location.integrity import without_fix
from server.reports.errors import InvalidFilterError
from server.reports.sqlutil import Query, as_date, as_utc, local_day
from server.reports.table import TENTH, Column, ReportTable, money
from server.sql.models.documents import CustomerApproval, Expense, Visit
from server.sql.models.master import Customer
from server.sql.models.reports import DailyTravel, LocationVerification

STATUSES = ("inside", "outside", "unknown")

VISIT_COLUMNS = (
    Column("engineer", "Engineer"), Column("day", "Day", "date"), Column("visits", "Visits", "int"),
    Column("customers", "Customers", "int"), Column("inside", "Inside geofence", "int"),
    Column("outside", "Outside geofence", "int"), Column("unknown", "Location unknown", "int"),
    Column("unverified", "Not yet verified", "int"),
    Column("first_check_in", "First check-in", "datetime"),
    Column("last_check_out", "Last check-out", "datetime"),
)


def _status(q: Query) -> str | None:
    status = q.filter.status
    if status is not None and status not in (*STATUSES, "unverified"):
        raise InvalidFilterError(f"status must be one of {', '.join(STATUSES)} or unverified, "
                                 f"not {status!r}")
    return status


def visits(session: Session, q: Query) -> ReportTable:
    """Per engineer and day: visits, customers and how many were verified at the customer."""
    status, flag = _status(q), LocationVerification.status
    day = local_day(session, Visit.check_in_at, q.tz)
    where = [q.within(Visit.check_in_at), q.owned(Visit.owner)]
    if q.filter.customer:
        where.append(Visit.customer_id == q.filter.customer)
    if status == "unverified":
        where.append(flag.is_(None))
    elif status:
        where.append(flag == status)
    counts = [func.count().filter(flag == s) for s in STATUSES]
    stmt = (select(Visit.owner, day, func.count(), func.count(func.distinct(Visit.customer_id)),
                   *counts, func.count().filter(flag.is_(None)), func.min(Visit.check_in_at),
                   func.max(Visit.check_out_at))
            .outerjoin(LocationVerification, LocationVerification.doc_id == Visit.doc_id)
            .where(*where).group_by(Visit.owner, day).order_by(day, Visit.owner))
    keys = [c.key for c in VISIT_COLUMNS]
    rows = [dict(zip(keys, r, strict=True)) for r in session.execute(stmt)]
    for row in rows:
        row["day"] = as_date(row["day"])
        row["first_check_in"], row["last_check_out"] = as_utc(row["first_check_in"]), \
            as_utc(row["last_check_out"])
    summary = {k: sum(r[k] for r in rows) for k in ("visits", *STATUSES, "unverified")}
    return ReportTable("visits", "Visits", VISIT_COLUMNS, rows, summary)


VERIFY_COLUMNS = (
    Column("doc_id", "Document"), Column("doc_type", "Type"), Column("engineer", "Engineer"),
    Column("customer_id", "Customer"), Column("customer_name", "Customer name"),
    Column("event_at", "At", "datetime"), Column("status", "Verification"),
    Column("distance_m", "Distance (m)", "int"), Column("reason", "Why unknown"),
    Column("message", "Detail"),
)


def verifications(session: Session, q: Query) -> ReportTable:
    """Every verified offer, approval, order and visit; status= picks inside/outside/unknown."""
    status, v = _status(q), LocationVerification
    where = [q.within(v.event_at), q.owned(v.owner)]
    if status == "unverified":
        raise InvalidFilterError("status unverified applies to the visits report only")
    if status:
        where.append(v.status == status)
    if q.filter.customer:
        where.append(v.customer_id == q.filter.customer)
    stmt = (select(v.doc_id, v.doc_type, v.owner, v.customer_id, Customer.name, v.event_at,
                   v.status, v.distance_m, v.reason, v.message)
            .outerjoin(Customer, Customer.customer_id == v.customer_id).where(*where)
            .order_by(v.event_at.desc(), v.doc_id).limit(q.filter.limit)
            .offset(q.filter.offset))
    keys = [c.key for c in VERIFY_COLUMNS]
    rows = [dict(zip(keys, r, strict=True)) for r in session.execute(stmt)]
    for row in rows:
        row["event_at"] = as_utc(row["event_at"])
        row["distance_m"] = None if row["distance_m"] is None else round(row["distance_m"])
    by_status = dict(session.execute(select(v.status, func.count()).where(*where)
                                      .group_by(v.status)).all())
    return ReportTable("verifications", "Location verifications", VERIFY_COLUMNS, rows,
                       {"by_status": by_status})


TRAVEL_COLUMNS = (
    Column("engineer", "Engineer"), Column("day", "Day", "date"),
    Column("km", "Km travelled (GPS)", "number"), Column("moving_h", "Hours moving", "number"),
    Column("stopped_h", "Hours stopped", "number"), Column("stops", "Stops", "int"),
    Column("expenses", "Expenses", "int"), Column("km_claimed", "Km claimed", "number"),
    Column("amount_claimed", "Amount claimed (INR)", "money"),
    Column("km_claimed_over_gps", "Km claimed beyond GPS", "number"),
    Column("integrity_score", "GPS integrity", "int"),
)


def _tenth(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(TENTH)


def travel(session: Session, q: Query) -> ReportTable:
    """Km per engineer-day from the rollup, side by side with the expenses claimed that day."""
    f, t = q.filter, DailyTravel
    rows: dict[tuple[str, Any], dict[str, Any]] = {}
    for owner, day, metres, moving, stopped, stops, score in session.execute(
            select(t.owner, t.day, t.distance_m, t.moving_s, t.stopped_s, t.stops,
                   t.integrity_score)
            .where(t.day >= f.date_from, t.day <= f.date_to, q.owned(t.owner))):
        rows[(owner, as_date(day))] = {
            "km": _tenth(metres / 1000), "moving_h": _tenth(moving / 3600),
            "stopped_h": _tenth(stopped / 3600), "stops": stops, "integrity_score": score}
    claims = session.execute(
        select(Expense.owner, Expense.date, func.count(), func.sum(Expense.km),
               func.sum(Expense.amount))
        .where(Expense.date >= f.date_from, Expense.date <= f.date_to, q.owned(Expense.owner))
        .group_by(Expense.owner, Expense.date))
    for owner, day, n, km, amount in claims:
        row = rows.setdefault((owner, as_date(day)), {"km": None})
        row.update(expenses=n, km_claimed=_tenth(km or 0), amount_claimed=money(amount))
        if row["km"] is not None:
            row["km_claimed_over_gps"] = max(Decimal("0.0"), row["km_claimed"] - row["km"])
    out = [{"engineer": owner, "day": day, "expenses": 0, **values}
           for (owner, day), values in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    summary = {"km": sum((r["km"] or Decimal(0) for r in out), Decimal("0.0")),
               "km_claimed": sum((r.get("km_claimed") or Decimal(0) for r in out),
                                 Decimal("0.0"))}
    return ReportTable("travel", "Travel", TRAVEL_COLUMNS, out, summary)


INTEGRITY_COLUMNS = (
    Column("engineer", "Engineer"), Column("day", "Day", "date"),
    Column("score", "GPS integrity score", "int"), Column("points", "Fixes", "int"),
    Column("mock_points", "Mock fixes", "int"), Column("reasons", "Reasons"),
    Column("reason_codes", "Reason codes"),
)


def integrity(session: Session, q: Query) -> ReportTable:
    """The GPS integrity score per engineer-day with its reasons; lowest scores first."""
    f, t = q.filter, DailyTravel
    rows: list[dict[str, Any]] = []
    unfixed = _without_fix(session, q)
    for owner, day, score, points, mock, reasons in session.execute(
            select(t.owner, t.day, t.integrity_score, t.points, t.mock_points,
                   t.integrity_reasons)
            .where(t.day >= f.date_from, t.day <= f.date_to, q.owned(t.owner))
            .order_by(t.integrity_score.asc(), t.day, t.owner)):
        flag = unfixed.pop((owner, as_date(day)), None)
        rows.append(_integrity_row(owner, as_date(day), score, points, mock,
                                   [*(reasons or []), *([flag] if flag else [])]))
    for (owner, day), flag in sorted(unfixed.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        rows.append(_integrity_row(owner, day, None, 0, 0, [flag]))
    scores: list[int] = [r["score"] for r in rows if r["score"] is not None]
    by_code: dict[str, int] = defaultdict(int)
    for row in rows:
        for code in filter(None, row["reason_codes"].split(",")):
            by_code[code] += 1
    summary = {"days": len(rows), "lowest": min(scores, default=None),
               "days_by_reason": dict(by_code)}
    return ReportTable("integrity", "GPS integrity", INTEGRITY_COLUMNS, rows, summary)


def _integrity_row(owner: str, day: Any, score: int | None, points: int, mock: int,
                   reasons: list[dict[str, Any]]) -> dict[str, Any]:
    return {"engineer": owner, "day": day, "score": score, "points": points,
            "mock_points": mock,
            "reasons": "; ".join(str(x.get("message", "")) for x in reasons),
            "reason_codes": ",".join(str(x.get("code", "")) for x in reasons)}


def _without_fix(session: Session, q: Query) -> dict[tuple[str, Any], dict[str, Any]]:
    """Per engineer-day, the signatures and check-ins saved without a GPS fix, as a reason."""
    counts: dict[tuple[str, Any], list[int]] = defaultdict(lambda: [0, 0])
    why: dict[tuple[str, Any], set[str]] = defaultdict(set)
    a, v = CustomerApproval, Visit
    sources = ((0, a.owner, a.signed_at, a.no_fix, a.loc_lat),
               (1, v.owner, v.check_in_at, v.check_in_no_fix, v.check_in_lat))
    for slot, owner_col, at_col, reason_col, lat_col in sources:
        day = local_day(session, at_col, q.tz)
        stmt = (select(owner_col, day, reason_col, func.count())
                .where(reason_col.is_not(None), lat_col.is_(None), q.within(at_col),
                       q.owned(owner_col))
                .group_by(owner_col, day, reason_col))
        for owner, when, reason, n in session.execute(stmt):
            key = (owner, as_date(when))
            counts[key][slot] += n
            why[key].add(reason)
    flags = {}
    for key, (signatures, check_ins) in counts.items():
        reason = without_fix(signatures, check_ins, "; ".join(sorted(why[key])))
        if reason is not None:
            flags[key] = reason.as_dict()
    return flags
