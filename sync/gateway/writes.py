"""Screening the documents a phone writes before any reaches the store (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sync.gateway.errors import GatewayError
from sync.gateway.routing import check_doc_id

Doc = dict[str, Any]
# Types a phone may delete; receipts and decisions belong to the server.
PHONE_TYPES = frozenset({"offer", "approval", "order", "lead", "visit", "expense", "todo",
                         "track"})


class VerdictLike(Protocol):
    """The structural validators' answer."""

    @property
    def ok(self) -> bool: ...
    @property
    def reason(self) -> str: ...


# check(doc, owner, max_bytes): the same structural validators the worker runs.
StructureCheck = Callable[[Doc, str, int], VerdictLike]


@dataclass
class Screened:
    """The documents to store, and a `forbidden` entry for each refused one."""

    accepted: list[Doc] = field(default_factory=list)
    refused: list[Doc] = field(default_factory=list)


def screen(docs: object, *, owner: str, max_bytes: int, check: StructureCheck,
           max_attachment_bytes: int | None = None) -> Screened:
    """Split a `_bulk_docs` list into storable documents and per-document refusals."""
    result = Screened()
    if not isinstance(docs, list):
        return result
    for doc in docs:
        reason = refusal(doc, owner=owner, max_bytes=max_bytes, check=check,
                         max_attachment_bytes=max_attachment_bytes)
        if reason is None:
            result.accepted.append(doc)
        else:
            doc_id = doc.get("_id") if isinstance(doc, dict) else None
            result.refused.append({"id": doc_id if isinstance(doc_id, str) else "",
                                   "error": "forbidden", "reason": reason})
    return result


def refusal(doc: object, *, owner: str, max_bytes: int, check: StructureCheck,
            max_attachment_bytes: int | None = None) -> str | None:
    """Why this document may not be stored, or None when it may."""
    if not isinstance(doc, dict):
        return "each document must be a JSON object"
    try:
        doc_id = check_doc_id(doc.get("_id"))
    except GatewayError as exc:
        return exc.reason
    if _is_tombstone(doc):
        kind = doc_id.split(":", 1)[0]
        if kind not in PHONE_TYPES:
            return f"a {kind!r} document cannot be deleted from a phone"
        return None
    too_big = oversized_attachment(doc, max_attachment_bytes)
    if too_big:
        return too_big
    verdict = check(doc, owner, max_bytes)
    return None if verdict.ok else (verdict.reason or "the document is not valid")


def oversized_attachment(doc: Doc, limit: int | None) -> str | None:
    """Why an inline attachment is too large to store, or None. Refused per document, so one
    photo straight off a camera never stops the rest of a push."""
    attachments = doc.get("_attachments")
    if limit is None or not isinstance(attachments, dict):
        return None
    for name, att in attachments.items():
        data = att.get("data") if isinstance(att, dict) else None
        if not isinstance(data, str):
            continue  # a stub names an attachment the store already holds
        size = len(data) * 3 // 4 - data[-2:].count("=")
        if size > limit:
            return (f"the attachment {name} is {size / 1e6:.1f} MB; the limit is "
                    f"{limit / 1e6:.1f} MB: attach a smaller photo")
    return None


def _is_tombstone(doc: Doc) -> bool:
    # A deletion carries only CouchDB's own fields; one with a body is validated like any doc.
    return doc.get("_deleted") is True and all(k.startswith("_") for k in doc)
