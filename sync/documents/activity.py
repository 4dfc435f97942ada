"""Shapes of leads, visits, expenses, to-dos and GPS tracks (no master data needed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sync.documents import fields as f
from sync.documents.contract import FIELDS, HISTORY_ENTRY, MAX_HISTORY, check_fields
from sync.documents.fields import Checks
from sync.documents.pricing import describe

__all__ = ["MAX_HISTORY", "check_expense", "check_lead", "check_todo", "check_track",
           "check_visit", "usable_points"]
_LEAD, _VISIT = FIELDS["lead"], FIELDS["visit"]


def check_lead(c: Checks, doc: dict[str, Any]) -> None:
    if doc.get("customer_id") is not None or doc.get("prospect") is None:
        f.text(c, doc, "customer_id", max_len=64)  # a lead names a customer or a prospect
    values = check_fields(c, doc, _LEAD, skip=("customer_id", "lost_reason", "history"))
    stage = values["stage"]
    if stage == "lost":
        f.text(c, doc, "lost_reason", max_len=2000)
    _history(c, doc, stage)


def _history(c: Checks, doc: dict[str, Any], stage: str | None) -> None:
    history = _LEAD["history"].check(c, doc, "history", "")
    if history is None:
        return
    previous: datetime | None = None
    for index, entry in enumerate(history):
        path = f"history[{index}]"
        if not isinstance(entry, dict):
            c.add(path, f"history entry {index + 1} must be an object, not {describe(entry)}",
                  "type")
            continue
        at = check_fields(c, entry, HISTORY_ENTRY.fields, path)["at"]
        if at is not None and previous is not None and at < previous:
            c.add(f"{path}.at", "at is earlier than the entry before it; history runs oldest first",
                  "out_of_order")
        previous = at or previous
    last = history[-1]
    if stage is not None and isinstance(last, dict) and last.get("stage") != stage:
        c.add("stage", f'stage is "{stage}" but the last history entry says '
              f'"{last.get("stage")}"; add a history entry for the move', "not_in_history")


def check_visit(c: Checks, doc: dict[str, Any]) -> None:
    values = check_fields(c, doc, _VISIT)
    if doc.get("customer_id") is None and doc.get("lead_id") is None:
        c.add("customer_id", "customer_id or lead_id is required: say whom the visit was with",
              "required")
    start, end = _moment(values["check_in"]), _moment(values["check_out"])
    if start is not None and end is not None and end < start:
        c.add("check_out.at", "at is before check_in.at; check out after checking in",
              "before_check_in")


def _moment(stamp: dict[str, Any] | None) -> datetime | None:
    """The stamp's time, when its `at` is a date-time the checks above accepted."""
    if stamp is None:
        return None
    c = Checks()
    return f.moment(c, stamp, "at")


def check_expense(c: Checks, doc: dict[str, Any]) -> None:
    check_fields(c, doc, FIELDS["expense"])


def check_todo(c: Checks, doc: dict[str, Any]) -> None:
    check_fields(c, doc, FIELDS["todo"])


def check_track(c: Checks, doc: dict[str, Any]) -> None:
    """Only the list itself can refuse a track; bad points are dropped by `usable_points`."""
    check_fields(c, doc, FIELDS["track"])


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
