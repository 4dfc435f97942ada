"""The import package's exceptions."""

from __future__ import annotations


class ImportFailure(Exception):
    """Base of import failures that concern the whole file, not single rows."""

    status = 400


class UnreadableFileError(ImportFailure):
    """The file is not a CSV or XLSX FieldSync can read, or it lacks the required columns."""

    status = 422


class UnsafeFileError(ImportFailure):
    """The file holds what no spreadsheet program writes and FieldSync refuses: XML entities."""

    status = 400


class FileTooLargeError(ImportFailure):
    """The file, its uncompressed parts, its rows or its columns exceed an import cap."""

    status = 413


class ImportJobNotFound(ImportFailure):
    """No import job has that id."""

    status = 404
