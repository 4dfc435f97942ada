"""Errors and problems of the document layer."""

from __future__ import annotations

from dataclasses import dataclass


class DocumentError(Exception):
    """A document, or a value in one, that FieldSync cannot accept."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidValue(DocumentError):
    """A single value (money, percentage, quantity) that does not parse."""


class UnsupportedSchema(DocumentError):
    """A `schema_version` this server cannot migrate (unknown, or from a newer app)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document; `field` is a dotted path like `lines[2].quantity`."""

    field: str
    message: str
    key: str = ""  # the refusal's key in the message catalogue (`catalogue.py`), if it has one
