"""Connects the worker to the conflict engine: settle conflicted documents, say so in receipts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from conflict.service import ConflictService
from server.sql.models.conflicts import Conflict, ConflictResolution
from server.sql.models.sync_state import DocumentStatus
from sync.store import ChangesPage, TransientStoreError

log = logging.getLogger("fieldsync.worker")


def conflicted_ids(page: ChangesPage) -> list[str]:
    """Documents with more than one leaf revision (deleted leaves included, unlike _conflicts)."""
    return [str(c["id"]) for c in page.results
            if len(c.get("changes", [])) > 1 or c.get("doc", {}).get("_conflicts")]


def resolution_revisions(session: Session, db_name: str,
                         keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (doc id, rev) pairs among `keys` that a conflict resolution wrote."""
    if not keys:
        return set()
    found = session.execute(
        select(Conflict.doc_id, ConflictResolution.resulting_rev)
        .join(Conflict, Conflict.id == ConflictResolution.conflict_id)
        .where(Conflict.db_name == db_name,
               tuple_(Conflict.doc_id, ConflictResolution.resulting_rev).in_(list(keys))))
    return {(str(doc_id), str(rev)) for doc_id, rev in found}


class ConflictHook:
    """Runs after a batch commits (the engine writes to the store, never inside a transaction)."""

    def __init__(self, service: ConflictService, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.service = service  # built by the composition root (Services.conflicts)

    def settle(self, db_name: str, doc_ids: Sequence[str]) -> None:
        for doc_id in doc_ids:
            try:
                outcome = self.service.handle(db_name, doc_id)
            except TransientStoreError:
                raise
            except Exception:  # one bad conflict must not stop the worker; it stays flagged
                log.exception("event=conflict_failed db=%s doc=%s", db_name, doc_id)
                continue
            if outcome.status != "clean":
                log.info("event=conflict_%s db=%s doc=%s note=%r", outcome.status, db_name,
                         doc_id, outcome.description)

    def unsettled(self, db_name: str) -> list[str]:
        """Documents still flagged in conflict (after a crash, or waiting in the queue)."""
        with self.sessions() as session:
            return list(session.scalars(select(DocumentStatus.doc_id).where(
                DocumentStatus.db_name == db_name, DocumentStatus.in_conflict)))

    @staticmethod
    def receipt_overrides(session: Session,
                          rows: Sequence[DocumentStatus]) -> dict[str, dict[str, Any]]:
        """Revisions written by a conflict resolution get a `merged` receipt saying how."""
        if not rows:
            return {}
        keys = [(r.doc_id, r.rev) for r in rows]
        found = session.execute(
            select(Conflict.doc_id, ConflictResolution.resulting_rev, ConflictResolution.summary)
            .join(Conflict, Conflict.id == ConflictResolution.conflict_id)
            .where(Conflict.db_name == rows[0].db_name,
                   tuple_(Conflict.doc_id, ConflictResolution.resulting_rev).in_(keys)))
        # Automatic merges are summarised as `merged: took ...` already; admins' choices not.
        return {doc_id: {"status": "merged", "reason": summary if summary.startswith("merged")
                         else f"merged: {summary}"}
                for doc_id, _rev, summary in found}
