"""An admin's choice for a queued conflict, turned into the revision to write (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conflict.engine import (
    ATTACHMENTS,
    DELETED,
    Evaluation,
    body,
    label,
    side_name,
    with_metadata,
)
from conflict.errors import InvalidResolutionError
from conflict.policies import STAGE_GROUP
from conflict.values import Doc, Path, get_path, set_paths

OURS = "ours"


@dataclass(frozen=True)
class KeepSide:
    """Keep one revision whole (`rev` of the winner or of a losing revision)."""

    rev: str


@dataclass(frozen=True)
class PickFields:
    """For each differing field (`lines[3].unit_price`), the rev to take it from, or "ours"."""

    picks: Mapping[str, str]


@dataclass(frozen=True)
class EditDocument:
    """The admin's own version of the business fields."""

    fields: Doc


Choice = KeepSide | PickFields | EditDocument


@dataclass(frozen=True)
class Plan:
    """Write `body` on top of leaf `base_rev` and close every other leaf."""

    base_rev: str
    body: Doc
    method: str
    summary: str
    choice: dict[str, Any] = field(default_factory=dict)


def plan(evaluation: Evaluation, choice: Choice) -> Plan:
    if isinstance(choice, KeepSide):
        return keep_side(evaluation, choice.rev)
    if isinstance(choice, PickFields):
        return pick_fields(evaluation, choice.picks)
    return edit_document(evaluation, choice.fields)


def keep_side(evaluation: Evaluation, rev: str) -> Plan:
    conflict = evaluation.conflict
    leaf = conflict.leaf(rev)
    if leaf is None:
        raise InvalidResolutionError(f"revision {rev!r} is not one of this conflict's versions",
                                [{"field": "rev", "message": "choose one of the listed revisions"}])
    name = side_name(leaf)
    if leaf.get("_deleted"):
        return Plan(conflict.winner["_rev"], {"_deleted": True}, "keep",
                    f"kept the deletion made on {name}", {"keep": rev})
    return Plan(rev, body(leaf), "keep", f"kept the version from {name}", {"keep": rev})


def pick_fields(evaluation: Evaluation, picks: Mapping[str, str]) -> Plan:
    conflict = evaluation.conflict
    errors = _pick_errors(evaluation, picks)
    if errors:
        raise InvalidResolutionError("some fields cannot be picked that way", errors)
    changes: list[tuple[Path, Any]] = []
    taken: list[str] = []
    for found in evaluation.found:
        rev = picks[found.difference.field]
        if rev not in (OURS, conflict.winner["_rev"]) and rev == found.rev:
            leaf = conflict.leaf(rev) or {}
            changes += [(p, get_path(leaf, p)) for p in _group(found.difference.path)]
            taken.append(f"{found.difference.label} from {side_name(leaf)}")
    new_body = set_paths(evaluation.merged, changes)
    summary = "picked " + ("; ".join(taken) if taken else "the current version for every field")
    return Plan(conflict.winner["_rev"], new_body, "pick", summary, {"picks": dict(picks)})


def _pick_errors(evaluation: Evaluation, picks: Mapping[str, str]) -> list[dict[str, str]]:
    conflict = evaluation.conflict
    fields = evaluation.fields()
    revs = {OURS, *(leaf["_rev"] for leaf in conflict.leaves)}
    errors = [{"field": f, "message": "choose a side for this field"}
              for f in fields if f not in picks]
    errors += [{"field": f, "message": "this field is not one of the differences"}
               for f in picks if f not in fields]
    errors += [{"field": f, "message": f"{rev!r} is not one of this conflict's revisions"}
               for f, rev in picks.items() if rev not in revs]
    for found in evaluation.found:
        path, rev = found.difference.path, picks.get(found.difference.field)
        if rev == found.rev and path in (ATTACHMENTS, DELETED):
            errors.append({"field": found.difference.field,
                           "message": f"{label(path)} cannot be picked alone: keep that whole "
                                      "version instead"})
    return errors


def _group(path: Path) -> list[Path]:
    """A lead's stage travels with its lost reason and history."""
    if path == ("stage",):
        return [(key,) for key in STAGE_GROUP]
    return [path]


def edit_document(evaluation: Evaluation, fields: Doc) -> Plan:
    conflict = evaluation.conflict
    winner = conflict.winner
    errors = [{"field": key, "message": "must stay as it is"}
              for key in ("type", "owner") if key in fields and fields[key] != winner.get(key)]
    if "_id" in fields and fields["_id"] != conflict.doc_id:
        errors.append({"field": "_id", "message": "must stay as it is"})
    if errors:
        raise InvalidResolutionError("the edited version changes what the document is", errors)
    business = {k: v for k, v in fields.items() if not k.startswith("_")}
    new_body = with_metadata({**business, "type": winner.get("type"),
                              "owner": winner.get("owner")}, conflict)
    return Plan(winner["_rev"], new_body, "edit", "edited by an admin",
                {"edit": business})
