"""The ERP bridge's exceptions: what went wrong, and whether trying again can help."""

from __future__ import annotations


class ErpError(Exception):
    """Base of every ERP bridge error; the message is meant for a person."""


class ErpConfigError(ErpError):
    """The ERP settings cannot work (unknown kind, missing URL)."""


class SnapshotError(ErpError):
    """The order document lacks what an ERP order needs."""


class ErpRejected(ErpError):
    """The ERP refused the order itself (validation); sending it again will not help."""


class ErpMismatch(ErpRejected):
    """The ERP holds the order (`number`) but its amounts differ from FieldSync's.

    A person reconciles it; the next attempt must look the order up, never create it again.
    """

    def __init__(self, message: str, *, number: str) -> None:
        super().__init__(message)
        self.number = number


class ErpTransient(ErpError):
    """The ERP could not take the order now; try again later."""

    # outcome_unknown: the order may have been created anyway (timeout, 504, dropped
    # connection), so the next attempt must look it up by its key before sending again.

    def __init__(self, message: str, *, retry_after_s: float | None = None,
                 outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.outcome_unknown = outcome_unknown


class OutboxError(ErpError):
    """An admin action on the outbox cannot be done (unknown order, wrong state)."""
