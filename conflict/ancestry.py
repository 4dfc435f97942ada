"""Revision trees: leaves, the store's winner, common ancestors, resolution tombstones (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from conflict.values import Doc

# Marks the tombstones a resolution writes on losing branches, so they are not read as a
# device deleting the document (a deletion racing an edit must reach the queue).
RESOLUTION_MARK = "conflict_resolution"


def rev_history(doc: Doc) -> list[str]:
    """The revision ids from this leaf back to the root, newest first (from `_revisions`)."""
    revisions = doc.get("_revisions")
    if not isinstance(revisions, dict) or not revisions.get("ids"):
        return [str(doc.get("_rev", ""))]
    start = int(revisions["start"])
    return [f"{start - i}-{rev_id}" for i, rev_id in enumerate(revisions["ids"])]


def generation(rev: str) -> int:
    head, _, _ = rev.partition("-")
    return int(head) if head.isdigit() else 0


def winner_of(leaves: Sequence[Doc]) -> Doc:
    """CouchDB's deterministic winner: a live leaf first, then the longest history, then rev id."""
    return max(leaves, key=lambda d: (not d.get("_deleted", False), generation(d["_rev"]),
                                      d["_rev"].partition("-")[2]))


def common_ancestor(a: Doc, b: Doc) -> str | None:
    """The newest revision both leaves descend from, or None when their histories do not meet."""
    theirs = set(rev_history(b))
    return next((rev for rev in rev_history(a)[1:] if rev in theirs), None)


def is_resolution_tombstone(doc: Doc) -> bool:
    return bool(doc.get("_deleted")) and RESOLUTION_MARK in doc


def open_leaves(leaves: Sequence[Doc]) -> tuple[Doc, list[Doc]] | None:
    """(winner, losers) when the document is in conflict; None when there is nothing to settle.

    Tombstones written by earlier resolutions do not count; when every remaining leaf is
    deleted the document is simply deleted.
    """
    live = [leaf for leaf in leaves if not is_resolution_tombstone(leaf)]
    if len(live) < 2 or all(leaf.get("_deleted") for leaf in live):
        return None
    winner = winner_of(live)
    return winner, [leaf for leaf in live if leaf["_rev"] != winner["_rev"]]

