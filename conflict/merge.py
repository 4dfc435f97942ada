"""Field-by-field merge of two revisions against their common ancestor (pure)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from conflict.values import MISSING, UNKNOWN, Doc, Path, field_name, label

Side = Literal["ours", "theirs"]
# Settles a field both sides changed differently: the side to take, or None for the queue.
Settle = Callable[[Path, Any, Any, Any], Side | None]


@dataclass(frozen=True)
class Difference:
    """One field the two sides changed differently; `ours` is the current winner's value."""

    path: Path
    ancestor: Any
    ours: Any
    theirs: Any

    @property
    def field(self) -> str:
        return field_name(self.path)

    @property
    def label(self) -> str:
        return label(self.path)


@dataclass
class MergeResult:
    """The merged body (ours where sides disagree), what is left to decide, and what was taken."""

    merged: Doc
    differences: list[Difference] = field(default_factory=list)
    taken: list[tuple[Path, Side]] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        return not self.differences


def three_way(base: Doc | None, ours: Doc, theirs: Doc, *, skip: Collection[str] = (),
              settle: Settle | None = None) -> MergeResult:
    """Merge `theirs` into `ours`; `base` None means the ancestor is gone (two-way merge).

    Top-level fields in `skip` are not compared; the merged body keeps ours for them.
    """
    result = MergeResult(merged={})
    root = UNKNOWN if base is None else base
    merged = _merge_dicts((), root, ours, theirs, result, settle, skip)
    result.merged = merged
    return result


def _merge(path: Path, base: Any, ours: Any, theirs: Any, acc: MergeResult,
           settle: Settle | None) -> Any:
    if ours == theirs:
        return ours
    if base is not UNKNOWN:
        if ours == base:
            acc.taken.append((path, "theirs"))
            return theirs
        if theirs == base:
            acc.taken.append((path, "ours"))
            return ours
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return _merge_dicts(path, base, ours, theirs, acc, settle, ())
    side = settle(path, base, ours, theirs) if settle else None
    if side is not None:
        acc.taken.append((path, side))
        return ours if side == "ours" else theirs
    acc.differences.append(Difference(path, base, ours, theirs))
    return ours


def _merge_dicts(path: Path, base: Any, ours: Doc, theirs: Doc, acc: MergeResult,
                 settle: Settle | None, skip: Collection[str]) -> Doc:
    if base is not UNKNOWN and not isinstance(base, dict):
        base = {}  # both sides turned a plain value into a structure: compare key by key
    out: Doc = {}
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        if key in skip:
            if key in ours:
                out[key] = ours[key]
            continue
        below = UNKNOWN if base is UNKNOWN else base.get(key, MISSING)
        value = _merge((*path, key), below, ours.get(key, MISSING), theirs.get(key, MISSING),
                       acc, settle)
        if value is not MISSING:
            out[key] = value
    return out
