"""Head decisions: when an offer needs one, and the `decision:<subject>` document (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from server.sales.errors import InvalidRequestError, StateError

KINDS = ("discount", "expense")
OUTCOMES = ("approved", "declined")
APPROVED = "approved"


def max_discount(lines: Iterable[Mapping[str, Any]]) -> Decimal:
    """The largest line discount of an offer, in percent (0 for an offer without lines)."""
    best = Decimal(0)
    for line in lines:
        try:
            value = Decimal(str(line.get("discount_pct", "0")))
        except InvalidOperation:
            continue
        if value.is_finite() and value > best:
            best = value
    return best


def needs_head_approval(max_discount_pct: Decimal, limit_pct: Decimal | None) -> bool:
    """An offer needs the head when any line's discount is above the engineer's limit."""
    return max_discount_pct > (limit_pct if limit_pct is not None else Decimal(0))


def discount_problem(max_discount_pct: Decimal, limit_pct: Decimal | None,
                     outcome: str | None) -> str | None:
    """Why a customer approval of such an offer cannot be accepted yet, or None when it can."""
    if not needs_head_approval(max_discount_pct, limit_pct):
        return None
    limit = f"{limit_pct if limit_pct is not None else 0}%"
    if outcome == APPROVED:
        return None
    if outcome is None:
        return (f"the offer gives a discount of {max_discount_pct}%, above your limit of "
                f"{limit}; wait for your sales head to approve it before the customer signs")
    return (f"your sales head declined the discount of {max_discount_pct}% (your limit is "
            f"{limit}); lower the discount and present the offer again")


def check_outcome(outcome: str, note: str) -> None:
    """A decision names one of the outcomes; declining needs a note the engineer can act on."""
    if outcome not in OUTCOMES:
        raise InvalidRequestError(f"outcome must be approved or declined, not {outcome!r}",
                                  {"outcome": ["approved or declined"]})
    if outcome == "declined" and not note.strip():
        raise InvalidRequestError("say why in the note when declining, so the engineer knows "
                                  "what to change", {"note": ["required when declining"]})


def check_undecided(previous: str | None, subject_id: str) -> None:
    """A decision is final: a second one would contradict what the phone already shows."""
    if previous is not None:
        raise StateError(f"{subject_id} was already {previous}; a decision cannot be changed")


def decision_doc(kind: str, subject_id: str, outcome: str, by: str, at: datetime,
                 note: str = "") -> dict[str, Any]:
    """The server-written `decision:<subject id>` document (docs/documents.md)."""
    if kind not in KINDS:
        raise InvalidRequestError(f"decision kind must be discount or expense, not {kind!r}")
    return {"_id": f"decision:{subject_id}", "type": "decision", "kind": kind,
            "subject_id": subject_id, "outcome": outcome, "by": by,
            "at": at.isoformat(timespec="seconds"), "note": note}
