"""Moves a head or an admin makes to a lead through the API (pure, over the lead document)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from server.sales.errors import InvalidRequestError, StateError
from sync.documents.schema import LEAD_STAGES as STAGES
from sync.documents.stages import LOST, REQUIRED_DETAILS, move_kind


def plan_move(lead: Mapping[str, Any], to_stage: str) -> str:
    """Classify the move and refuse what even a head may not do; returns the move's kind."""
    current = str(lead.get("stage", ""))
    if to_stage not in STAGES:
        raise InvalidRequestError(f"stage {to_stage!r} is unknown; use one of "
                                  f"{', '.join(STAGES)}", {"stage": ["unknown stage"]})
    if current not in STAGES:
        raise StateError(f"the lead is at an unknown stage {current!r}; fix it on the phone")
    kind = move_kind(current, to_stage)
    if kind == "same":
        raise StateError(f'the lead is already at "{current}"')
    if kind == "skip":
        raise InvalidRequestError(
            f'a lead moves one stage at a time; "{current}" to "{to_stage}" skips stages',
            {"stage": ["one stage forward, to lost, or back"]})
    return kind


def _details(lead: Mapping[str, Any], to_stage: str,
             given: Mapping[str, Any] | None) -> dict[str, Any]:
    details = copy.deepcopy(dict(lead.get("details") or {}))
    if given:
        details[to_stage] = {**details.get(to_stage, {}), **dict(given)}
    missing = [k for k in REQUIRED_DETAILS.get(to_stage, ())
               if (details.get(to_stage) or {}).get(k) in (None, "")]
    if missing:
        raise InvalidRequestError(
            f'the stage "{to_stage}" needs {", ".join(missing)} in details',
            {f"details.{k}": ["required for this stage"] for k in missing})
    return details


def move_lead(lead: Mapping[str, Any], to_stage: str, *, by: str, at: datetime,
              details: Mapping[str, Any] | None = None, lost_reason: str | None = None,
              loc: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The lead document after the move, with a history entry saying who, when and where."""
    plan_move(lead, to_stage)
    moved = copy.deepcopy(dict(lead))
    moved["details"] = _details(lead, to_stage, details)
    if to_stage == LOST:
        if not (lost_reason or "").strip():
            raise InvalidRequestError("say why the lead was lost",
                                      {"lost_reason": ["required when moving to lost"]})
        moved["lost_reason"] = lost_reason
    else:
        moved.pop("lost_reason", None)
    stamp = at.isoformat(timespec="seconds")
    entry: dict[str, Any] = {"stage": to_stage, "at": stamp, "by": by}
    if loc:
        entry["loc"] = dict(loc)
    moved["history"] = [*list(lead.get("history") or []), entry]
    moved["stage"] = to_stage
    moved["updated_at"] = stamp
    return moved
