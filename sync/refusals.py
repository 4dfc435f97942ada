"""Writes the sync gateway refuses, recorded so the office sees them until fixed or discarded.

A document the gateway refuses never reaches the store, so without this record it would exist
only on the phone that wrote it. Each refusal becomes a row of `rejected_documents` with
`source = "gateway"`, listed with the worker's rejections. The row is closed when the gateway
stores a later write of the same document id: a fixed revision, or a deletion from the phone
(which is how an engineer discards a refused document).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from server.audit.actor import Actor, current_actor
from server.sql.models.base import utcnow
from server.sql.models.sync_state import RejectedDocument
from server.sql.session import transaction
from server.sql.upsert import upsert
from sync import metrics
from sync.audit_trail import AuditTrail
from sync.documents.schema import PHONE_TYPES

log = logging.getLogger(__name__)

GATEWAY = "gateway"
WORKER = "worker"
# Enough for any ordinary document; a huge one (a photo inline) keeps its identity and small
# fields, so the office still sees what was refused without SQL holding megabytes per refusal.
BODY_CAP_BYTES = 64 * 1024
IDENTITY = ("_id", "_rev", "type", "owner", "device_id", "schema_version", "updated_at")
_ID_MAX, _TYPE_MAX, _DEVICE_MAX = 160, 32, 64

Doc = dict[str, Any]


@dataclass(frozen=True)
class Refusal:
    """One refused write, as it will be recorded."""

    doc_id: str
    rev: str
    doc_type: str
    device_id: str | None
    reason: str
    body: Doc
    errors: list[Doc] = field(default_factory=list)  # {field, key, message, text} per problem


# Pure -----------------------------------------------------------------------------------------

def refusals_of(sent: Iterable[object], refused: Sequence[Doc]) -> list[Refusal]:
    """Pair each `forbidden` entry with the document it refused (the last one sent per id)."""
    reasons = {r.get("id"): str(r.get("reason", "")) for r in refused}
    errors = {r.get("id"): r.get("errors") for r in refused}
    docs: dict[str, Doc] = {}
    for doc in sent:
        if isinstance(doc, dict) and _recordable_id(doc.get("_id")) and doc["_id"] in reasons:
            docs[doc["_id"]] = doc
    return [_refusal(doc, reasons[doc_id], errors.get(doc_id)) for doc_id, doc in docs.items()]


def capped_body(doc: Doc, cap: int = BODY_CAP_BYTES) -> Doc:
    """The document as sent, without inline attachment data, and at most about `cap` bytes."""
    body = dict(doc)
    if isinstance(body.get("_attachments"), dict):
        body["_attachments"] = {name: _stub(a) for name, a in body["_attachments"].items()}
    if _size(body) <= cap:
        return body
    kept: Doc = {k: body[k] for k in IDENTITY if k in body}
    left_out: list[str] = []
    room = cap - _size(kept) - 200
    for key, value in body.items():
        if key in kept:
            continue
        size = _size({key: value})
        if size <= room:
            kept[key] = value
            room -= size
        else:
            left_out.append(str(key)[:80])
    kept["_left_out"] = left_out[:50]
    return kept


def metric_type(doc_type: str) -> str:
    """A label holds only known types, so a phone's free text never reaches /metrics."""
    return doc_type if doc_type in PHONE_TYPES else "other"


def _engineer(owner: str, device_id: str | None) -> Actor:
    """The engineer whose push was refused, from the address of this request and the device
    the document names."""
    acting = current_actor()
    address = acting.address if acting.username == owner else ""
    return Actor(owner, acting.role if acting.username == owner else "engineer", address,
                 device_id or "")


def _refusal(doc: Doc, reason: str, errors: object = None) -> Refusal:
    doc_type, device, rev = doc.get("type"), doc.get("device_id"), doc.get("_rev")
    return Refusal(
        doc_id=doc["_id"], rev=rev[:80] if isinstance(rev, str) else "",
        doc_type=doc_type[:_TYPE_MAX] if isinstance(doc_type, str) else doc["_id"].split(":")[0][
            :_TYPE_MAX],
        device_id=device[:_DEVICE_MAX] if isinstance(device, str) else None,
        reason=reason, body=capped_body(doc),
        errors=[e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else [])


def _recordable_id(doc_id: object) -> bool:
    return (isinstance(doc_id, str) and 0 < len(doc_id) <= _ID_MAX
            and not doc_id.startswith(("_design/", "_local/")))


def _stub(attachment: object) -> object:
    if not isinstance(attachment, dict):
        return attachment
    stub = {k: v for k, v in attachment.items() if k != "data"}
    if "data" in attachment:
        stub["data_left_out"] = True
    return stub


def _size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str).encode())


# Use case -------------------------------------------------------------------------------------

@dataclass
class RefusalLog:
    """Records the gateway's refusals and closes them when a later write is stored."""

    sessions: sessionmaker[Session]
    audit: AuditTrail  # the trail each refusal is recorded in, in the engineer's name
    clock: Callable[[], datetime] = utcnow

    def settle(self, db_name: str, owner: str, sent: Iterable[object],
               refused: Sequence[Doc], stored_ids: Iterable[str]) -> None:
        """Record this push's refusals and close those of documents now stored.

        Never raises: a phone's push is answered the same whether or not this succeeds.
        """
        refusals = refusals_of(sent, refused)
        stored = set(stored_ids) - {r.doc_id for r in refusals}
        for r in refusals:
            metrics.REFUSALS.labels(metric_type(r.doc_type), GATEWAY).inc()
        try:
            self._record(db_name, owner, refusals)
            self._close(db_name, stored)
        except Exception:  # recording must never fail the phone's push
            log.exception("event=refusal_not_recorded db=%s docs=%s", db_name,
                          [r.doc_id for r in refusals])

    def _record(self, db_name: str, owner: str, refusals: list[Refusal]) -> None:
        if not refusals:
            return
        now = self.clock()
        rows: list[Doc] = [
            {"db_name": db_name, "doc_id": r.doc_id, "rev": r.rev, "doc_type": r.doc_type,
             "owner": owner[:64], "reason": r.reason, "errors": r.errors, "body": r.body,
             "rejected_at": now, "source": GATEWAY, "device_id": r.device_id}
            for r in refusals]
        with transaction(self.sessions) as session:
            upsert(session, RejectedDocument, rows, ("db_name", "doc_id"))
            for r in refusals:
                self.audit(session, "document.refused", r.doc_type, r.doc_id,
                           actor=_engineer(owner, r.device_id),
                           after={"rev": r.rev, "reason": r.reason, "db_name": db_name,
                                  "source": GATEWAY})
        for r in refusals:
            log.info("event=refused_at_gateway db=%s doc=%s rev=%s reason=%r", db_name,
                     r.doc_id, r.rev, r.reason)

    def _close(self, db_name: str, doc_ids: set[str]) -> None:
        if not doc_ids:
            return
        t = RejectedDocument
        where = (t.db_name == db_name, t.source == GATEWAY, t.doc_id.in_(sorted(doc_ids)))
        # Read first: most pushes close nothing, and a read takes no write lock on SQLite.
        with self.sessions() as session:
            open_ids = list(session.scalars(select(t.doc_id).where(*where)))
        if not open_ids:
            return
        with transaction(self.sessions) as session:
            session.execute(delete(t).where(*where[:2], t.doc_id.in_(open_ids)))
        log.info("event=refusal_closed db=%s docs=%s", db_name, open_ids)
