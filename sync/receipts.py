"""Receipts: the server's verdict on a document, written back into the engineer's database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RECEIPT_PREFIX = "receipt:"
# Documents the worker never materialises: its own receipts, heads' decisions, design docs.
SERVER_ID_PREFIXES = (RECEIPT_PREFIX, "decision:", "_design/", "_local/")


def is_server_document(doc_id: str) -> bool:
    return doc_id.startswith(SERVER_ID_PREFIXES)


def receipt_id(doc_id: str) -> str:
    return RECEIPT_PREFIX + doc_id


@dataclass(frozen=True)
class ReceiptContent:
    """What a receipt says; `erp` is filled for orders by the ERP bridge."""

    doc_id: str
    doc_rev: str
    status: str
    reason: str
    processed_at: datetime
    errors: list[dict[str, Any]] = field(default_factory=list)
    erp: dict[str, Any] | None = None

    def to_doc(self, current_rev: str | None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "_id": receipt_id(self.doc_id),
            "type": "receipt",
            "doc_id": self.doc_id,
            "doc_rev": self.doc_rev,
            "status": self.status,
            "reason": self.reason,
            "errors": self.errors,
            "processed_at": self.processed_at.isoformat(),
        }
        if self.erp is not None:
            doc["erp"] = self.erp
        if current_rev:
            doc["_rev"] = current_rev
        return doc
