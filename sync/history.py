"""Earlier revisions of documents, read back from the store when their latest one is refused.

The projection keeps the rows of a document's newest accepted revision when a later one is
refused. The live worker has those rows already and copies that revision into a `_local`
document of the engineer's database (`_local` documents are never replicated to phones and
never compacted away); a rebuild reads it back, or, when the worker never saw the accepted
revision (a phone pushed both before the worker read either), finds it in the store's revision
history, which holds old bodies until the database is compacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sync.projection import rev_pos
from sync.store import DocumentStore

Doc = dict[str, Any]
KEPT_PREFIX = "fieldsync-kept:"


def _ok_docs(results: list[Doc]) -> list[Doc]:
    """The bodies a `_bulk_get` answer holds (missing or compacted revisions left out)."""
    found = []
    for result in results:
        for entry in result.get("docs", []):
            body = entry.get("ok") if isinstance(entry, dict) else None
            if isinstance(body, dict) and not body.get("_deleted"):
                found.append(body)
    return found


def revision_bodies(store: DocumentStore, db_name: str,
                    refs: Sequence[tuple[str, str]]) -> list[Doc]:
    """The bodies of these (id, rev) the store still holds."""
    bodies = _ok_docs(store.bulk_get(db_name, list(refs))) if refs else []
    for body in bodies:
        body.pop("_revisions", None)
    return bodies


def earlier_revisions(store: DocumentStore, db_name: str,
                      docs: Sequence[Doc]) -> dict[str, list[Doc]]:
    """Each document's ancestors whose bodies the store still holds, newest first.

    Two requests for the whole batch: the revision histories, then the ancestors' bodies.
    """
    if not docs:
        return {}
    current = _ok_docs(store.bulk_get(db_name, [(d["_id"], d["_rev"]) for d in docs]))
    wanted: list[tuple[str, str | None]] = []
    for doc in current:
        history = doc.get("_revisions") or {}
        start, ids = history.get("start"), history.get("ids") or []
        if isinstance(start, int):
            wanted += [(doc["_id"], f"{start - i}-{ids[i]}") for i in range(1, len(ids))]
    found: dict[str, list[Doc]] = {}
    for body in _ok_docs(store.bulk_get(db_name, wanted)) if wanted else []:
        body.pop("_revisions", None)
        found.setdefault(body["_id"], []).append(body)
    for bodies in found.values():
        bodies.sort(key=lambda b: rev_pos(str(b.get("_rev", ""))), reverse=True)
    return found


def kept_revisions(store: DocumentStore, db_name: str, doc_ids: Sequence[str]) -> dict[str, Doc]:
    """The accepted revisions the worker kept for these documents, where it kept one."""
    found = {}
    for doc_id in doc_ids:
        local = store.get_local(db_name, KEPT_PREFIX + doc_id)
        body = local.get("doc") if local else None
        if isinstance(body, dict) and body.get("_id") == doc_id:
            found[doc_id] = body
    return found


def keep_revisions(store: DocumentStore, db_name: str, bodies: Sequence[Doc]) -> None:
    """Record the accepted revision whose rows a refused one leaves in place."""
    for body in bodies:
        store.put_local(db_name, KEPT_PREFIX + str(body["_id"]), {"doc": body})
