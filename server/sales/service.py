"""Head decisions, lead moves and expense reimbursement: SQL plus the engineer's database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from server.accounts.roles import Principal, Role
from server.sales import decisions, expenses, leadmoves
from server.sales.errors import (
    InvalidRequestError,
    NotAllowedError,
    NotFoundError,
    SalesError,
    StateError,
)
from server.sql.models.accounts import User
from server.sql.models.base import utcnow
from server.sql.models.documents import Expense, Lead, Offer
from server.sql.models.sales import HeadDecision, TravelRate
from server.sql.session import transaction
from sync.dirty import DirtySet
from sync.documents import discounts
from sync.documents.validate import check_structure
from sync.store import DocumentStore, StoreError, TerminalStoreError


class StoreUnavailableError(SalesError):
    """The document store could not take the write; nothing was changed."""

    status = 503


class DirtyMarker(Protocol):
    """Tells the worker an engineer database has new server writes."""

    def mark(self, db_names: list[str]) -> None: ...


@dataclass(frozen=True)
class Subject:
    """The document a head acts on: where it lives and whose it is."""

    doc_id: str
    db_name: str
    owner: str


def may_act_for(session: Session, principal: Principal, owner: str) -> bool:
    """Admins act for everyone, heads for the engineers of their own team."""
    if principal.role is Role.ADMIN:
        return True
    if principal.role is not Role.HEAD or principal.team_id is None:
        return False
    team = session.scalar(select(User.team_id).where(User.username == owner))
    return team == principal.team_id


class HeadActions:
    """What heads (and admins) do to engineers' documents through the API."""

    def __init__(self, store: DocumentStore, sessions: sessionmaker[Session],
                 dirty: DirtyMarker | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.sessions = sessions
        self.dirty = dirty or DirtySet(sessions)
        self.clock = clock

    def _subject(self, session: Session, principal: Principal, model: Any, doc_id: str,
                 what: str) -> Subject:
        row = session.get(model, doc_id)
        if row is None or not may_act_for(session, principal, row.owner):
            raise NotFoundError(f"{what} {doc_id!r} was not found among your team's records")
        return Subject(doc_id, row.db_name, row.owner)

    # Decisions -----------------------------------------------------------------------------

    def decide_discount(self, principal: Principal, offer_id: str, outcome: str,
                        note: str = "") -> HeadDecision:
        """Approve or decline an offer whose discount is above its engineer's limit."""
        decisions.check_outcome(outcome, note)
        with self.sessions() as s:
            subject = self._subject(s, principal, Offer, offer_id, "offer")
            offer = s.get(Offer, offer_id)
            limit = s.scalar(select(User.discount_limit_pct).where(User.username == subject.owner))
            assert offer is not None
            if not discounts.needs_head_approval(offer.max_discount_pct, limit):
                raise StateError(f"the offer's discount of {offer.max_discount_pct.normalize():f}% "
                                 f"is within {subject.owner}'s limit; no decision is needed")
        return self._decide("discount", subject, principal, outcome, note)

    def decide_expense(self, principal: Principal, expense_id: str, outcome: str,
                       note: str = "") -> HeadDecision:
        """Approve or decline a travel expense."""
        decisions.check_outcome(outcome, note)
        with self.sessions() as s:
            subject = self._subject(s, principal, Expense, expense_id, "expense")
        return self._decide("expense", subject, principal, outcome, note)

    def _decide(self, kind: str, subject: Subject, principal: Principal, outcome: str,
                note: str) -> HeadDecision:
        at = self.clock()
        row = HeadDecision(subject_id=subject.doc_id, kind=kind, owner=subject.owner,
                           outcome=outcome, decided_by=principal.username, decided_at=at,
                           note=note, reimbursed=False)
        try:
            with transaction(self.sessions) as s:
                decisions.check_undecided(
                    s.scalar(select(HeadDecision.outcome).where(
                        HeadDecision.subject_id == subject.doc_id)), subject.doc_id)
                s.add(row)
                if kind == "expense":
                    s.execute(update(Expense).where(Expense.doc_id == subject.doc_id)
                              .values(approval_status=outcome))
        except IntegrityError:  # another head decided at the same moment
            raise StateError(f"{subject.doc_id} was decided meanwhile; reload it") from None
        doc = decisions.decision_doc(kind, subject.doc_id, outcome, principal.username, at, note)
        try:
            self._write(subject.db_name, doc)
        except SalesError:
            self._undo(kind, subject.doc_id)
            raise
        return row

    def _undo(self, kind: str, subject_id: str) -> None:
        with transaction(self.sessions) as s:
            s.execute(delete(HeadDecision).where(HeadDecision.subject_id == subject_id))
            if kind == "expense":
                s.execute(update(Expense).where(Expense.doc_id == subject_id)
                          .values(approval_status="pending"))

    def _write(self, db_name: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Write a document into an engineer's database and tell the worker."""
        try:
            result = self.store.put_doc(db_name, doc)
        except TerminalStoreError as exc:
            if exc.status == 409:
                raise StateError(f"{doc['_id']} changed on the phone meanwhile; reload it and "
                                 "try again") from None
            raise StoreUnavailableError(f"the document store refused the write: {exc}") from exc
        except StoreError as exc:
            raise StoreUnavailableError("the document store is unreachable; nothing was "
                                        "changed, try again shortly") from exc
        self.dirty.mark([db_name])
        return result

    # Leads ---------------------------------------------------------------------------------

    def move_lead(self, principal: Principal, lead_id: str, stage: str, *,
                  details: Mapping[str, Any] | None = None, lost_reason: str | None = None,
                  loc: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Move a lead (forward, to lost, or back) as a head or admin; returns the new doc."""
        with self.sessions() as s:
            subject = self._subject(s, principal, Lead, lead_id, "lead")
        try:
            current = self.store.get_doc(subject.db_name, lead_id)
        except StoreError as exc:
            raise StoreUnavailableError("the lead could not be read from the document store; "
                                        "try again shortly") from exc
        moved = leadmoves.move_lead(current, stage, by=principal.username, at=self.clock(),
                                    details=details, lost_reason=lost_reason, loc=loc)
        verdict = check_structure(moved, owner=subject.owner)
        if not verdict.ok:  # the worker would refuse it: never write what the phone can't keep
            raise InvalidRequestError(verdict.reason, {
                p.field or "lead": [p.message] for p in verdict.problems})
        result = self._write(subject.db_name, moved)
        return {**moved, "_rev": result.get("rev", moved.get("_rev"))}

    # Expenses ------------------------------------------------------------------------------

    def mark_reimbursed(self, principal: Principal, expense_id: str) -> HeadDecision:
        """Record that an approved expense was paid back."""
        with transaction(self.sessions) as s:
            self._subject(s, principal, Expense, expense_id, "expense")
            decision = s.get(HeadDecision, expense_id)
            if decision is None or decision.outcome != discounts.APPROVED:
                raise StateError("only an approved expense can be reimbursed; approve it first")
            decision.reimbursed = True
            s.execute(update(Expense).where(Expense.doc_id == expense_id)
                      .values(reimbursed=True))
            return decision


def travel_rates(sessions: sessionmaker[Session]) -> dict[str, Decimal]:
    """The per-km rate of each mode an admin has set."""
    with sessions() as s:
        return {r.mode: r.rate_per_km for r in s.scalars(select(TravelRate))}


def set_travel_rate(sessions: sessionmaker[Session], principal: Principal, mode: str,
                    rate: Decimal) -> TravelRate:
    """Set the per-km rate of a mode (admins only)."""
    if principal.role is not Role.ADMIN:
        raise NotAllowedError("only admins set travel rates")
    checked = expenses.check_rate(mode, rate)
    with transaction(sessions) as s:
        row = s.get(TravelRate, mode) or TravelRate(mode=mode)
        row.rate_per_km, row.updated_by, row.updated_at = checked, principal.username, utcnow()
        s.add(row)
        return row
