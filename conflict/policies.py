"""Per-type conflict policies: pure functions from (ancestor, ours, theirs) to a merge result."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from conflict.merge import Difference, MergeResult, Side, three_way
from conflict.values import MISSING, UNKNOWN, Doc, Path, get_path
from sync.documents.stages import FORWARD

Policy = Callable[[Doc | None, Doc, Doc], MergeResult]

# Who wrote a revision, where and when: never business content, never a reason to disagree.
METADATA = frozenset({
    "_id", "_rev", "_revisions", "_conflicts", "_deleted_conflicts", "_deleted",
    "_attachments", "updated_at", "updated_by", "created_at", "device_id", "loc",
    "schema_version",
})
STAGES = FORWARD
# Picking a lead's stage takes these from the same side, so history stays consistent.
STAGE_GROUP = ("stage", "lost_reason", "history")
EXPENSE_KEY = ("amount", "date", "mode")
# Offer and order content that is never chosen automatically when the sides differ.
COMMERCIAL = ("customer_id", "lines", "totals", "supply", "price_list_id")


def edited_at(doc: Doc) -> datetime | None:
    """The device's `updated_at` as an aware datetime, or None when absent or unreadable."""
    raw = doc.get("updated_at")
    try:
        parsed = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def later_side(ours: Doc, theirs: Doc) -> Side:
    """The side edited later by its device clock; ours (the store's winner) on a tie."""
    o, t = edited_at(ours), edited_at(theirs)
    if t is not None and (o is None or t > o):
        return "theirs"
    return "ours"


def later_leaf(leaves: Sequence[Doc]) -> Doc:
    """The leaf edited last by its device clock (the first one on a tie or unreadable clocks)."""
    best = leaves[0]
    for leaf in leaves[1:]:
        if later_side(best, leaf) == "theirs":
            best = leaf
    return best


def merge_fields(base: Doc | None, ours: Doc, theirs: Doc) -> MergeResult:
    """Visits and anything merged field by field: one-sided changes taken, clashes queued."""
    return three_way(base, ours, theirs, skip=METADATA)


def merge_strict(base: Doc | None, ours: Doc, theirs: Doc) -> MergeResult:
    """Evidence (customer approvals) and unknown types: any business difference is queued."""
    return three_way(None, ours, theirs, skip=METADATA)


def merge_todo(base: Doc | None, ours: Doc, theirs: Doc) -> MergeResult:
    """Field by field; a field both sides changed goes to the later edit."""
    later = later_side(ours, theirs)
    return three_way(base, ours, theirs, skip=METADATA, settle=lambda *_: later)


def merge_track(base: Doc | None, ours: Doc, theirs: Doc) -> MergeResult:
    """GPS batches: the union of both sides' points, in time order."""
    result = three_way(base, ours, theirs, skip=METADATA | {"points"})
    points = union_points(ours.get("points") or [], theirs.get("points") or [])
    result.merged["points"] = points
    if points != ours.get("points"):
        result.taken.append((("points",), "theirs"))
    return result


