"""Head decisions, lead moves and expense reimbursement: SQL plus the engineer's database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from server.accounts.roles import Principal, Role
from server.audit.recorder import record
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
from server.sql.models.sales import HeadDecision, ServerLeadStep, TravelRate
from server.sql.session import transaction
from sync.dirty import DirtyMarker, DirtySet
from sync.documents import discounts
from sync.documents.facts import server_step
from sync.documents.pricelists import format_pct
from sync.documents.rules import expense_summary
from sync.documents.validate import check_structure
from sync.store import DocumentStore, StoreError, TerminalStoreError


class StoreUnavailableError(SalesError):
    """The document store could not take the write; nothing was changed."""

    status = 503


@dataclass(frozen=True)
class Terms:
    """What a head's decision binds: the subject's terms hash and those terms for people."""

    hash: str
    summary: str


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
            terms = Terms(offer.terms_hash, f"{format_pct(offer.max_discount_pct)}%")
        return self._decide("discount", subject, principal, outcome, note, terms)

    def decide_expense(self, principal: Principal, expense_id: str, outcome: str,
                       note: str = "") -> HeadDecision:
        """Approve or decline a travel expense."""
        decisions.check_outcome(outcome, note)
        with self.sessions() as s:
            subject = self._subject(s, principal, Expense, expense_id, "expense")
            row = s.get(Expense, expense_id)
            assert row is not None
            terms = Terms(row.terms_hash, expense_summary(
                {"amount": row.amount, "km": row.km, "mode": row.mode}))
        return self._decide("expense", subject, principal, outcome, note, terms)

    def _decide(self, kind: str, subject: Subject, principal: Principal, outcome: str,
                note: str, terms: Terms) -> HeadDecision:
        at = self.clock()
        values = {"kind": kind, "owner": subject.owner, "outcome": outcome,
                  "decided_by": principal.username, "decided_at": at, "note": note,
                  "reimbursed": False, "terms_hash": terms.hash, "terms": terms.summary}
        try:
            with transaction(self.sessions) as s:
                row, before = self._record(s, subject.doc_id, terms.hash, values)
                if kind == "expense":
                    s.execute(update(Expense).where(Expense.doc_id == subject.doc_id)
                              .values(approval_status=outcome))
                record(s, f"decision.{kind}", kind_entity(kind), subject.doc_id,
                       before=before, after=values)
        except IntegrityError:  # another head decided at the same moment
            raise StateError(f"{subject.doc_id} was decided meanwhile; reload it") from None
        doc = decisions.decision_doc(kind, subject.doc_id, outcome, principal.username, at, note,
                                     terms_hash=terms.hash, terms=terms.summary)
        try:
            rev = self._current_rev(subject.db_name, doc["_id"]) if before is not None else None
            if rev is not None:  # deciding again: the phone holds the earlier decision
                doc["_rev"] = rev
            self._write(subject.db_name, doc)
        except SalesError:
            self._undo(kind, subject.doc_id, before)
            raise
        return row

    @staticmethod
    def _record(s: Session, subject_id: str, terms_hash: str,
                values: dict[str, Any]) -> tuple[HeadDecision, dict[str, Any] | None]:
        """Insert the decision, or replace one the terms no longer match; returns the row and
        the replaced values (None for a first decision)."""
        row = s.get(HeadDecision, subject_id)
        if row is None:
            row = HeadDecision(subject_id=subject_id, **values)
            s.add(row)
            return row, None
        decisions.check_undecided(row.outcome, subject_id,
                                  still_binds=row.terms_hash in (None, terms_hash))
        before = {key: getattr(row, key) for key in values}
        for key, value in values.items():
            setattr(row, key, value)
        return row, before

    def _current_rev(self, db_name: str, doc_id: str) -> str | None:
        try:
            return str(self.store.get_doc(db_name, doc_id)["_rev"])
        except TerminalStoreError:
            return None  # never written (or removed): write it afresh
        except StoreError as exc:
            raise StoreUnavailableError("the document store is unreachable; nothing was "
                                        "changed, try again shortly") from exc

    def _undo(self, kind: str, subject_id: str, before: dict[str, Any] | None) -> None:
        with transaction(self.sessions) as s:
            if before is None:
                s.execute(delete(HeadDecision).where(HeadDecision.subject_id == subject_id))
            else:
                s.execute(update(HeadDecision).where(HeadDecision.subject_id == subject_id)
                          .values(**before))
            if kind == "expense":
                status = "pending" if before is None else before["outcome"]
                s.execute(update(Expense).where(Expense.doc_id == subject_id)
                          .values(approval_status=status))
            # The decision was recorded when made; that it was taken back is recorded too.
            record(s, f"decision.{kind}_withdrawn", kind_entity(kind), subject_id,
                   after={"reason": "the engineer's database could not take the decision",
                          "restored": before})

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
        step = moved["history"][-1]
        written = server_step(step["stage"], step["at"], step["by"])
        key = ServerLeadStep(lead_id=lead_id, at=written.at, stage=step["stage"], by=step["by"])
        # Recorded before the store write: the worker may judge the new revision at once, and
        # only a step the server recorded may stand in a head's name.
        try:
            with transaction(self.sessions) as s:
                s.add(key)
                s.flush()
                record(s, "lead.move", "lead", lead_id,
                       before={"stage": current.get("stage")},
                       after={"stage": step["stage"], "at": step["at"],
                              "lost_reason": moved.get("lost_reason")})
        except IntegrityError:
            raise StateError("the lead was moved to that stage this very second; reload "
                             "it") from None
        try:
            result = self._write(subject.db_name, moved)
        except SalesError:
            with transaction(self.sessions) as s:
                s.execute(delete(ServerLeadStep).where(
                    ServerLeadStep.lead_id == lead_id, ServerLeadStep.at == written.at,
                    ServerLeadStep.stage == step["stage"]))
                record(s, "lead.move_withdrawn", "lead", lead_id,
                       after={"stage": step["stage"], "reason": "the engineer's database "
                              "could not take the move"})
            raise
        return {**moved, "_rev": result.get("rev", moved.get("_rev"))}

    # Expenses ------------------------------------------------------------------------------

    def mark_reimbursed(self, principal: Principal, expense_id: str) -> HeadDecision:
        """Record that an approved expense was paid back."""
        with transaction(self.sessions) as s:
            subject = self._subject(s, principal, Expense, expense_id, "expense")
            decision = s.get(HeadDecision, expense_id)
            if decision is None or decision.outcome != discounts.APPROVED:
                raise StateError("only an approved expense can be reimbursed; approve it first")
            expense = s.get(Expense, expense_id)
            if expense is not None and decision.terms_hash not in (None, expense.terms_hash):
                raise StateError(f"the expense changed after it was approved as "
                                 f"{decision.terms}; approve it again before reimbursing it")
            decision.reimbursed = True
            s.execute(update(Expense).where(Expense.doc_id == expense_id)
                      .values(reimbursed=True))
            doc = decisions.decision_doc(
                "expense", expense_id, decision.outcome, decision.decided_by,
                decision.decided_at, decision.note, terms_hash=decision.terms_hash,
                terms=decision.terms)
            record(s, "expense.reimburse", "expense", expense_id,
                   before={"reimbursed": False}, after={"reimbursed": True})
        # The engineer's phone learns of the payment from its decision document.
        try:
            rev = self._current_rev(subject.db_name, doc["_id"])
            self._write(subject.db_name, {**doc, "reimbursed": True,
                                          **({"_rev": rev} if rev else {})})
        except SalesError:
            with transaction(self.sessions) as s:
                s.execute(update(HeadDecision).where(HeadDecision.subject_id == expense_id)
                          .values(reimbursed=False))
                s.execute(update(Expense).where(Expense.doc_id == expense_id)
                          .values(reimbursed=False))
                record(s, "expense.reimburse_withdrawn", "expense", expense_id,
                       after={"reimbursed": False, "reason": "the engineer's database could "
                              "not take the decision"})
            raise
        return decision


def kind_entity(kind: str) -> str:
    """The entity a decision of `kind` is about: a discount decides an offer."""
    return "offer" if kind == "discount" else kind


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
        found = s.get(TravelRate, mode)
        before = {"rate_per_km": found.rate_per_km} if found is not None else None
        row = found or TravelRate(mode=mode)
        row.rate_per_km, row.updated_by, row.updated_at = checked, principal.username, utcnow()
        s.add(row)
        s.flush()
        record(s, "travel_rate.set", "travel_rate", mode, before=before,
               after={"rate_per_km": checked})
        return row
