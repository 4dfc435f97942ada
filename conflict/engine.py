"""Evaluates a conflicted document with its type's policy and plans the resolution (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conflict.ancestry import RESOLUTION_MARK
from conflict.merge import Difference
from conflict.policies import METADATA, later_leaf, policy_for
from conflict.values import MISSING, UNKNOWN, Doc, Path, label, render

# Taken from the revision edited last, so the merged revision says who touched it last.
EDIT_METADATA = ("updated_at", "updated_by", "device_id", "loc")
DELETED: Path = ("_deleted",)
ATTACHMENTS: Path = ("_attachments",)


@dataclass(frozen=True)
class ConflictSet:
    """A document's current winner, its other open leaves and, per loser, the common ancestor."""

    db_name: str
    doc_id: str
    winner: Doc
    losers: list[Doc]
    ancestors: dict[str, Doc | None] = field(default_factory=dict)

    @property
    def doc_type(self) -> str:
        return str(self.winner.get("type") or self.doc_id.partition(":")[0])

    @property
    def owner(self) -> str:
        return str(self.winner.get("owner") or next(
            (leaf.get("owner") for leaf in self.losers if leaf.get("owner")), ""))

    @property
    def leaves(self) -> list[Doc]:
        return [self.winner, *self.losers]

    def leaf(self, rev: str) -> Doc | None:
        return next((leaf for leaf in self.leaves if leaf["_rev"] == rev), None)


@dataclass(frozen=True)
class Found:
    """A difference between the winner and one loser (`rev`)."""

    rev: str
    difference: Difference


@dataclass
class Evaluation:
    """What the policy made of a conflict: the merged body and what people still must decide."""

    conflict: ConflictSet
    merged: Doc
    found: list[Found] = field(default_factory=list)
    taken: list[tuple[Path, str]] = field(default_factory=list)  # (field, rev it came from)

    @property
    def settled(self) -> bool:
        return not self.found

    def fields(self) -> list[str]:
        return list(dict.fromkeys(f.difference.field for f in self.found))


def body(doc: Doc) -> Doc:
    """A revision without its revision bookkeeping."""
    return {k: v for k, v in doc.items() if k not in ("_rev", "_revisions", "_conflicts")}


def evaluate(conflict: ConflictSet) -> Evaluation:
    policy = policy_for(conflict.doc_type)
    winner = conflict.winner
    evaluation = Evaluation(conflict, merged=body(winner))
    for loser in conflict.losers:
        rev = loser["_rev"]
        if loser.get("_deleted"):
            evaluation.found.append(Found(rev, Difference(DELETED, UNKNOWN, "kept and edited",
                                                          "deleted")))
            continue
        ancestor = conflict.ancestors.get(rev)
        result = policy(body(ancestor) if ancestor else None, evaluation.merged, body(loser))
        evaluation.merged = result.merged
        evaluation.found += [Found(rev, d) for d in result.differences]
        evaluation.taken += [(p, winner["_rev"] if s == "ours" else rev) for p, s in result.taken]
        clash = attachment_difference(ancestor, winner, loser)
        if clash is not None:
            evaluation.found.append(Found(rev, clash))
    evaluation.merged = with_metadata(evaluation.merged, conflict)
    return evaluation


def attachment_difference(ancestor: Doc | None, winner: Doc, loser: Doc) -> Difference | None:
    """Photos are compared by digest; only keeping a whole side can choose between them."""
    ours, theirs = digests(winner), digests(loser)
    if ours == theirs or (ancestor is not None and theirs == digests(ancestor)):
        return None
    return Difference(ATTACHMENTS, UNKNOWN if ancestor is None else digests(ancestor),
                      ours or MISSING, theirs or MISSING)


def digests(doc: Doc) -> dict[str, str]:
    attachments = doc.get("_attachments") or {}
    return {name: str(a.get("digest", "")) for name, a in attachments.items()}


def with_metadata(merged: Doc, conflict: ConflictSet) -> Doc:
    out = {k: v for k, v in merged.items() if k not in EDIT_METADATA}
    last = later_leaf([leaf for leaf in conflict.leaves if not leaf.get("_deleted")])
    out.update({k: last[k] for k in EDIT_METADATA if k in last})
    for key in METADATA - set(EDIT_METADATA) - {"_rev", "_revisions", "_conflicts", "_deleted"}:
        if key in conflict.winner:
            out[key] = conflict.winner[key]
    return out


def edit_of(doc: Doc) -> dict[str, Any]:
    """Who changed a revision, when and where, as people read it."""
    return {"changed_by": doc.get("updated_by") or doc.get("owner"),
            "changed_at": doc.get("updated_at"), "device": doc.get("device_id"),
            "loc": doc.get("loc"), "rev": doc.get("_rev"), "deleted": bool(doc.get("_deleted"))}


def difference_view(conflict: ConflictSet, found: Found) -> dict[str, Any]:
    """One difference side by side, with who changed each side, where and when."""
    d = found.difference
    loser = conflict.leaf(found.rev) or {}
    known = d.ancestor is not UNKNOWN
    return {
        "field": d.field, "label": d.label, "ours": render(d.ours), "theirs": render(d.theirs),
        "ancestor": render(d.ancestor) if known else None, "ancestor_known": known,
        "theirs_rev": found.rev,
        "ours_edit": edit_of(conflict.winner) if not known or d.ours != d.ancestor else None,
        "theirs_edit": edit_of(loser) if not known or d.theirs != d.ancestor else None,
    }


def side_name(doc: Doc | None) -> str:
    if not doc:
        return "another device"
    return str(doc.get("device_id") or doc.get("_rev"))


def describe_taken(evaluation: Evaluation) -> str:
    """`merged: took Stage from phone-a; Notes from tab-b` for the engineer's receipt."""
    by_side: dict[str, list[str]] = {}
    for path, rev in evaluation.taken:
        by_side.setdefault(side_name(evaluation.conflict.leaf(rev)), []).append(label(path))
    if not by_side:
        return "merged: both devices had the same content"
    parts = [f"{', '.join(dict.fromkeys(labels))} from {side}" for side, labels in by_side.items()]
    return "merged: took " + "; ".join(parts)


def describe_open(evaluation: Evaluation) -> str:
    labels = list(dict.fromkeys(f.difference.label for f in evaluation.found))
    shown = ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")
    return f"in conflict: edited on two devices ({shown}); an admin will choose"


def tombstone(doc_id: str, rev: str, marker: dict[str, Any]) -> Doc:
    return {"_id": doc_id, "_rev": rev, "_deleted": True, RESOLUTION_MARK: marker}


def resolution_docs(conflict: ConflictSet, base_rev: str, new_body: Doc,
                    marker: dict[str, Any]) -> list[Doc]:
    """One `_bulk_docs` payload: the result on top of `base_rev`, every other leaf closed."""
    result = {**new_body, "_id": conflict.doc_id, "_rev": base_rev}
    if result.get("_deleted"):
        result = tombstone(conflict.doc_id, base_rev, marker)
    others = [leaf["_rev"] for leaf in conflict.leaves if leaf["_rev"] != base_rev]
    return [result, *(tombstone(conflict.doc_id, rev, marker) for rev in others)]
