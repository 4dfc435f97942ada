"""Earlier revisions of documents, read back from the store when their latest one is refused.

The projection keeps the rows of a document's newest accepted revision when a later one is
refused. The live worker has those rows already; a rebuild (or a worker that meets the refused
revision first) finds that revision here, in the store's revision history, and judges it
through the same batch processor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sync.projection import rev_pos
from sync.store import DocumentStore

Doc = dict[str, Any]


def _ok_docs(results: list[Doc]) -> list[Doc]:
    """The bodies a `_bulk_get` answer holds (missing or compacted revisions left out)."""
    found = []
    for result in results:
        for entry in result.get("docs", []):
            body = entry.get("ok") if isinstance(entry, dict) else None
            if isinstance(body, dict) and not body.get("_deleted"):
                found.append(body)
    return found


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
