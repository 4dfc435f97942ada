"""One batch of changes: judge each document, materialise, checkpoint, all in one transaction."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from server.audit.actor import Actor
from server.config import Settings
from server.sql.models.archive import OrderChange
from server.sql.models.documents import Expense
from server.sql.models.sync_state import DocumentStatus, EngineerDatabase, RejectedDocument
from server.sql.session import transaction
from sync import metrics
from sync.archive import Archive
from sync.audit_trail import AuditTrail
from sync.checkpoints import CheckpointStore
from sync.conflict_hook import resolution_revisions
from sync.dirty import DirtySet
from sync.documents.catalogue import as_entry
from sync.documents.frozen import Frozen
from sync.documents.rules import expense_note, offer_note
from sync.documents.schema import PHONE_TYPES
from sync.documents.validate import validate
from sync.history import earlier_revisions, keep_revisions, kept_revisions, revision_bodies
from sync.leases import Fence
from sync.master_data import SqlMasterData
from sync.projection import rev_pos
from sync.receipts import is_server_document
from sync.sql_projection import Outcome, SqlProjection
from sync.store import ChangesPage, DocumentStore

log = logging.getLogger("fieldsync.worker")
JUDGING_ORDER = {"offer": 0, "approval": 1, "order": 2}
AUDITED_REFUSALS = ("offer", "approval", "order", "expense")  # the commercial record
Doc = dict[str, Any]
# Called inside a batch's transaction after its rows are applied (the ERP outbox hook).
AfterAccept = Callable[[Session, str, Sequence[Outcome]], None]


def standing(outcome: Outcome, facts: SqlMasterData) -> None:
    """What an accepted offer or expense means for the head: its effective discount, and why
    it waits for the head (again, when its terms changed after a decision)."""
    doc = outcome.doc
    if doc.get("type") == "offer":
        offer = facts.offer(str(doc["_id"]))
        outcome.max_discount_pct = offer.max_discount_pct if offer else None
        if offer is not None:
            outcome.reason = offer_note(doc, facts, offer.max_discount_pct) or ""
    elif doc.get("type") == "expense":
        outcome.reason = expense_note(doc, facts) or ""
        outcome.decision_voided = bool(outcome.reason)


def reopen_expenses(session: Session, db_name: str, outcomes: list[Outcome]) -> None:
    """Expenses whose amount, km or mode changed after the head's decision wait again."""
    voided = [o.doc_id for o in outcomes if o.status == "accepted" and o.decision_voided
              and o.doc_type == "expense"]
    if voided:
        session.execute(update(Expense).where(Expense.doc_id.in_(voided),
                                              Expense.db_name == db_name)
                        .values(approval_status="pending"))


def audit_refusals(session: Session, db_name: str, owner: str, outcomes: list[Outcome],
                   record: AuditTrail) -> None:
    """Refused commercial documents, changes of archived ones the worker undid, and edits of an
    accepted order's PO number, delivery date or notes go to the audit trail, in the engineer's
    and device's name."""
    for o in outcomes:
        device = o.doc.get("device_id")
        engineer = Actor(owner, "engineer", "", device if isinstance(device, str) else "")
        if o.reverted:
            record(session, "document.change_undone", o.doc_type, o.doc_id, actor=engineer,
                   after={"rev": o.rev, "reason": o.reason, "db_name": db_name,
                          "source": "frozen"})
        elif o.status == "rejected" and o.doc_type in AUDITED_REFUSALS:
            record(session, "document.refused", o.doc_type, o.doc_id, actor=engineer,
                   after={"rev": o.rev, "reason": o.reason, "db_name": db_name,
                          "source": "worker"})
    _audit_order_edits(session, owner, [o for o in outcomes if o.status == "accepted"
                                        and o.doc_type == "order" and not o.deleted], record)


def _audit_order_edits(session: Session, owner: str, orders: list[Outcome],
                       record: AuditTrail) -> None:
    """The order history rows the archive wrote for these revisions, one trail row each."""
    if not orders:
        return
    revs = {(o.doc_id, o.rev) for o in orders}
    changes = session.scalars(select(OrderChange).where(
        OrderChange.order_id.in_(sorted({doc_id for doc_id, _ in revs})))).all()
    for change in (c for c in changes if (c.order_id, c.rev) in revs):
        record(session, "order.edit", "order", change.order_id,
               actor=Actor(owner, "engineer", "", change.device_id or ""),
               before={change.field: change.before}, after={change.field: change.after})


def parse_rev(rev: str) -> tuple[int, str]:
    """CouchDB's ordering of revisions: generation first, then the hash as a string."""
    pos, _, digest = rev.partition("-")
    return int(pos), digest


def is_newer(rev: str, known: tuple[int, str] | None) -> bool:
    return known is None or parse_rev(rev) > parse_rev(known[1])


