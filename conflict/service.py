"""The conflict use cases: settle what a policy can, queue the rest, resolve with an audit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from conflict.choices import Choice, Plan, plan
from conflict.engine import ConflictSet, Evaluation, describe_open, describe_taken, evaluate
from conflict.engine import resolution_docs as build_docs
from conflict.errors import (
    ConflictClosedError,
    ConflictNotFoundError,
    NotAllowedError,
    StaleConflictError,
)
from conflict.queue import OPEN, ConflictFilter, ConflictQueue, ConflictView
from conflict.store import RevisionStore, read_conflict
from server.audit.actor import Actor as AuditActor
from server.audit.actor import current_actor
from server.sql.models.base import utcnow
from server.sql.models.conflicts import Conflict
from server.sql.session import transaction
from sync.audit_trail import AuditTrail
from sync.dirty import DirtyMarker, DirtySet

SYSTEM = "fieldsync"  # the name automatic resolutions are audited under
RESOLVER_ROLES = frozenset({"admin"})


@dataclass(frozen=True)
class Actor:
    """The signed-in person acting on the queue."""

    username: str
    role: str


@dataclass(frozen=True)
class Outcome:
    """What `handle` did: nothing to settle, merged automatically, or queued for an admin."""

    status: Literal["clean", "merged", "queued"]
    db_name: str
    doc_id: str
    description: str = ""
    rev: str | None = None  # the merged revision, or the winner that stays while queued
    conflict_id: int | None = None

    @property
    def receipt_status(self) -> str | None:
        """The receipt's `status` for this document: merged, conflict, or None (unchanged)."""
        return {"merged": "merged", "queued": "conflict"}.get(self.status)

    def receipt_fields(self) -> dict[str, Any]:
        """`status` and `reason` for the receipt, or {} when there is nothing to report."""
        status = self.receipt_status
        return {"status": status, "reason": self.description} if status else {}


