"""The lead funnel: leads and value per stage, conversion, median days per stage, lost reasons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from server.reports.funnel import STAGES, conversions, medians
from server.reports.sqlutil import Query
from server.reports.table import TENTH, Column, ReportTable, money
from server.sql.models.documents import Lead, LeadStageHistory

FUNNEL_COLUMNS = (
    Column("section", "Section"), Column("stage", "Stage"), Column("lost_reason", "Lost reason"),
    Column("leads", "Leads now", "int"), Column("value", "Expected value (INR)", "money"),
    Column("reached", "Leads that reached it", "int"),
    Column("conversion_pct", "Went on to the next stage %", "pct"),
    Column("median_days", "Median days in stage", "number"),
)


def _leads(q: Query) -> Any:
    """The leads the report covers: created in range, in scope."""
    return (q.within(Lead.created_at), q.owned(Lead.owner))


def _steps(q: Query) -> Select[Any]:
    """Each history step with the time of the step after it (None for the current stage)."""
    following = func.lead(LeadStageHistory.at).over(
        partition_by=LeadStageHistory.lead_id, order_by=LeadStageHistory.position)
    return (select(LeadStageHistory.stage, LeadStageHistory.at, following.label("next_at"))
            .join(Lead, Lead.doc_id == LeadStageHistory.lead_id).where(*_leads(q)))


def _median_days(session: Session, q: Query) -> dict[str, Decimal]:
    steps = _steps(q).subquery()
    if session.get_bind().dialect.name == "postgresql":
        days = func.extract("epoch", steps.c.next_at - steps.c.at) / 86400.0
        rows = session.execute(
            select(steps.c.stage, func.percentile_cont(0.5).within_group(days))
            .where(steps.c.next_at.is_not(None)).group_by(steps.c.stage))
        return {stage: Decimal(str(value)).quantize(TENTH) for stage, value in rows
                if value is not None}
    days = func.julianday(steps.c.next_at) - func.julianday(steps.c.at)
    return medians(session.execute(select(steps.c.stage, days)
                                   .where(steps.c.next_at.is_not(None))).all())


def lead_funnel(session: Session, q: Query) -> ReportTable:
    now = {stage: (n, money(v)) for stage, n, v in session.execute(
        select(Lead.stage, func.count(), func.sum(Lead.expected_value)).where(*_leads(q))
        .group_by(Lead.stage))}
    reached = {str(stage): int(n) for stage, n in session.execute(
        select(LeadStageHistory.stage, func.count(func.distinct(LeadStageHistory.lead_id)))
        .join(Lead, Lead.doc_id == LeadStageHistory.lead_id).where(*_leads(q))
        .group_by(LeadStageHistory.stage))}
    converted, median = conversions(reached), _median_days(session, q)
    rows: list[dict[str, Any]] = [{
        "section": "stage", "stage": stage, "leads": now.get(stage, (0,))[0],
        "value": now.get(stage, (0, Decimal("0.00")))[1], "reached": reached.get(stage, 0),
        "conversion_pct": converted.get(stage), "median_days": median.get(stage)}
        for stage in STAGES]
    lost = session.execute(
        select(Lead.lost_reason, func.count(), func.sum(Lead.expected_value))
        .where(*_leads(q), Lead.stage == "lost").group_by(Lead.lost_reason)
        .order_by(func.count().desc(), Lead.lost_reason))
    rows += [{"section": "lost_reason", "stage": "lost", "lost_reason": reason or "",
              "leads": n, "value": money(value)} for reason, n, value in lost]
    summary = {"leads": sum(n for n, _ in now.values()),
               "value": sum((v for _, v in now.values()), Decimal("0.00"))}
    return ReportTable("lead_funnel", "Lead funnel", FUNNEL_COLUMNS, rows, summary)
