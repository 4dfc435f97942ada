"""Pure: the outbox state machine, deciding what an attempt's outcome does to an order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from erp_bridge.retry import BackoffPolicy

QUEUED, SENT, ACCEPTED, FAILED, NOT_SENT = "queued", "sent", "accepted", "failed", "not_sent"
CLAIMABLE = (QUEUED, SENT)


@dataclass(frozen=True)
class Accepted:
    """The ERP holds the order under `number`."""

    number: str
    erp_status: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Rejected:
    """The ERP refused the order; a person must fix something first.

    `exists`: the ERP holds it anyway (amounts to reconcile), so a retry looks it up first.
    """

    reason: str
    exists: bool = False


@dataclass(frozen=True)
class Retry:
    """Not this time; `outcome_unknown` when the ERP may have created it anyway."""

    reason: str
    retry_after_s: float | None = None
    outcome_unknown: bool = False


Outcome = Accepted | Rejected | Retry


@dataclass(frozen=True)
class Transition:
    """The new state of an outbox row after one attempt."""

    status: str
    attempts: int
    reason: str
    outcome_unknown: bool
    next_attempt_at: datetime | None = None
    dead: bool = False


def after_attempt(outcome: Outcome, attempts_before: int, max_attempts: int, now: datetime,
                  policy: BackoffPolicy, rand: float) -> Transition:
    """Where the order goes: accepted, back in the queue after a delay, or the dead letters."""
    attempts = attempts_before + 1
    if isinstance(outcome, Accepted):
        return Transition(ACCEPTED, attempts, "", False)
    if isinstance(outcome, Rejected):
        return Transition(FAILED, attempts, outcome.reason, outcome.exists, dead=True)
    if attempts >= max_attempts:
        reason = f"Gave up after {attempts} attempts; last error: {outcome.reason}"
        return Transition(FAILED, attempts, reason, outcome.outcome_unknown, dead=True)
    delay = policy.next_delay(attempts, outcome.retry_after_s, lambda: rand)
    status = SENT if outcome.outcome_unknown else QUEUED
    return Transition(status, attempts, outcome.reason, outcome.outcome_unknown,
                      next_attempt_at=now + timedelta(seconds=delay))


def receipt_part(status: str, number: str | None, reason: str) -> dict[str, str | None]:
    """The `erp` object of an order's receipt, as the phone shows it."""
    return {"status": status, "number": number, "reason": reason}
