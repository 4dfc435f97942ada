"""The admin conflict queue in SQL: open rows, filters, the audit trail (an adapter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conflict.engine import Evaluation, describe_open, difference_view, edit_of
from server.sql.models.conflicts import Conflict, ConflictResolution
from server.sql.models.sync_state import DocumentStatus

MAX_CONFLICT_ID = 2**31 - 1  # conflicts.id is a 32-bit INTEGER on PostgreSQL

OPEN, RESOLVED = "open", "resolved"


@dataclass(frozen=True)
class ConflictFilter:
    """Which queue rows to list; `older_than` selects conflicts open at least that long."""

    status: str | None = OPEN
    doc_type: str | None = None
    owner: str | None = None
    older_than: timedelta | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class ResolutionView:
    """One audited resolution."""

    resolved_by: str
    resolved_at: datetime
    method: str
    choice: dict[str, Any]
    summary: str
    resulting_rev: str | None


@dataclass(frozen=True)
class ConflictView:
    """A queue row as the admin console shows it."""

    id: int
    db_name: str
    doc_id: str
    doc_type: str
    owner: str
    status: str
    winner_rev: str
    loser_revs: list[str]
    differences: list[dict[str, Any]]
    sides: list[dict[str, Any]]
    summary: str
    opened_at: datetime
    resolved_at: datetime | None
    resolutions: list[ResolutionView] = field(default_factory=list)


class ConflictQueue:
    """Queue rows inside the caller's unit of work (one SQLAlchemy session)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, conflict_id: int) -> Conflict | None:
        if not 0 < conflict_id <= MAX_CONFLICT_ID:  # SQL could not even compare it: none such
            return None
        return self.session.get(Conflict, conflict_id)

    def open_for(self, db_name: str, doc_id: str) -> Conflict | None:
        return self.session.scalar(select(Conflict).where(
            Conflict.open_key == f"{db_name}/{doc_id}"))

    def record(self, row: Conflict | None, evaluation: Evaluation, now: datetime) -> Conflict:
        """Create or refresh the row for this conflict with the current differences."""
        conflict = evaluation.conflict
        if row is None:
            row = Conflict(db_name=conflict.db_name, doc_id=conflict.doc_id, opened_at=now,
                           open_key=f"{conflict.db_name}/{conflict.doc_id}", status=OPEN)
            self.session.add(row)
        row.doc_type, row.owner = conflict.doc_type, conflict.owner
        row.winner_rev = conflict.winner["_rev"]
        row.loser_revs = [leaf["_rev"] for leaf in conflict.losers]
        row.differences = [difference_view(conflict, f) for f in evaluation.found]
        row.sides = [{**edit_of(leaf), "winner": leaf is conflict.winner}
                     for leaf in conflict.leaves]
        row.summary = describe_open(evaluation) if evaluation.found else ""
        row.updated_at = now
        return row

    def close(self, row: Conflict, *, by: str, method: str, choice: dict[str, Any],
              summary: str, now: datetime) -> ConflictResolution:
        row.status, row.open_key, row.resolved_at, row.updated_at = RESOLVED, None, now, now
        resolution = ConflictResolution(conflict_id=row.id, resolved_by=by, resolved_at=now,
                                        method=method, choice=choice, summary=summary)
        self.session.add(resolution)
        self.session.flush()
        return resolution

    def mark_document(self, db_name: str, doc_id: str, in_conflict: bool) -> None:
        """Reports show the materialised winner as in conflict while the row is open; the
        receipt is written again when the flag changes, since the winner's revision may not."""
        self.session.execute(update(DocumentStatus).where(
            DocumentStatus.db_name == db_name, DocumentStatus.doc_id == doc_id,
            DocumentStatus.in_conflict.is_not(in_conflict),
        ).values(in_conflict=in_conflict, receipt_pending=True))

    def find(self, criteria: ConflictFilter, now: datetime) -> list[Conflict]:
        query = select(Conflict).order_by(Conflict.opened_at, Conflict.id)
        if criteria.status:
            query = query.where(Conflict.status == criteria.status)
        if criteria.doc_type:
            query = query.where(Conflict.doc_type == criteria.doc_type)
        if criteria.owner:
            query = query.where(Conflict.owner == criteria.owner)
        if criteria.older_than is not None:
            query = query.where(Conflict.opened_at <= now - criteria.older_than)
        return list(self.session.scalars(query.limit(criteria.limit).offset(criteria.offset)))

    def resolutions(self, conflict_id: int) -> list[ConflictResolution]:
        return list(self.session.scalars(select(ConflictResolution).where(
            ConflictResolution.conflict_id == conflict_id).order_by(ConflictResolution.id)))

    def note_for(self, db_name: str, doc_id: str, rev: str) -> str | None:
        """The resolution that produced `rev` of this document, for its receipt."""
        return self.session.scalar(
            select(ConflictResolution.summary).join(Conflict).where(
                Conflict.db_name == db_name, Conflict.doc_id == doc_id,
                ConflictResolution.resulting_rev == rev))

    def view(self, row: Conflict) -> ConflictView:
        return ConflictView(
            id=row.id, db_name=row.db_name, doc_id=row.doc_id, doc_type=row.doc_type,
            owner=row.owner, status=row.status, winner_rev=row.winner_rev,
            loser_revs=list(row.loser_revs), differences=list(row.differences),
            sides=list(row.sides), summary=row.summary, opened_at=row.opened_at,
            resolved_at=row.resolved_at,
            resolutions=[ResolutionView(r.resolved_by, r.resolved_at, r.method, dict(r.choice),
                                        r.summary, r.resulting_rev)
                         for r in self.resolutions(row.id)])
