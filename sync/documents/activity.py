"""Shapes of leads, visits, expenses, to-dos and GPS tracks (no master data needed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sync.documents import fields as f
from sync.documents.fields import Checks
from sync.documents.pricing import describe
from sync.documents.schema import EXPENSE_MODES, LEAD_STAGES, MAX_TRACK_POINTS
from sync.documents.trade import doc_ref

MAX_HISTORY = 500


def _customer_or_lead(c: Checks, doc: dict[str, Any], *, one_required: bool) -> None:
    f.text(c, doc, "customer_id", required=False, max_len=64)
    if doc.get("lead_id") is not None:
        doc_ref(c, doc, "lead_id", "lead")
    if one_required and doc.get("customer_id") is None and doc.get("lead_id") is None:
        c.add("customer_id", "customer_id or lead_id is required: say whom the visit was with")


def check_lead(c: Checks, doc: dict[str, Any]) -> None:
    if doc.get("customer_id") is not None or doc.get("prospect") is None:
        f.text(c, doc, "customer_id", max_len=64)
    else:
        prospect = f.obj(c, doc, "prospect")
        if prospect is not None:
            f.text(c, prospect, "name", "prospect")
            f.text(c, prospect, "phone", "prospect", required=False, max_len=32)
            f.text(c, prospect, "city", "prospect", required=False)
    f.text(c, doc, "title")
    f.money(c, doc, "expected_value", required=False)
    stage = f.text(c, doc, "stage", choices=LEAD_STAGES)
    if stage == "lost":
        f.text(c, doc, "lost_reason", max_len=2000)
    _details(c, doc)
    _history(c, doc, stage)


def _details(c: Checks, doc: dict[str, Any]) -> None:
    """Shapes of the stage details that are present; which are required is a rule."""
    details = f.obj(c, doc, "details", required=False)
    if details is None:
        return
    for stage, check in _DETAIL_SHAPES.items():
        if details.get(stage) is not None:
            part = f.obj(c, details, stage, "details")
            if part is not None:
                check(c, part, f"details.{stage}")


def _proposal(c: Checks, part: dict[str, Any], path: str) -> None:
    f.money(c, part, "value", path)


def _po(c: Checks, part: dict[str, Any], path: str) -> None:
    f.text(c, part, "number", path, max_len=64)
    f.day(c, part, "date", path)
    f.money(c, part, "amount", path)


def _advance(c: Checks, part: dict[str, Any], path: str) -> None:
    f.money(c, part, "amount", path)
    f.text(c, part, "payment_ref", path, max_len=64)


def _order_acceptance(c: Checks, part: dict[str, Any], path: str) -> None:
    f.text(c, part, "number", path, max_len=64)
    f.day(c, part, "date", path)


def _installation(c: Checks, part: dict[str, Any], path: str) -> None:
    f.day(c, part, "date", path)
    f.text(c, part, "notes", path, required=False, max_len=4000)


_DETAIL_SHAPES = {
    "proposal": _proposal,
    "po": _po,
    "advance": _advance,
    "order_acceptance": _order_acceptance,
    "installation": _installation,
}


def _history(c: Checks, doc: dict[str, Any], stage: str | None) -> None:
    history = f.items(c, doc, "history", low=1, high=MAX_HISTORY)
    if history is None:
        return
    previous: datetime | None = None
    for index, entry in enumerate(history):
        path = f"history[{index}]"
        if not isinstance(entry, dict):
            c.add(path, f"history entry {index + 1} must be an object, not {describe(entry)}")
            continue
        f.text(c, entry, "stage", path, choices=LEAD_STAGES)
        at = f.moment(c, entry, "at", path)
        f.text(c, entry, "by", path, max_len=64)
        f.loc(c, entry, prefix=path)
        if at is not None and previous is not None and at < previous:
            c.add(f"{path}.at", "at is earlier than the entry before it; history runs oldest first")
        previous = at or previous
    last = history[-1]
    if stage is not None and isinstance(last, dict) and last.get("stage") != stage:
        c.add("stage", f'stage is "{stage}" but the last history entry says '
              f'"{last.get("stage")}"; add a history entry for the move')


def check_visit(c: Checks, doc: dict[str, Any]) -> None:
    _customer_or_lead(c, doc, one_required=True)
    f.text(c, doc, "purpose", max_len=2000)
    check_in = f.obj(c, doc, "check_in")
    start = _stamp(c, check_in, "check_in")
    check_out = f.obj(c, doc, "check_out", required=False)
    end = _stamp(c, check_out, "check_out")
    if start is not None and end is not None and end < start:
        c.add("check_out.at", "at is before check_in.at; check out after checking in")
    f.text(c, doc, "outcome", required=False, max_len=4000)
    f.text(c, doc, "next_action", required=False, max_len=2000)
    f.day(c, doc, "next_action_date", required=False)


def _stamp(c: Checks, part: dict[str, Any] | None, path: str) -> datetime | None:
    if part is None:
        return None
    f.loc(c, part, prefix=path, required=f.no_fix(c, part, path) is None)
    return f.moment(c, part, "at", path)


def check_expense(c: Checks, doc: dict[str, Any]) -> None:
    f.day(c, doc, "date")
    f.text(c, doc, "from_place")
    f.text(c, doc, "to_place")
    f.text(c, doc, "mode", choices=EXPENSE_MODES)
    f.number(c, doc, "km", low=0, high=100_000)
    f.money(c, doc, "amount")
    f.text(c, doc, "purpose", max_len=2000)
    _customer_or_lead(c, doc, one_required=False)


def check_todo(c: Checks, doc: dict[str, Any]) -> None:
    f.text(c, doc, "title")
    f.day(c, doc, "due_date", required=False)
    f.boolean(c, doc, "done")
    f.text(c, doc, "notes", required=False, max_len=4000)
    _customer_or_lead(c, doc, one_required=False)


def check_track(c: Checks, doc: dict[str, Any]) -> None:
    """Only the list itself can refuse a track; bad points are dropped by `usable_points`."""
    f.items(c, doc, "points", low=1, high=MAX_TRACK_POINTS)


def usable_points(doc: dict[str, Any], now: datetime) -> tuple[list[dict[str, Any]], int]:
    """The track's points worth keeping, and how many were dropped (bad, future or repeated)."""
    kept: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    points = doc.get("points")
    for point in points if isinstance(points, list) else ():
        when = _point_time(point, now)
        if when is None:
            continue
        key = (point["lat"], point["lon"], when)
        if key not in seen:
            seen.add(key)
            kept.append(point)
    total = len(points) if isinstance(points, list) else 0
    return kept, total - len(kept)


def _point_time(point: Any, now: datetime) -> datetime | None:
    """The point's time when it is a usable fix not in the future, else None."""
    if not isinstance(point, dict):
        return None
    c = Checks()
    f.loc(c, {"p": {"mock": False, **point}}, "p", required=True)  # `mock` may be left out
    f.number(c, point, "speed_mps", low=0, high=1000, required=False)
    if c.problems:
        return None
    at = datetime.fromisoformat(point["at"])
    return at if at <= now else None
