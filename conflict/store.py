"""Reading a document's revision tree and writing resolutions, over the CouchDB protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from conflict.ancestry import common_ancestor, open_leaves
from conflict.engine import ConflictSet
from conflict.values import Doc
from sync.store import DocumentStore, NotFoundError


class RevisionStore(Protocol):
    """What the conflict engine needs from the document store."""

    def leaves(self, db: str, doc_id: str) -> list[Doc]: ...
    def revision(self, db: str, doc_id: str, rev: str) -> Doc | None: ...
    def write(self, db: str, docs: Sequence[Doc]) -> list[Doc]: ...


class CouchRevisionStore:
    """CouchDB 3, Cloudant or the embedded PouchDB Server, through the shared CouchStore."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store

    def leaves(self, db: str, doc_id: str) -> list[Doc]:
        """Every leaf revision, deleted ones included, each with `_revisions`."""
        return self.store.open_revs(db, doc_id)

    def revision(self, db: str, doc_id: str, rev: str) -> Doc | None:
        """An old revision's body, or None when compaction removed it."""
        try:
            return self.store.get_doc(db, doc_id, rev=rev)
        except NotFoundError:
            return None

    def write(self, db: str, docs: Sequence[Doc]) -> list[Doc]:
        return self.store.bulk_docs(db, docs)


def read_conflict(store: RevisionStore, db: str, doc_id: str) -> ConflictSet | None:
    """The document's open conflict with each loser's common ancestor, or None if it has none."""
    found = open_leaves(store.leaves(db, doc_id))
    if found is None:
        return None
    winner, losers = found
    ancestors: dict[str, Doc | None] = {}
    cache: dict[str, Doc | None] = {}
    for loser in losers:
        rev = common_ancestor(winner, loser)
        if rev is not None and rev not in cache:
            cache[rev] = store.revision(db, doc_id, rev)
        ancestors[loser["_rev"]] = cache.get(rev) if rev else None
    return ConflictSet(db, doc_id, winner, losers, ancestors)
