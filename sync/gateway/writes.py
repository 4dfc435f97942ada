"""Screening the documents a phone writes before any reaches the store (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sync.documents.catalogue import as_entry
from sync.documents.frozen import Frozen, problem
from sync.documents.schema import PHONE_TYPES
from sync.gateway.errors import GatewayError
from sync.gateway.routing import check_doc_id

Doc = dict[str, Any]


class VerdictLike(Protocol):
    """The structural validators' answer."""

    @property
    def ok(self) -> bool: ...
    @property
    def reason(self) -> str: ...


# check(doc, owner, measure_size): the same structural validators the worker runs, with the
# one size rule (sync/documents/size.py) applied when measure_size is true.
StructureCheck = Callable[[Doc, str, bool], VerdictLike]


class FrozenLookup(Protocol):
    """Which of these documents of one database are frozen (sync/frozen_lookup.py)."""

    def lookup(self, db_name: str, doc_ids: Iterable[object]) -> Mapping[str, Frozen]: ...


@dataclass
class Screened:
    """The documents to store, and a `forbidden` entry for each refused one."""

    accepted: list[Doc] = field(default_factory=list)
    refused: list[Doc] = field(default_factory=list)


def screen(docs: object, *, owner: str, measure_size: bool, check: StructureCheck
           ) -> Screened:
    """Split a `_bulk_docs` list into storable documents and per-document refusals."""
    result = Screened()
    if not isinstance(docs, list):
        return result
    for doc in docs:
        reason, errors = _refusal(doc, owner=owner, measure_size=measure_size, check=check)
        if reason is None:
            result.accepted.append(doc)
        else:
            doc_id = doc.get("_id") if isinstance(doc, dict) else None
            entry: Doc = {"id": doc_id if isinstance(doc_id, str) else "", "error": "forbidden",
                     "reason": reason}
            if errors:  # each problem with its message key, field and text for people
                entry["errors"] = errors
            result.refused.append(entry)
    return result


def refusal(doc: object, *, owner: str, measure_size: bool, check: StructureCheck
            ) -> str | None:
    """Why this document may not be stored, or None when it may."""
    return _refusal(doc, owner=owner, measure_size=measure_size, check=check)[0]


def _refusal(doc: object, *, owner: str, measure_size: bool, check: StructureCheck
             ) -> tuple[str | None, list[dict[str, Any]]]:
    if not isinstance(doc, dict):
        return "each document must be a JSON object", []
    try:
        doc_id = check_doc_id(doc.get("_id"))
    except GatewayError as exc:
        return exc.reason, []
    if _is_tombstone(doc):
        kind = doc_id.split(":", 1)[0]
        if kind not in PHONE_TYPES:
            return f"a {kind!r} document cannot be deleted from a phone", []
        return None, []
    verdict = check(doc, owner, measure_size)
    if verdict.ok:
        return None, []
    problems = getattr(verdict, "problems", ())
    return verdict.reason or "the document is not valid", [as_entry(p) for p in problems]


def _is_tombstone(doc: Doc) -> bool:
    # A deletion carries only CouchDB's own fields; one with a body is validated like any doc.
    return doc.get("_deleted") is True and all(k.startswith("_") for k in doc)


def screen_frozen(screened: Screened, frozen: Mapping[str, Frozen]) -> Screened:
    """Move to the refusals every write that changes or deletes what is frozen."""
    if not frozen:
        return screened
    result = Screened(refused=list(screened.refused))
    for doc in screened.accepted:
        held = frozen.get(doc["_id"])
        reason = problem(doc, held) if held is not None else None
        if reason is None:
            result.accepted.append(doc)
        else:
            result.refused.append({"id": doc["_id"], "error": "forbidden", "reason": reason})
    return result
