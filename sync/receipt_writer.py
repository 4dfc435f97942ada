"""Writes pending receipts back into an engineer's database in bulk and records their revisions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.sync_state import DocumentStatus
from server.sql.session import transaction
from sync import metrics
from sync.receipts import ReceiptContent, receipt_id
from sync.store import DocumentStore

# Receipt fields to override per document id: `erp` from the ERP bridge, `status`/`reason`
# for revisions a conflict resolution wrote.
ReceiptEnricher = Callable[[Session, Sequence[DocumentStatus]], dict[str, dict[str, Any]]]


def _same(doc: dict[str, Any], stored: dict[str, Any] | None) -> bool:
    return bool(stored) and {k: v for k, v in doc.items() if k != "_rev"} == {
        k: v for k, v in (stored or {}).items() if k != "_rev"}


class ReceiptError(RuntimeError):
    """The store refused a receipt for a reason other than a stale revision."""


class ReceiptWriter:
    """Receipts follow the SQL commit; `receipt_pending` makes them survive a crash."""

    def __init__(self, store: DocumentStore, sessions: sessionmaker[Session],
                 batch_size: int = 1000) -> None:
        self.store = store
        self.sessions = sessions
        self.batch_size = batch_size
        self.enrichers: list[ReceiptEnricher] = []

    def flush(self, db_name: str) -> int:
        written = 0
        while True:
            rows, extras = self._pending(db_name)
            if not rows:
                return written
            revs = self._write(db_name, rows, extras)
            self._mark_written(db_name, rows, revs)
            written += len(rows)
            metrics.RECEIPTS.inc(len(rows))
            if len(rows) < self.batch_size:
                return written

    def _pending(self, db_name: str) -> tuple[list[DocumentStatus], dict[str, dict[str, Any]]]:
        with self.sessions() as session:
            rows = list(session.scalars(
                select(DocumentStatus)
                .where(DocumentStatus.db_name == db_name, DocumentStatus.receipt_pending)
                .limit(self.batch_size)))
            extras = self._enrich(session, rows)
            session.expunge_all()
        return rows, extras

    def _enrich(self, session: Session,
                rows: Sequence[DocumentStatus]) -> dict[str, dict[str, Any]]:
        extras: dict[str, dict[str, Any]] = {}
        for enrich in self.enrichers:
            for doc_id, fields in enrich(session, rows).items():
                extras.setdefault(doc_id, {}).update(fields)
        return extras

    def _write(self, db_name: str, rows: list[DocumentStatus],
               extras: dict[str, dict[str, Any]]) -> dict[str, str]:
        docs = {r.doc_id: self._content(r, extras.get(r.doc_id)) for r in rows}
        revs = {r.doc_id: r.receipt_rev for r in rows}
        result = self.store.bulk_docs(
            db_name, [docs[d].to_doc(revs[d]) for d in docs])
        written, stale = self._sort_results(result)
        if stale:  # someone else wrote the receipt (the ERP bridge, a crash): read and retry
            found = {row["key"]: row.get("doc") or {} for row in self.store.all_docs(
                db_name, [receipt_id(d) for d in stale], include_docs=True)}
            current = {key: doc.get("_rev") for key, doc in found.items()}
            stale_rows = [r for r in rows if r.doc_id in set(stale)]
            with self.sessions() as session:  # the other writer may have changed `erp`
                fresh = self._enrich(session, stale_rows)
            retry = []
            for r in stale_rows:
                key = receipt_id(r.doc_id)
                doc = self._content(r, fresh.get(r.doc_id)).to_doc(current.get(key))
                if _same(doc, found.get(key)):
                    # Already there as we would write it (another worker flushed it while this
                    # one was paused): writing again would only add a revision.
                    written[r.doc_id] = str(doc["_rev"])
                else:
                    retry.append(doc)
            again, still = self._sort_results(self.store.bulk_docs(db_name, retry))
            written.update(again)
            if still:
                raise ReceiptError(f"receipts for {sorted(still)[:3]} keep conflicting")
        return written

    @staticmethod
    def _content(row: DocumentStatus, extra: dict[str, Any] | None) -> ReceiptContent:
        extra = extra or {}
        status = "deleted" if row.deleted else ("conflict" if row.in_conflict
                                                and row.status == "accepted" else row.status)
        if row.status == "accepted" and "status" in extra:
            status = extra["status"]
        reason = extra.get("reason", row.reason) if row.status == "accepted" else row.reason
        if status == "conflict" and not reason:
            reason = ("edited on two devices; an admin will settle the differences, "
                      "your entries are kept")
        return ReceiptContent(doc_id=row.doc_id, doc_rev=row.rev, status=status,
                              reason=reason, errors=list(row.errors or []),
                              processed_at=row.processed_at, erp=extra.get("erp"))

    @staticmethod
    def _sort_results(result: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
        written: dict[str, str] = {}
        stale: list[str] = []
        for item in result:
            doc_id = str(item.get("id", "")).removeprefix("receipt:")
            if item.get("ok") or ("rev" in item and "error" not in item):
                written[doc_id] = item["rev"]
            elif item.get("error") == "conflict":
                stale.append(doc_id)
            else:
                raise ReceiptError(f"receipt for {doc_id} refused by the store: {item}")
        return written, stale

    def _mark_written(self, db_name: str, rows: list[DocumentStatus],
                      revs: dict[str, str]) -> None:
        # Only where no newer revision of the document was judged meanwhile.
        stmt = update(DocumentStatus).where(and_(
            DocumentStatus.db_name == db_name, DocumentStatus.doc_id == bindparam("b_id"),
            DocumentStatus.rev == bindparam("b_rev"))).values(
            receipt_pending=False, receipt_rev=bindparam("b_receipt"))
        params = [{"b_id": r.doc_id, "b_rev": r.rev, "b_receipt": revs.get(r.doc_id)}
                  for r in rows]
        with transaction(self.sessions) as session:
            session.connection().execute(stmt, params)