class BatchProcessor:
    """Turns one page of a `_changes` feed into rows, statuses and a checkpoint."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], store: DocumentStore,
                 checkpoints: CheckpointStore, audit: AuditTrail,
                 after_accept: Sequence[AfterAccept] = ()) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store
        self.projection = SqlProjection()
        self.archive = Archive(store)
        self.checkpoints = checkpoints
        self.audit = audit
        self._owners: dict[str, str] = {}
        self.after_accept = list(after_accept)  # inside the transaction: the ERP outbox etc.
        # The lease a commit for a database must still hold (None: unfenced, e.g. rebuild).
        self.fence: Callable[[str], Fence | None] = lambda _db: None
        # Off for a rebuild: it judges again what the live worker already recorded.
        self.audit_refusals = True

    def process(self, db_name: str, page: ChangesPage) -> int:
        started = time.perf_counter()
        docs = [c["doc"] for c in page.results
                if "doc" in c and not is_server_document(str(c.get("id", "")))]
        owner = self.owner_of(db_name)
        fence = self.fence(db_name)
        with transaction(self.sessions) as session:
            earlier, outcomes = self._judge_all(session, db_name, owner, docs)
            if earlier:  # first the rows these documents keep, then their refused revisions
                self.projection.apply(session, db_name, earlier)
            self.projection.apply(session, db_name, outcomes)
            reopen_expenses(session, db_name, outcomes)
            self.archive.record(session, db_name, earlier + outcomes)
            for hook in self.after_accept:
                hook(session, db_name, earlier + outcomes)
            self.checkpoints.write(session, db_name, page.last_seq, len(page.results), fence)
            if self.audit_refusals:  # last: the audit chain's lock is held until the commit
                audit_refusals(session, db_name, owner, outcomes, self.audit)
        if any(o.reverted for o in outcomes):  # the restored revisions are read next
            DirtySet(self.sessions).mark([db_name])
        self._report(db_name, outcomes, time.perf_counter() - started)
        return len(outcomes)

    def _judge_all(self, session: Session, db_name: str, owner: str,
                   docs: list[Doc]) -> tuple[list[Outcome], list[Outcome]]:
        """(earlier accepted revisions whose rows refused ones keep, the batch's outcomes)."""
        known = self.projection.known_revisions(session, db_name, [d["_id"] for d in docs])
        resolved = self._resolutions(session, db_name, docs, known)
        fresh = [d for d in docs if is_newer(d["_rev"], known.get(d["_id"]))
                 or (d["_id"], d["_rev"]) in resolved]
        facts = SqlMasterData(session, self.settings.company_state)
        facts.prefetch(fresh)
        for doc in fresh:
            if doc.get("type") == "lead" and (doc["_id"], doc["_rev"]) in resolved:
                # A resolution may keep the branch whose stage the server did not hold (lost
                # against moved on): it continues from the branch point, not the held stage.
                facts.remember(doc)
        # An approval needs its offer and an order both; a phone may push them in any order
        # (an offer edited after its approval comes later in the feed), so judge in that order.
        fresh.sort(key=lambda d: JUDGING_ORDER.get(str(d.get("type")), len(JUDGING_ORDER)))
        frozen = self.archive.lookup(session, db_name, fresh)
        outcomes = [self._judge_frozen(doc, owner, facts, frozen.get(doc["_id"]))
                    for doc in fresh]
        earlier = self._earlier_accepted(session, db_name, owner, facts, outcomes, known)
        return earlier, outcomes + self._rejudge_dependants(session, db_name, owner, facts,
                                                            earlier + outcomes)

    def _earlier_accepted(self, session: Session, db_name: str, owner: str,
                          facts: SqlMasterData, outcomes: list[Outcome],
                          known: dict[str, tuple[int, str]]) -> list[Outcome]:
        """The rule for a refused revision: the document keeps the rows of its newest accepted
        revision, live and on a rebuild (sync/history.py says where that revision is kept).
        When SQL does not hold it, it is judged here, before the refused revision is judged
        again after it, as the live worker did."""
        refused = [o for o in outcomes if o.status == "rejected" and not o.deleted]
        if not refused:
            return []
        store = self.store
        held = self._held_accepted(session, db_name, [o.doc_id for o in refused])
        if held:  # rows in SQL stay: keep their revision where a rebuild will find it
            keep_revisions(store, db_name, revision_bodies(
                store, db_name, [(doc_id, known[doc_id][1]) for doc_id in held]))
        unknown = [o for o in refused if o.doc_id not in known and rev_pos(o.rev) > 1]
        if not unknown:
            return []
        kept = kept_revisions(store, db_name, [o.doc_id for o in unknown])
        history = earlier_revisions(store, db_name,
                                    [o.doc for o in unknown if o.doc_id not in kept])
        earlier, found = [], []
        for outcome in unknown:
            bodies = [kept[outcome.doc_id]] if outcome.doc_id in kept else \
                history.get(outcome.doc_id, [])
            body, judged = next(((b, j) for b in bodies
                                 if (j := self.judge(b, owner, facts)).status == "accepted"),
                                (None, None))
            if body is None or judged is None:
                continue
            earlier.append(judged)
            if outcome.doc_id not in kept:
                found.append(body)
            outcomes[outcomes.index(outcome)] = self.judge(outcome.doc, owner, facts)
        keep_revisions(store, db_name, found)
        return earlier

    @staticmethod
    def _held_accepted(session: Session, db_name: str, doc_ids: list[str]) -> list[str]:
        """Documents whose live rows come from the revision SQL last accepted."""
        return list(session.scalars(select(DocumentStatus.doc_id).where(
            DocumentStatus.db_name == db_name, DocumentStatus.doc_id.in_(doc_ids),
            DocumentStatus.status == "accepted", DocumentStatus.deleted.is_(False))))

    def _rejudge_dependants(self, session: Session, db_name: str, owner: str,
                            facts: SqlMasterData, outcomes: list[Outcome]) -> list[Outcome]:
        """Approvals and orders refused because their offer or approval had not arrived yet
        are judged again once it is accepted, so the order a phone pushed early is not lost."""
        arrived = {o.doc["_id"] for o in outcomes if o.status == "accepted"
                   and o.doc.get("type") in ("offer", "approval")}
        if not arrived:
            return []
        judged = {o.doc["_id"] for o in outcomes}
        refused = session.scalars(select(RejectedDocument).where(
            RejectedDocument.db_name == db_name, RejectedDocument.source == "worker",
            RejectedDocument.doc_type.in_(("approval", "order")))).all()
        waiting = [dict(r.body) for r in refused if r.doc_id not in judged
                   and {r.body.get("offer_id"), r.body.get("approval_id")} & arrived]
        waiting.sort(key=lambda d: JUDGING_ORDER.get(str(d.get("type")), len(JUDGING_ORDER)))
        return [self.judge(doc, owner, facts) for doc in waiting]

    @staticmethod
    def _resolutions(session: Session, db_name: str, docs: list[Doc],
                     known: dict[str, tuple[int, str]]) -> set[tuple[str, str]]:
        """Revisions written by a conflict resolution, among leads and revisions sorting below
        the one processed before (keeping the shorter side of a conflict writes such a winner)."""
        asked = [(d["_id"], d["_rev"]) for d in docs if d.get("type") == "lead" or (
            d["_id"] in known and known[d["_id"]][1] != d["_rev"]
            and not is_newer(d["_rev"], known[d["_id"]]))]
        return resolution_revisions(session, db_name, asked)

    def _judge_frozen(self, doc: Doc, owner: str, facts: SqlMasterData,
                      frozen: Frozen | None) -> Outcome:
        """A signed or accepted document keeps what is frozen whatever arrives in the store."""
        undo = self.archive.judge(doc, owner, frozen)
        if undo is not None:
            return undo
        outcome = self.judge(doc, owner, facts)
        self.archive.note(outcome, frozen)
        return outcome

    def judge(self, doc: Doc, owner: str, facts: SqlMasterData) -> Outcome:
        in_conflict = bool(doc.get("_conflicts"))
        if doc.get("_deleted"):
            # A tombstone carries no owner: it is the database's, live and on a rebuild.
            return Outcome(doc={**doc, "owner": doc.get("owner") or owner}, status="accepted",
                           reason="deleted", errors=[], deleted=True, in_conflict=in_conflict)
        try:
            verdict = validate(doc, owner=owner, facts=facts)
        except Exception:  # a bad document must never stop the worker
            log.exception("event=validator_failed doc=%s", doc.get("_id"))
            return Outcome(doc=doc, status="rejected", errors=[], deleted=False,
                           in_conflict=in_conflict,
                           reason="The server could not read this document; contact support.")
        if not verdict.ok:
            errors = [as_entry(p) for p in verdict.problems]
            return Outcome(doc=doc, status="rejected", reason=verdict.reason, errors=errors,
                           deleted=False, in_conflict=in_conflict)
        facts.remember(verdict.doc)
        outcome = Outcome(doc=verdict.doc, status="accepted", reason="", errors=[],
                          deleted=False, in_conflict=in_conflict)
        standing(outcome, facts)
        return outcome

    def owner_of(self, db_name: str) -> str:
        """The engineer a database belongs to (from SQL, else from its name)."""
        if db_name not in self._owners:
            with self.sessions() as session:
                username = session.scalar(select(EngineerDatabase.username)
                                          .where(EngineerDatabase.db_name == db_name))
            prefix = self.settings.db_prefix + "eng-"
            self._owners[db_name] = username or db_name.removeprefix(prefix)
        return self._owners[db_name]

    def _report(self, db_name: str, outcomes: list[Outcome], seconds: float) -> None:
        metrics.BATCH_SECONDS.observe(seconds)
        tally: Counter[tuple[str, str]] = Counter()
        for o in outcomes:
            doc_type = str(o.doc.get("type", "unknown"))
            # A label holds only known types: a phone's free text (a name) stays out of /metrics.
            tally[(doc_type if doc_type in PHONE_TYPES else "other", o.status)] += 1
            log.info("event=%s db=%s doc=%s rev=%s%s", o.status, db_name, o.doc.get("_id"),
                     o.doc.get("_rev"), f" reason={o.reason!r}" if o.status == "rejected" else "")
        for (doc_type, status), n in tally.items():
            metrics.DOCUMENTS.labels(doc_type, status).inc(n)
            if status == "rejected":
                metrics.REFUSALS.labels(doc_type, "worker").inc(n)
