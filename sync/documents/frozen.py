"""What is frozen once a customer signs: the seals of signed offers, their approvals and the
orders resting on them, and why a write that breaks one is refused (pure).

A signed offer keeps what the customer signed (customer, validity, supply, lines, totals);
its notes and status may still change, but it never goes back to draft or presented. An
accepted approval and an accepted order can never be deleted; an order's PO number, delivery
date and notes may still change, nothing else of it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sync.documents.canonical import business_key, offer_hash

Doc = dict[str, Any]
FROZEN_TYPES = frozenset({"offer", "approval", "order"})
# The fields of an accepted order a phone may still change; each change is kept in its history.
ORDER_FREE_FIELDS = ("po_number", "delivery_date", "notes")
UNSIGNED_STATUSES = ("draft", "presented")
_APPROVAL_FIELDS = ("offer_id", "offer_hash", "signed_by", "signed_at", "signature", "loc")


@dataclass(frozen=True)
class Frozen:
    """One frozen document as the server archived it."""

    doc_id: str
    doc_type: str  # offer | approval | order
    seal: str  # the hash of what may no longer change (see `seal`)
    signed_by: str  # the customer's signatory on the approval it rests on
    signed_at: str  # when they signed, as the phone wrote it
    status: str = ""  # an offer's status when archived
    restored_rev: str | None = None  # the revision the server wrote to undo a change


def doc_type(doc: Doc) -> str:
    """The document's type, from its id when it is a deletion (which carries no body)."""
    declared = doc.get("type")
    if isinstance(declared, str):
        return declared
    doc_id = doc.get("_id")
    return doc_id.partition(":")[0] if isinstance(doc_id, str) else ""


def is_deletion(doc: Doc) -> bool:
    return doc.get("_deleted") is True


def _digest(attachment: Any) -> str:
    """CouchDB's digest of an attachment, whether sent as a stub or with its data."""
    if not isinstance(attachment, dict):
        return ""
    if isinstance(attachment.get("digest"), str) and "data" not in attachment:
        return str(attachment["digest"])
    data = attachment.get("data")
    if not isinstance(data, str):
        return ""
    raw = base64.b64decode(data.encode(), validate=False)
    # CouchDB's and PouchDB's own digest of attachment bytes, compared, never trusted as a seal.
    return "md5-" + base64.b64encode(hashlib.md5(raw).digest()).decode()


def _sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(doc: Doc) -> str:
    """The hash of what may no longer change once the document is frozen; "" if unreadable.

    An offer's is the hash the customer signed (sync/documents/canonical.py); an order's binds
    its offer, approval and business key (customer, supply, lines, totals); an approval's binds
    all it records, the signature image included.
    """
    try:
        kind = doc_type(doc)
        if kind == "offer":
            return offer_hash(doc)
        if kind == "order":
            return _sha(f"order|{doc['offer_id']}|{doc['approval_id']}|{business_key(doc)}")
        if kind == "approval":
            attachments = doc.get("_attachments")
            digests = {name: _digest(a) for name, a in attachments.items()} \
                if isinstance(attachments, dict) else {}
            signed = {key: doc.get(key) for key in _APPROVAL_FIELDS}
            return _sha("approval|" + json.dumps([signed, digests], sort_keys=True))
    except (KeyError, TypeError, ValueError, AttributeError):
        return ""
    return ""


def signed_day(signed_at: str) -> str:
    """ "29 Nov 2026" from the moment a phone wrote, in the phone's own offset."""
    try:
        day: date = datetime.fromisoformat(signed_at).date()
    except ValueError:
        return signed_at
    return f"{day.day} {day:%b %Y}"


def problem(doc: Doc, frozen: Frozen) -> str | None:
    """Why this write of a frozen document may not be kept, or None when it may."""
    signed = f"signed on {signed_day(frozen.signed_at)} by {frozen.signed_by}"
    kind = frozen.doc_type
    if is_deletion(doc):
        return _DELETED[kind].format(signed=signed)
    if seal(doc) != frozen.seal:
        return _CHANGED[kind].format(signed=signed)
    status = doc.get("status")
    if kind == "offer" and status in UNSIGNED_STATUSES and status != frozen.status:
        return (f'{signed}: a signed offer cannot go back to "{status}"; make a revision '
                "(a new offer that supersedes this one) to offer other terms")
    return None


_DELETED = {
    "offer": "{signed}: a signed offer is kept as signed and cannot be deleted; make a "
             "revision (a new offer that supersedes this one) to offer other terms",
    "approval": "the customer's approval, {signed}, is archived and cannot be deleted; to undo "
                "a sale, ask your sales head to cancel the order",
    "order": "an accepted order is archived and cannot be deleted (it rests on the customer's "
             "approval {signed}); ask for its cancellation with a reason instead",
}
_CHANGED = {
    "offer": "{signed}: make a revision (a new offer that supersedes this one) to change its "
             "customer, validity, lines, prices, discounts, taxes or totals; only notes and "
             "status may change on a signed offer",
    "approval": "the customer's approval, {signed}, is archived and cannot change; capture a "
                "new approval on a revision of the offer instead",
    "order": "an accepted order keeps the customer, lines, prices, discounts, taxes and totals "
             "{signed}; only its PO number, delivery date and notes may change (ask for a "
             "cancellation to undo it)",
}


def undone(reason: str) -> str:
    """The reason recorded for a change that reached the store past the gateway."""
    return (f"Written past the sync gateway and undone: the server put back the archived "
            f"version. {reason[0].upper()}{reason[1:]}")


def order_changes(before: Doc, after: Doc) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each free field of an accepted order that changed."""
    return [(key, before.get(key), after.get(key)) for key in ORDER_FREE_FIELDS
            if before.get(key) != after.get(key)]
