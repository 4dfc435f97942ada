"""The worker's side of what is frozen: it archives signed offers, accepted approvals and
orders in SQL, undoes a change of one that reached the store past the gateway, and keeps the
history of the fields of an accepted order that may still change.

The gateway refuses such changes from phones (sync/gateway/writes.py); this is for what gets in
anyway: an older app's path, replication into the store from elsewhere, an admin's edit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.sql.models.archive import FrozenDocument, OrderChange
from server.sql.models.base import utcnow
from server.sql.models.documents import Offer
from server.sql.models.sync_state import RejectedDocument
from sync.documents.frozen import (
    Frozen,
    doc_type,
    is_deletion,
    order_changes,
    problem,
    seal,
    undone,
)
from sync.frozen_lookup import frozen_in
from sync.projection import rev_pos
from sync.refusals import capped_body
from sync.sql_projection import Outcome
from sync.store import DocumentStore, TerminalStoreError

log = logging.getLogger("fieldsync.worker")

FROZEN = "frozen"  # rejected_documents.source of a change undone by the worker
RESTORED_NOTE = ("Put back by the server: a change of this archived document was written past "
                 "the sync gateway and undone; the office sees the attempt")
Doc = dict[str, Any]


def _plain(doc: Doc) -> Doc:
    """The body to keep: without the feed's revision bookkeeping."""
    return {k: v for k, v in doc.items() if k not in ("_rev", "_conflicts", "_revisions",
                                                      "_deleted_conflicts")}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class Archive:
    """Judges writes of frozen documents and keeps the archive, inside the batch's transaction."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store

    def lookup(self, session: Session, db_name: str, docs: Sequence[Doc]) -> dict[str, Frozen]:
        return frozen_in(session, db_name, [d.get("_id") for d in docs])

    @staticmethod
    def judge(doc: Doc, owner: str, frozen: Frozen | None) -> Outcome | None:
        """A refusal to undo, for a write that changes or deletes a frozen document."""
        if frozen is None:
            return None
        reason = problem(doc, frozen)
        if reason is None:
            return None
        if doc.get("_rev") == frozen.restored_rev:
            # The server's own write back: never undone again, or a seal that reads differently
            # from the store than from the archive would have the worker write forever.
            log.error("event=restored_revision_differs doc=%s rev=%s", doc.get("_id"),
                      doc.get("_rev"))
            return None
        field = "_deleted" if is_deletion(doc) else "_id"
        return Outcome(doc={**doc, "owner": doc.get("owner") or owner}, status="rejected",
                       reason=undone(reason), errors=[{"field": field, "message": reason}],
                       reverted=True)

    @staticmethod
    def note(outcome: Outcome, frozen: Frozen | None) -> None:
        """The revision the server wrote back says so on its receipt."""
        if frozen is not None and outcome.status == "accepted" and \
                frozen.restored_rev == outcome.rev and not outcome.reason:
            outcome.reason = RESTORED_NOTE

    def record(self, session: Session, db_name: str, outcomes: Sequence[Outcome]) -> None:
        """Undo what was reverted, then archive what was accepted (after the rows are applied)."""
        for outcome in outcomes:
            if outcome.reverted:
                self._restore(session, db_name, outcome)
        accepted = [o for o in outcomes if o.status == "accepted" and not o.deleted
                    and doc_type(o.doc) in ("offer", "approval", "order")]
        if accepted:
            self._archive(session, db_name, accepted)

    # Undoing ----------------------------------------------------------------------------------

    def _restore(self, session: Session, db_name: str, outcome: Outcome) -> None:
        row = session.get(FrozenDocument, (db_name, outcome.doc_id))
        if row is None:
            return
        try:
            written = self.store.put_doc(db_name, {**row.body, "_rev": outcome.rev})
        except TerminalStoreError as exc:
            if exc.status != 409:
                raise
            # A later revision arrived meanwhile: the feed brings it, and it is judged then.
            log.warning("event=restore_superseded db=%s doc=%s", db_name, outcome.doc_id)
            return
        row.restored_rev = str(written.get("rev"))
        self._record_attempt(session, db_name, outcome)
        log.warning("event=frozen_change_undone db=%s doc=%s rev=%s restored_rev=%s",
                    db_name, outcome.doc_id, outcome.rev, row.restored_rev)

    @staticmethod
    def _record_attempt(session: Session, db_name: str, outcome: Outcome) -> None:
        device = outcome.doc.get("device_id")
        row = {"db_name": db_name, "doc_id": outcome.doc_id, "rev": outcome.rev[:80],
               "doc_type": outcome.doc_type, "owner": str(outcome.doc.get("owner", ""))[:64],
               "reason": outcome.reason, "errors": list(outcome.errors),
               "body": capped_body(outcome.doc), "rejected_at": utcnow(), "source": FROZEN,
               "device_id": device[:64] if isinstance(device, str) else None}
        stmt = _insert(session, RejectedDocument).values(row)
        session.execute(stmt.on_conflict_do_update(
            index_elements=["db_name", "doc_id"],
            set_={k: stmt.excluded[k] for k in row if k not in ("db_name", "doc_id")}))

    # Archiving --------------------------------------------------------------------------------

    def _archive(self, session: Session, db_name: str, accepted: list[Outcome]) -> None:
        docs = {o.doc_id: o.doc for o in accepted}
        held = {r.doc_id: r for r in session.scalars(select(FrozenDocument).where(
            FrozenDocument.db_name == db_name, FrozenDocument.doc_id.in_(sorted(docs))))}
        approvals = [d for d in docs.values() if doc_type(d) == "approval"]
        offers = {str(a["offer_id"]): a for a in approvals}  # offer id -> approval signing it
        offers.update({i: _signer(held[i]) for i, d in docs.items()
                       if doc_type(d) == "offer" and i in held and i not in offers})
        wanted = approvals + [self._offer_body(session, db_name, i, docs) for i in offers]
        for doc in wanted:
            if doc is None:
                continue
            signer = doc if doc_type(doc) == "approval" else offers.get(str(doc["_id"]))
            if signer is not None:
                self._freeze(session, db_name, self._with_attachments(db_name, doc), signer)
        for order in (d for d in docs.values() if doc_type(d) == "order"):
            signer = _approval_of(session, db_name, str(order["approval_id"]), docs)
            if signer is not None:
                self._history(session, held.get(str(order["_id"])), order)
                self._freeze(session, db_name, order, signer)

    def _offer_body(self, session: Session, db_name: str, offer_id: str,
                    docs: dict[str, Doc]) -> Doc | None:
        """The signed offer as last accepted: from this batch, else the store at SQL's rev."""
        if offer_id in docs:
            return docs[offer_id]
        rev = session.scalar(select(Offer.rev).where(Offer.doc_id == offer_id,
                                                     Offer.db_name == db_name))
        return self.store.get_doc(db_name, offer_id, rev=rev) if rev else None

    def _with_attachments(self, db_name: str, doc: Doc) -> Doc:
        """An approval's signature image is archived with it: a deletion must not lose it."""
        if not isinstance(doc.get("_attachments"), dict):
            return doc
        return self.store.get_doc(db_name, str(doc["_id"]), rev=doc["_rev"], attachments=True)

    @staticmethod
    def _freeze(session: Session, db_name: str, doc: Doc, signer: Doc) -> None:
        row = {"db_name": db_name, "doc_id": str(doc["_id"]), "doc_type": doc_type(doc),
               "owner": str(doc.get("owner", ""))[:64], "seal": seal(doc),
               "status": str(doc.get("status", ""))[:16] if doc_type(doc) == "offer" else "",
               "approval_id": str(signer["_id"]), "signed_by": str(signer["signed_by"])[:200],
               "signed_at": str(signer["signed_at"])[:40], "rev": str(doc["_rev"]),
               "body": _plain(doc), "frozen_at": utcnow()}
        stmt = _insert(session, FrozenDocument).values(row)
        session.execute(stmt.on_conflict_do_update(
            index_elements=["db_name", "doc_id"],
            set_={k: stmt.excluded[k] for k in ("seal", "status", "rev", "body")}))

    @staticmethod
    def _history(session: Session, held: FrozenDocument | None, order: Doc) -> None:
        """Changes of the PO number, delivery date and notes since the last accepted revision."""
        if held is None or held.rev == order["_rev"]:
            return
        device, now = order.get("device_id"), utcnow()
        rows = [{"order_id": str(order["_id"]), "rev": str(order["_rev"]), "field": key,
                 "rev_pos": rev_pos(str(order["_rev"])), "before": _text(before),
                 "after": _text(after), "changed_by": str(order.get("owner", ""))[:64],
                 "device_id": device[:64] if isinstance(device, str) else None,
                 "changed_at": now}
                for key, before, after in order_changes(held.body, order)]
        if rows:  # delivered at least once: the same revision is recorded once
            session.execute(_insert(session, OrderChange).values(rows).on_conflict_do_nothing())


def _signer(row: FrozenDocument) -> Doc:
    """The approval an already frozen document rests on, as the archive names its signer."""
    return {"_id": row.approval_id, "signed_by": row.signed_by, "signed_at": row.signed_at}


def _approval_of(session: Session, db_name: str, approval_id: str,
                 docs: dict[str, Doc]) -> Doc | None:
    if approval_id in docs:
        return docs[approval_id]
    row = session.get(FrozenDocument, (db_name, approval_id))
    return None if row is None else _signer(row) | {"_id": row.doc_id}


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
