"""Judging a phone's document: structure (no master data, at the gateway) and business rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sync.documents import activity, trade
from sync.documents import fields as f
from sync.documents.attachments import DEFAULT_MAX_ATTACHMENT_BYTES, check_attachments
from sync.documents.errors import Problem, UnsupportedSchema
from sync.documents.facts import MasterData
from sync.documents.fields import Checks
from sync.documents.pricing import describe
from sync.documents.rules import check_facts
from sync.documents.schema import ID_KEY, PHONE_TYPES, SERVER_TYPES, migrate
from sync.documents.size import size_problem

MAX_REASONS = 5
_ENTRY = re.compile(r"(lines|history|points)\[(\d+)\](.*)")
_ENTRY_NAMES = {"lines": "Line", "history": "History entry", "points": "Point"}
_SHAPES: dict[str, Callable[[Checks, dict[str, Any]], None]] = {
    "offer": trade.check_offer,
    "approval": trade.check_approval,
    "order": trade.check_order,
    "lead": activity.check_lead,
    "visit": activity.check_visit,
    "expense": activity.check_expense,
    "todo": activity.check_todo,
    "track": activity.check_track,
}


@dataclass(frozen=True)
class Verdict:
    """The outcome of judging one document; `doc` is the document migrated to the current schema."""

    ok: bool
    problems: tuple[Problem, ...]
    doc: dict[str, Any]

    @property
    def reason(self) -> str:
        """The problems as one sentence a field engineer can act on."""
        if not self.problems:
            return "accepted"
        parts = [_sentence(p) for p in self.problems[:MAX_REASONS]]
        hidden = len(self.problems) - MAX_REASONS
        if hidden > 0:
            parts.append(f"and {hidden} more problem{'s' if hidden > 1 else ''}")
        text = "; ".join(parts)
        first = self.problems[0]
        if "." in first.field or (first.field and first.message.startswith(first.field)):
            return text  # starts with a label or a field name, which keep their spelling
        return text[:1].upper() + text[1:]


def _sentence(problem: Problem) -> str:
    parent = problem.field.rpartition(".")[0]
    if not parent:
        return problem.message
    return f"{_label(parent)}: {problem.message}"


def _label(path: str) -> str:
    """`lines[1]` -> "Line 2": people count lines from one."""
    match = _ENTRY.fullmatch(path)
    if match is None:
        return path
    name, index, rest = match.groups()
    label = f"{_ENTRY_NAMES[name]} {int(index) + 1}"
    return f"{label}, {rest.lstrip('.')}" if rest else label


def _verdict(problems: list[Problem], doc: dict[str, Any]) -> Verdict:
    return Verdict(not problems, tuple(problems), doc)


def check_structure(
    doc: dict[str, Any], *, owner: str, measure_size: bool = True,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
) -> Verdict:
    """Everything that needs no master data; fast enough to run on every incoming document.

    `measure_size=False` skips only the size rule, for callers that know the document cannot
    be near the limit (the gateway with a small request) or that measured it already.
    """
    if not isinstance(doc, dict):
        return _verdict([Problem("", f"the document must be a JSON object, not {describe(doc)}")],
                        {})
    too_large = size_problem(doc) if measure_size else None
    if too_large is not None:
        return _verdict([Problem("", too_large)], doc)
    c = Checks()
    c.problems.extend(check_attachments(doc.get("_attachments"), max_attachment_bytes))
    if c.problems:
        return _verdict(c.problems, doc)
    migrated = _shape(c, doc, owner)
    return _verdict(c.problems, migrated)


def check_rules(doc: dict[str, Any], facts: MasterData) -> Verdict:
    """The master-data rules; a document that is not structurally valid is refused as such."""
    owner = doc.get("owner") if isinstance(doc, dict) else None
    verdict = check_structure(doc, owner=owner if isinstance(owner, str) else "",
                              measure_size=False)
    if not verdict.ok:
        return verdict
    return _with_rules(verdict.doc, facts)


def validate(doc: dict[str, Any], *, owner: str, facts: MasterData) -> Verdict:
    """Structure, then business rules: what the worker runs before materialising a document."""
    verdict = check_structure(doc, owner=owner)
    if not verdict.ok:
        return verdict
    return _with_rules(verdict.doc, facts)


def _with_rules(doc: dict[str, Any], facts: MasterData) -> Verdict:
    if doc.get("_deleted") is True:
        return _verdict([], doc)
    c = Checks()
    check_facts(c, doc, facts)
    return _verdict(c.problems, doc)


def _shape(c: Checks, doc: dict[str, Any], owner: str) -> dict[str, Any]:
    """Identity, version, common fields and the type's own shape; returns the migrated doc."""
    kind = _check_identity(c, doc)
    if doc.get("_deleted") is True:
        return doc
    _check_owner(c, doc, owner)
    if kind is None:
        return doc
    try:
        migrated = migrate(doc)
    except UnsupportedSchema as error:
        c.add(error.field, error.message, "unsupported")
        return doc
    f.text(c, migrated, "device_id", max_len=64)
    f.moment(c, migrated, "created_at")
    f.moment(c, migrated, "updated_at")
    if kind != "approval":  # an approval requires its location; checked with its shape
        f.loc(c, migrated)
    _SHAPES[kind](c, migrated)
    return migrated


def _check_identity(c: Checks, doc: dict[str, Any]) -> str | None:
    """The `_id` and `type`; returns the type when the rest of the shape can be checked."""
    doc_id = doc.get("_id")
    if not isinstance(doc_id, str):
        c.add("_id", f"_id must be text like \"offer:<id>\", not {describe(doc_id)}", "format")
        return None
    if doc_id.startswith("_design/"):
        c.add("_id", "design documents are managed by the server; phones may not write them")
        return None
    prefix, _, key = doc_id.partition(":")
    if prefix in SERVER_TYPES:
        c.add("_id", f'"{prefix}" documents are written by the server only; phones may not '
              "create, change or delete them")
        return None
    if doc.get("_deleted") is True:
        return prefix if prefix in PHONE_TYPES else None
    kind = _check_type(c, doc)
    if kind is not None and (prefix != kind or not ID_KEY.fullmatch(key)):
        c.add("_id", f'_id must be "{kind}:" followed by 1-64 letters, digits, "_", "." or "-", '
              f'not "{doc_id[:80]}"', "format")
    return kind


def _check_type(c: Checks, doc: dict[str, Any]) -> str | None:
    kind = doc.get("type")
    phone_types = ", ".join(sorted(PHONE_TYPES))
    if kind is None:
        c.add("type", f"type is missing; it must be one of {phone_types}", "unknown")
    elif not isinstance(kind, str):
        c.add("type", f"type must be text, not {describe(kind)}", "unknown")
    elif kind in SERVER_TYPES:
        c.add("type", f'type "{kind}" is written by the server only; phones may not write it',
              "unknown")
    elif kind not in PHONE_TYPES:
        c.add("type", f'type "{kind[:40]}" is unknown; phones write {phone_types}', "unknown")
    else:
        return kind
    return None


def _check_owner(c: Checks, doc: dict[str, Any], owner: str) -> None:
    value = doc.get("owner")
    if value is None:
        c.add("owner", f'owner is missing; it must be your username "{owner}"', "wrong")
    elif value != owner:
        shown = f'"{value}"' if isinstance(value, str) else describe(value)
        c.add("owner", f'owner is {shown} but this database belongs to "{owner}"; '
              "a document can only be written to its owner's database", "wrong")
