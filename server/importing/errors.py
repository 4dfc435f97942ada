"""The import package's exceptions."""

from __future__ import annotations


class ImportFailure(Exception):
    """Base of import failures that concern the whole file, not single rows."""

    status = 400


class UnreadableFileError(ImportFailure):
    """The file is not a CSV or XLSX FieldSync can read, or it lacks the required columns."""

    status = 422
