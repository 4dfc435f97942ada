"""Making real conflicting revisions in the store, the way two offline phones do."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from conflict.store import CouchRevisionStore
from sync.store import CouchStore

Doc = dict[str, Any]


def new_rev_id(prefix: str) -> str:
    """A revision hash; the prefix orders branches of equal length (the store's winner rule)."""
    return prefix + uuid.uuid4().hex[len(prefix):]


def make_conflict(store: CouchStore, db: str, base: Doc, *branches: Doc,
                  keep_ancestor: bool = True) -> list[str]:
    """Write `base`, then each branch as a child of it with `new_edits=false`; returns their revs.

    Branches are written in order with rising hashes, so the last one is the store's winner.
    Without `keep_ancestor` the base body never reaches the store (as after compaction).
    """
    store.ensure_db(db)
    parent = uuid.uuid4().hex
    if keep_ancestor:
        store.bulk_docs(db, [{**base, "_rev": f"1-{parent}"}], new_edits=False)
    revs = []
    for i, branch in enumerate(branches):
        rev_id = new_rev_id("0123456789abcdef"[i])
        doc = {**branch, "_id": base["_id"], "_rev": f"2-{rev_id}",
               "_revisions": {"start": 2, "ids": [rev_id, parent]}}
        store.bulk_docs(db, [doc], new_edits=False)
        revs.append(f"2-{rev_id}")
    return revs


def leaves(store: CouchStore, db: str, doc_id: str) -> list[Doc]:
    return CouchRevisionStore(store).leaves(db, doc_id)


def replicate(store: CouchStore, source: str, target: str) -> None:
    """A one-off CouchDB replication inside the store: PouchDB's own replicator moves the revs."""
    base = store.url.replace("://", f"://{store.username}:{store.password}@", 1)
    answer = requests.post(f"{store.url}/_replicate", auth=store.auth, timeout=60,
                           json={"source": f"{base}/{source}", "target": f"{base}/{target}"})
    answer.raise_for_status()
    assert answer.json().get("ok"), answer.text
