"""Head decisions: when an offer needs one, and the `decision:<subject>` document (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.sales.errors import InvalidRequestError, StateError

KINDS = ("discount", "expense", "cancellation")
OUTCOMES = ("approved", "declined")


def check_outcome(outcome: str, note: str) -> None:
    """A decision names one of the outcomes; declining needs a note the engineer can act on."""
    if outcome not in OUTCOMES:
        raise InvalidRequestError(f"outcome must be approved or declined, not {outcome!r}",
                                  {"outcome": ["approved or declined"]})
    if outcome == "declined" and not note.strip():
        raise InvalidRequestError("say why in the note when declining, so the engineer knows "
                                  "what to change", {"note": ["required when declining"]})


def check_undecided(previous: str | None, subject_id: str, *, still_binds: bool = True) -> None:
    """A decision is final while it binds: a second one would contradict what the phone shows.

    Once the terms it was made on change, it no longer binds and the head decides again.
    """
    if previous is not None and still_binds:
        raise StateError(f"{subject_id} was already {previous}; a decision cannot be changed")


def decision_doc(kind: str, subject_id: str, outcome: str, by: str, at: datetime,
                 note: str = "", *, terms_hash: str | None = None,
                 terms: str = "") -> dict[str, Any]:
    """The server-written `decision:<subject id>` document (docs/documents.md)."""
    if kind not in KINDS:
        raise InvalidRequestError(f"decision kind must be one of {', '.join(KINDS)}, "
                                  f"not {kind!r}")
    doc = {"_id": f"decision:{subject_id}", "type": "decision", "kind": kind,
           "subject_id": subject_id, "outcome": outcome, "by": by,
           "at": at.isoformat(timespec="seconds"), "note": note}
    if terms_hash is not None:
        doc.update(terms_hash=terms_hash, terms=terms)
    return doc
