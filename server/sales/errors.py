"""The sales package's exceptions; `status` is the HTTP status the REST edge answers with."""

from __future__ import annotations

from collections.abc import Mapping


class SalesError(Exception):
    """Base of every sales failure; the message says what to do about it."""

    status = 400

    def __init__(self, message: str, errors: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


class NotFoundError(SalesError):
    """The record does not exist, or the caller may not see it."""

    status = 404


class NotAllowedError(SalesError):
    """The caller is known but may not do this to this record."""

    status = 403


class InvalidRequestError(SalesError):
    """The request is well-formed but its values break a business rule."""

    status = 422


class StateError(SalesError):
    """The record is not in a state that allows this (decided already, changed meanwhile)."""

    status = 409