def union_points(ours: list[Any], theirs: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for point in [*ours, *theirs]:
        seen.setdefault(json.dumps(point, sort_keys=True), point)
    return sorted(seen.values(), key=lambda p: str(p.get("at", "")) if isinstance(p, dict) else "")


def merge_expense(base: Doc | None, ours: Doc, theirs: Doc) -> MergeResult:
    """A money claim: queued unless both sides agree on amount, date and mode."""
    result = three_way(base, ours, theirs, skip=METADATA | set(EXPENSE_KEY))
    clashes = [_plain_difference((key,), base, ours, theirs) for key in EXPENSE_KEY]
    result.differences[:0] = [d for d in clashes if d is not None]
    return result


def merge_commercial(base: Doc | None, ours: Doc, theirs: Doc) -> MergeResult:
    """Offers, orders: never merged when prices, quantities, discounts, lines or customer differ."""
    result = three_way(base, ours, theirs, skip=METADATA | set(COMMERCIAL))
    result.differences[:0] = commercial_differences(base, ours, theirs)
    return result


def commercial_differences(base: Doc | None, ours: Doc, theirs: Doc) -> list[Difference]:
    """Line by line and total by total, so people see `Line 3 unit price`, not two JSON blobs."""
    found: list[Difference] = []
    for key in COMMERCIAL:
        o, t = ours.get(key, MISSING), theirs.get(key, MISSING)
        if o == t:
            continue
        if key == "lines" and isinstance(o, list) and isinstance(t, list):
            found += _list_differences((key,), base, o, t)
        elif isinstance(o, dict) and isinstance(t, dict):
            keys = [*o, *(k for k in t if k not in o)]
            found += [d for k in keys if (d := _plain_difference((key, k), base, ours, theirs))]
        else:
            found.append(Difference((key,), _at(base, (key,)), o, t))
    return found


def _list_differences(path: Path, base: Doc | None, ours: list[Any],
                      theirs: list[Any]) -> list[Difference]:
    found: list[Difference] = []
    for i in range(max(len(ours), len(theirs))):
        o = ours[i] if i < len(ours) else MISSING
        t = theirs[i] if i < len(theirs) else MISSING
        if o == t:
            continue
        if not (isinstance(o, dict) and isinstance(t, dict)):
            found.append(Difference((*path, i), _at(base, (*path, i)), o, t))
            continue
        for key in [*o, *(k for k in t if k not in o)]:
            sub = (*path, i, key)
            if o.get(key, MISSING) != t.get(key, MISSING):
                found.append(Difference(sub, _at(base, sub), o.get(key, MISSING),
                                        t.get(key, MISSING)))
    return found


def _plain_difference(path: Path, base: Doc | None, ours: Doc, theirs: Doc) -> Difference | None:
    o, t = get_path(ours, path), get_path(theirs, path)
    return None if o == t else Difference(path, _at(base, path), o, t)


def _at(base: Doc | None, path: Path) -> Any:
    return UNKNOWN if base is None else get_path(base, path)


def merge_lead(base: Doc | None, ours: Doc, theirs: Doc) -> MergeResult:
    """Field by field; the further stage wins when both moved forward; lost vs forward is queued."""
    side = stage_side(base, ours, theirs)
    result = three_way(base, ours, theirs, skip=METADATA | set(STAGE_GROUP))
    if side is None:
        stage = ("stage",)
        result.differences.insert(0, Difference(stage, _at(base, stage), ours.get("stage"),
                                                theirs.get("stage")))
        return result
    chosen = ours if side == "ours" else theirs
    for key in STAGE_GROUP:
        result.merged.pop(key, None)
        if key in chosen:
            result.merged[key] = chosen[key]
    if ours.get("stage") != theirs.get("stage"):
        result.taken.append((("stage",), side))
    return result


def stage_side(base: Doc | None, ours: Doc, theirs: Doc) -> Side | None:
    """The side whose stage (with its history) the merge keeps; None when people must choose."""
    agreed, held = _server_side(base, ours, theirs)
    if not agreed:
        return held
    o, t = ours.get("stage"), theirs.get("stage")
    b = base.get("stage") if base is not None else None
    if o == t:
        return _history_side(base, ours, theirs)
    if base is not None and o == b:
        return "theirs"
    if base is not None and t == b:
        return "ours"
    if o not in STAGES or t not in STAGES:
        return None  # one side lost the lead while the other moved it on
    if b in STAGES and min(STAGES.index(o), STAGES.index(t)) < STAGES.index(b):
        return None  # a step back is a head's decision, not something to settle here
    return "ours" if STAGES.index(o) > STAGES.index(t) else "theirs"


def _steps_by_others(doc: Doc) -> set[tuple[Any, ...]]:
    """History steps in someone else's name than the owner's: only the server writes those
    (a head or admin acting through the API), so no device's clock may erase one."""
    history = doc.get("history")
    owner = doc.get("owner")
    return {(step.get("stage"), step.get("at"), step.get("by"))
            for step in (history if isinstance(history, list) else ())
            if isinstance(step, dict) and step.get("by") != owner}


def _server_side(base: Doc | None, ours: Doc, theirs: Doc) -> tuple[bool, Side | None]:
    """(True, _) when both sides carry the same server-written steps; else (False, the side
    carrying steps the other lacks when the other made no move of its own, or None: people
    decide)."""
    o, t = _steps_by_others(ours), _steps_by_others(theirs)
    if o == t:
        return True, None
    if o > t or t > o:
        keep: Side = "ours" if o > t else "theirs"
        other = theirs if o > t else ours
        if base is not None and other.get("history") == base.get("history"):
            return False, keep
    return False, None


def _history_side(base: Doc | None, ours: Doc, theirs: Doc) -> Side:
    """Same stage on both sides: the history that changed, else the one that got there first."""
    if base is not None and ours.get("history") == base.get("history"):
        return "theirs"
    if base is not None and theirs.get("history") == base.get("history"):
        return "ours"
    o, t = _last_step_at(ours), _last_step_at(theirs)
    return "theirs" if o and t and t < o else "ours"


def _last_step_at(doc: Doc) -> datetime | None:
    history = doc.get("history")
    if not isinstance(history, list) or not history or not isinstance(history[-1], dict):
        return None
    return edited_at({"updated_at": history[-1].get("at")})


POLICIES: dict[str, Policy] = {
    "lead": merge_lead, "visit": merge_fields, "todo": merge_todo, "track": merge_track,
    "expense": merge_expense, "offer": merge_commercial, "order": merge_commercial,
    "approval": merge_strict,
}


def policy_for(doc_type: str) -> Policy:
    return POLICIES.get(doc_type, merge_strict)
