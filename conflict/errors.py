"""The conflict engine's exceptions; the REST edge turns them into 4xx answers."""

from __future__ import annotations


class ConflictError(Exception):
    """Base of every conflict-engine error."""


class ConflictNotFoundError(ConflictError):
    """No conflict with that id in the queue."""


class ConflictClosedError(ConflictError):
    """The conflict was already resolved; nothing is left to choose."""


class StaleConflictError(ConflictError):
    """The document changed on a device since it was shown; the queue row was refreshed."""


class NotAllowedError(ConflictError):
    """The person may not do this (only admins resolve conflicts)."""


class InvalidResolutionError(ConflictError):
    """The admin's choice cannot be applied; `errors` lists each problem as {field, message}."""

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []
