"""Writes the `erp` part of order receipts into the engineers' databases, in bulk."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from erp_bridge.outbox import ReceiptChange
from sync.store import DocumentStore, StoreError

log = logging.getLogger("fieldsync.erp.receipts")
CONFLICT_ROUNDS = 5


class ReceiptWriter:
    """Read each receipt with its `_rev`, set `erp`, write back; re-read on 409."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store

    def write(self, changes: list[ReceiptChange]) -> list[ReceiptChange]:
        """The changes now on the phones' receipts; the rest are tried again next pass.

        A receipt the worker has not written yet is left alone: it will be there later.
        """
        by_db: dict[str, dict[str, ReceiptChange]] = defaultdict(dict)
        for change in changes:
            by_db[change.db_name]["receipt:" + change.order_id] = change
        done: list[ReceiptChange] = []
        for db, wanted in by_db.items():
            try:
                done += self._write_db(db, wanted)
            except StoreError as exc:
                log.warning("event=erp_receipts_deferred db=%s error=%s", db, exc)
        return done

    def _write_db(self, db: str, wanted: dict[str, ReceiptChange]) -> list[ReceiptChange]:
        done: list[ReceiptChange] = []
        pending = dict(wanted)
        for _ in range(CONFLICT_ROUNDS):
            docs, current = self._updated_docs(db, pending)
            done += [pending.pop(doc_id) for doc_id in current]
            results = self.store.bulk_docs(db, docs) if docs else []
            for result in results:
                doc_id = str(result.get("id", ""))
                if result.get("ok") or ("rev" in result and "error" not in result):
                    done.append(pending.pop(doc_id))
                elif result.get("error") != "conflict":
                    log.warning("event=erp_receipt_refused db=%s id=%s error=%s", db, doc_id,
                                result.get("reason") or result.get("error"))
                    pending.pop(doc_id, None)
            if not any(r.get("error") == "conflict" for r in results):
                break
        return done

    def _updated_docs(self, db: str, pending: dict[str, ReceiptChange]
                      ) -> tuple[list[dict[str, Any]], list[str]]:
        """Receipts with the new `erp` part, and the ids already showing it."""
        rows = self.store.all_docs(db, list(pending), include_docs=True)
        docs: list[dict[str, Any]] = []
        current: list[str] = []
        for row in rows:
            doc = row.get("doc")
            if not isinstance(doc, dict) or row.get("key") not in pending:
                continue
            erp = pending[row["key"]].erp
            if doc.get("erp") == erp:
                current.append(row["key"])
                continue
            docs.append({**doc, "erp": erp})
        return docs, current
