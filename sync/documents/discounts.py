"""Discount limits: when an offer needs its sales head's approval before the customer signs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

APPROVED = "approved"
# The limit of an engineer who has none on record: the users table's default, so a missing
# limit never lets a discount past the head. Exported to the phones (vocabulary.js) and used
# by the SQL filter of offers awaiting a head (server/sales/approvals.py).
NO_LIMIT_PCT = Decimal(0)


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


def limit_of(limit_pct: Decimal | None) -> Decimal:
    """The engineer's discount limit, NO_LIMIT_PCT for an engineer without one."""
    return limit_pct if limit_pct is not None else NO_LIMIT_PCT


def needs_head_approval(max_discount_pct: Decimal, limit_pct: Decimal | None) -> bool:
    """An offer needs the head when any line's discount is above the engineer's limit."""
    return max_discount_pct > limit_of(limit_pct)


def binding(outcome: str | None, decided_hash: str | None, terms_hash: str) -> str | None:
    """The outcome of a head's decision if it still binds the terms, else None (undecided).

    A decision binds the terms it was made on; any later change voids it. A decision recorded
    without a hash (before terms were hashed) binds whatever terms the offer has.
    """
    if outcome is None or (decided_hash is not None and decided_hash != terms_hash):
        return None
    return outcome


def voided_note(decided_outcome: str, decided_terms: str, now: str) -> str:
    """Why a subject waits for its head again after a change of the terms decided on."""
    verb = "approved" if decided_outcome == APPROVED else "declined"
    was = f" {decided_terms}" if decided_terms else ""
    return (f"terms changed after the head {verb}{was}: now {now}; waiting for your sales "
            "head to decide again")


def discount_problem(max_discount_pct: Decimal, limit_pct: Decimal | None,
                     outcome: str | None, voided: str | None = None) -> str | None:
    """Why a customer approval of such an offer cannot be accepted yet, or None when it can.

    `outcome` is the decision that binds the offer's current terms; `voided` says why an
    earlier one no longer does.
    """
    if not needs_head_approval(max_discount_pct, limit_pct):
        return None
    limit = f"{limit_of(limit_pct)}%"
    if outcome == APPROVED:
        return None
    if voided is not None and outcome is None:
        return f"{voided} before the customer signs"
    if outcome is None:
        return (f"the offer gives a discount of {max_discount_pct}%, above your limit of "
                f"{limit}; wait for your sales head to approve it before the customer signs")
    return (f"your sales head declined the discount of {max_discount_pct}% (your limit is "
            f"{limit}); lower the discount and present the offer again")
