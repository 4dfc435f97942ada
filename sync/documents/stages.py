"""The lead stage machine: which moves an engineer may make and what each stage needs."""

from __future__ import annotations

FORWARD = ("potential", "proposal", "po", "advance", "order_acceptance", "installation")
LOST = "lost"
REQUIRED_DETAILS: dict[str, tuple[str, ...]] = {
    "proposal": ("value",),
    "po": ("number", "date", "amount"),
    "advance": ("amount", "payment_ref"),
    "order_acceptance": ("number", "date"),
    "installation": ("date",),
}


def move_kind(before: str, after: str) -> str:
    """Classify a move: same, forward (one stage), lost, back, or skip (forward past stages)."""
    if before == after:
        return "same"
    if after == LOST:
        return "lost"
    if before == LOST:
        return "back"  # reopening a lost lead is a head's call, like any step back
    gap = FORWARD.index(after) - FORWARD.index(before)
    if gap == 1:
        return "forward"
    return "back" if gap < 0 else "skip"


def move_problem(before: str, after: str, *, by: str, owner: str) -> str | None:
    """Why the move `before` -> `after` made by `by` is not allowed, or None when it is."""
    kind = move_kind(before, after)
    if kind in ("same", "forward", "lost"):
        return None
    if kind == "back":
        if by != owner:
            return None  # heads and admins move leads back through the API
        return (f'a lead cannot move back from "{before}" to "{after}" on the phone; '
                "ask your sales head to move it back")
    skipped = FORWARD[FORWARD.index(before) + 1:FORWARD.index(after)]
    return (f'a lead moves one stage at a time; "{before}" to "{after}" skips '
            f"{', '.join(skipped)}")