class ConflictService:
    """Called by the worker for each conflicted change and by the admin API for the queue."""

    def __init__(self, store: RevisionStore, sessions: sessionmaker[Session],
                 clock: Callable[[], datetime] = utcnow, dirty: DirtyMarker | None = None, *,
                 audit: AuditTrail) -> None:
        self.store = store
        self.audit = audit
        self.sessions = sessions
        self.clock = clock
        self.dirty = dirty or DirtySet(sessions)

    def handle(self, db_name: str, doc_id: str) -> Outcome:
        """Settle the document's conflict if its policy can, else queue it; safe to repeat."""
        outcome = self._handle(db_name, doc_id)
        if outcome.status == "merged":
            # After the commit (SQLite sessions must not nest): the worker then materialises
            # the merged revision and writes its `merged` receipt, instead of at the next sweep.
            self.dirty.mark([db_name])
        return outcome

    def _handle(self, db_name: str, doc_id: str) -> Outcome:
        conflict = read_conflict(self.store, db_name, doc_id)
        with transaction(self.sessions) as session:
            queue = ConflictQueue(session)
            row = queue.open_for(db_name, doc_id)
            if conflict is None:
                if row is not None:
                    self._closed_elsewhere(queue, row)
                return Outcome("clean", db_name, doc_id)
            evaluation = evaluate(conflict)
            if evaluation.settled:
                return self._auto_merge(queue, row, evaluation)
            row = queue.record(row, evaluation, self.clock())
            queue.mark_document(db_name, doc_id, True)
            session.flush()
            return Outcome("queued", db_name, doc_id, describe_open(evaluation),
                           conflict.winner["_rev"], row.id)

    def _auto_merge(self, queue: ConflictQueue, row: Conflict | None,
                    evaluation: Evaluation) -> Outcome:
        conflict = evaluation.conflict
        summary = describe_taken(evaluation)
        auto = Plan(conflict.winner["_rev"], evaluation.merged, "auto", summary)
        row = queue.record(row, evaluation, self.clock())
        queue.session.flush()
        rev = self._apply(queue, row, conflict, auto, SYSTEM)
        return Outcome("merged", conflict.db_name, conflict.doc_id, summary, rev, row.id)

    def _apply(self, queue: ConflictQueue, row: Conflict, conflict: ConflictSet, chosen: Plan,
               by: str) -> str:
        """Audit first, then one `_bulk_docs`; the caller's commit follows the store write.

        A crash before the write leaves the store untouched and the SQL rolled back; a crash
        after it leaves no conflict in the store, which the next `handle` call records.
        """
        now = self.clock()
        resolution = queue.close(row, by=by, method=chosen.method, choice=chosen.choice,
                                 summary=chosen.summary, now=now)
        marker = {"by": by, "at": now.isoformat(), "method": chosen.method}
        results = self.store.write(conflict.db_name,
                                   build_docs(conflict, chosen.base_rev, chosen.body, marker))
        head = results[0] if results else {}
        if not head.get("ok") and "rev" not in head:
            raise StaleConflictError(
                f"{conflict.doc_id} changed while it was being resolved "
                f"({head.get('reason') or head.get('error')}); it will be read again")
        resolution.resulting_rev = str(head["rev"])
        queue.mark_document(conflict.db_name, conflict.doc_id, False)
        queue.session.flush()
        self.audit(queue.session, f"conflict.{'auto_merge' if by == SYSTEM else 'resolve'}",
                   "conflict", str(row.id), actor=_actor(by),
                   before={"doc_id": conflict.doc_id, "db_name": conflict.db_name,
                           "revisions": sorted([conflict.winner["_rev"],
                                                *(leaf["_rev"] for leaf in conflict.losers)])},
                   after={"method": chosen.method, "choice": chosen.choice,
                          "summary": chosen.summary, "resulting_rev": resolution.resulting_rev})
        return resolution.resulting_rev

    def _closed_elsewhere(self, queue: ConflictQueue, row: Conflict) -> None:
        queue.close(row, by=SYSTEM, method="store", choice={},
                    summary="no longer in conflict in the store", now=self.clock())
        queue.mark_document(row.db_name, row.doc_id, False)

    def list(self, criteria: ConflictFilter | None = None) -> list[ConflictView]:
        with self.sessions() as session:
            queue = ConflictQueue(session)
            rows = queue.find(criteria or ConflictFilter(), self.clock())
            return [queue.view(row) for row in rows]

    def show(self, conflict_id: int) -> ConflictView:
        with self.sessions() as session:
            queue = ConflictQueue(session)
            row = queue.get(conflict_id)
            if row is None:
                raise ConflictNotFoundError(f"no conflict {conflict_id}")
            return queue.view(row)

    def resolve(self, conflict_id: int, actor: Actor, choice: Choice) -> ConflictView:
        """Apply an admin's choice: keep one side, pick field by field, or an edited version."""
        if actor.role not in RESOLVER_ROLES:
            raise NotAllowedError(f"only admins resolve conflicts; {actor.username} is "
                                  f"{actor.role}")
        stale = self._check_current(conflict_id)
        if stale:
            raise StaleConflictError(stale)
        view = self._resolve(conflict_id, actor, choice)
        self.dirty.mark([view.db_name])  # the resolved revision reaches SQL and the receipts
        return view

    def _resolve(self, conflict_id: int, actor: Actor, choice: Choice) -> ConflictView:
        with transaction(self.sessions) as session:
            queue = ConflictQueue(session)
            row = self._open_row(queue, conflict_id)
            conflict = read_conflict(self.store, row.db_name, row.doc_id)
            if conflict is None or not _same_revisions(row, conflict):
                raise StaleConflictError("the document changed while it was being resolved; "
                                         "reload the conflict")
            chosen = plan(evaluate(conflict), choice)
            self._apply(queue, row, conflict, chosen, actor.username)
            session.flush()
            return queue.view(row)

    def _check_current(self, conflict_id: int) -> str:
        """Refresh the row when devices changed the document since it was shown."""
        with transaction(self.sessions) as session:
            queue = ConflictQueue(session)
            row = self._open_row(queue, conflict_id)
            conflict = read_conflict(self.store, row.db_name, row.doc_id)
            if conflict is None:
                self._closed_elsewhere(queue, row)
                return "the document is no longer in conflict: a device or another admin " \
                       "settled it"
            if _same_revisions(row, conflict):
                return ""
            queue.record(row, evaluate(conflict), self.clock())
            return "the document changed on a device since it was shown; review the " \
                   "updated differences"

    def _open_row(self, queue: ConflictQueue, conflict_id: int) -> Conflict:
        row = queue.get(conflict_id)
        if row is None:
            raise ConflictNotFoundError(f"no conflict {conflict_id}")
        if row.status != OPEN:
            raise ConflictClosedError(f"conflict {conflict_id} was already resolved")
        return row

    def receipt_note(self, db_name: str, doc_id: str, rev: str) -> str | None:
        """How revision `rev` came about, if a resolution wrote it (for the engineer's receipt)."""
        with self.sessions() as session:
            return ConflictQueue(session).note_for(db_name, doc_id, rev)


def _actor(by: str) -> AuditActor:
    """Who resolved: the request's signed-in admin, or the conflict engine itself."""
    acting = current_actor()
    return acting if acting.username == by else AuditActor(by, "system" if by == SYSTEM else "")


def _same_revisions(row: Conflict, conflict: ConflictSet) -> bool:
    current = {conflict.winner["_rev"], *(leaf["_rev"] for leaf in conflict.losers)}
    return current == {row.winner_rev, *row.loser_revs}

