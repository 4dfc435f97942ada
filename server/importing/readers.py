"""Reading CSV and XLSX files as a stream of rows, with every cap checked while reading.

Nothing here trusts what a file says about itself: an XLSX's declared dimension is ignored, the
rows are counted as they come and reading stops at the row cap, only the header's columns are
kept, and an XLSX is checked for zip bombs and XML entities before openpyxl opens it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import load_workbook

from server.importing.errors import FileTooLargeError, UnreadableFileError, UnsafeFileError
from server.importing.limits import ImportLimits, megabytes
from server.importing.xlsx_guard import (
    REFUSED_ENTITIES,
    check_sheets,
    check_xml_prologs,
    open_archive,
)

Row = dict[str, Any]
# What openpyxl and the csv module raise on a damaged file, besides the XML refusals.
_BROKEN = (zipfile.BadZipFile, OSError, KeyError, IndexError, ValueError, TypeError,
           OverflowError, ParseError, csv.Error, EOFError)


def column_key(header: Any) -> str:
    """'GST Rate ' -> 'gst_rate': how people write headings, mapped to field names."""
    return "_".join(str(header or "").strip().lower().replace("-", " ").split())


@dataclass
class RowSource:
    """A file being read: its header's columns, its size when known, and its rows lazily."""

    columns: list[str]
    total: int | None  # rows after the header, blank ones included, when known before reading
    rows: Iterator[tuple[int, Row]]  # (row number as the spreadsheet shows it, values)


def check_upload(filename: str, data: bytes, limits: ImportLimits) -> None:
    """The cheap checks an upload passes before it is queued: type, size, zip, XML entities."""
    if len(data) > limits.max_upload_bytes:
        raise FileTooLargeError(f"the file is larger than {megabytes(limits.max_upload_bytes)}; "
                                "split it")
    kind = _file_kind(filename)
    if kind == "xlsx":
        with open_archive(data, limits) as archive:
            check_xml_prologs(archive)
    else:
        _csv_text(data)


@contextmanager
def open_rows(filename: str, data: bytes, limits: ImportLimits) -> Iterator[RowSource]:
    """The file's rows as a stream; the caps are enforced as the rows are taken."""
    check_upload(filename, data, limits)
    if _file_kind(filename) == "csv":
        raws, total, close = _csv_rows(data, limits)
    else:
        raws, total, close = _xlsx_rows(data, limits)
    try:
        yield _source(raws, total, limits)
    finally:
        close()


def _file_kind(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    raise UnreadableFileError(f"{filename!r} is neither .csv nor .xlsx; save the sheet in one "
                              "of those formats")


def _source(raws: Iterator[Sequence[Any]], total: int | None, limits: ImportLimits
            ) -> RowSource:
    header = next(raws, None)
    columns = [column_key(h) for h in header or ()]
    while columns and not columns[-1]:
        columns.pop()
    if not columns:
        raise UnreadableFileError("the file is empty: the first row must name the columns")
    if len(columns) > limits.max_columns:
        raise FileTooLargeError(f"the file has more than {limits.max_columns} columns; keep "
                                "only the columns the import reads")
    return RowSource(columns, total, _rows(raws, columns, limits))


def _rows(raws: Iterator[Sequence[Any]], columns: list[str], limits: ImportLimits
          ) -> Iterator[tuple[int, Row]]:
    width = len(columns)
    for number, values in enumerate(raws, start=2):
        if number > limits.max_rows + 1:
            raise FileTooLargeError(f"the file has more than {limits.max_rows:,} rows; import "
                                    f"at most {limits.max_rows:,} at a time")
        kept = [*values[:width], *([None] * (width - len(values)))]
        if any(v not in (None, "") for v in kept):
            yield number, dict(zip(columns, kept, strict=True))


def _csv_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError("the CSV file is not UTF-8 text; save it as 'CSV UTF-8'") \
            from None


Opened = tuple[Iterator[Sequence[Any]], int | None, Callable[[], None]]


def _csv_rows(data: bytes, limits: ImportLimits) -> Opened:
    text = _csv_text(data)
    total = _csv_count(text, limits)
    return _csv_records(text), total, lambda: None


def _csv_count(text: str, limits: ImportLimits) -> int:
    """Records after the header, counted up to the cap (a CSV is at most the upload cap)."""
    count = -1
    for count, _ in enumerate(_csv_records(text)):
        if count > limits.max_rows:
            raise FileTooLargeError(f"the file has more than {limits.max_rows:,} rows; import "
                                    f"at most {limits.max_rows:,} at a time")
    return max(count, 0)


def _csv_records(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise UnreadableFileError(f"the CSV file cannot be read: {exc}") from None


def _xlsx_rows(data: bytes, limits: ImportLimits) -> Opened:
    with open_archive(data, limits) as archive:
        try:
            path, shape = check_sheets(data, archive, limits)
        except Exception as exc:
            raise _refusal(exc) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise _refusal(exc) from None
    try:
        sheet = book.worksheets[0]
        if sheet._worksheet_path != path:  # openpyxl found another first sheet than the check
            raise UnreadableFileError("the XLSX file's first worksheet cannot be told apart")
        sheet.reset_dimensions()  # the declared <dimension> is ignored: rows come as written
    except Exception as exc:
        book.close()
        raise _refusal(exc) from None

    total = max(shape.last_row - 1, 0)
    return _xlsx_values(sheet, shape.last_row, limits), total, book.close


def _xlsx_values(sheet: Any, last_row: int, limits: ImportLimits) -> Iterator[Sequence[Any]]:
    """Rows up to the last one written; one column past the cap shows a too-wide header."""
    if last_row == 0:
        return
    values = sheet.iter_rows(min_row=1, max_row=last_row, max_col=limits.max_columns + 1,
                             values_only=True)
    for index in range(1, last_row + 1):
        try:
            row = next(values, None)
        except Exception as exc:
            raise _refusal(exc) from None
        if row is None:
            return
        yield row
        if index == last_row:
            return  # never ask openpyxl for more: what follows the rows stays unparsed


def _refusal(exc: Exception) -> Exception:
    """What the importer says about an exception openpyxl raised on a file."""
    if isinstance(exc, (UnreadableFileError, UnsafeFileError, FileTooLargeError)):
        return exc
    if isinstance(exc, DefusedXmlException):
        return UnsafeFileError(REFUSED_ENTITIES)
    if isinstance(exc, _BROKEN):
        return UnreadableFileError(f"the XLSX file cannot be read ({exc.__class__.__name__}); "
                                   "save it again from the spreadsheet program")
    return exc


def require_columns(columns: Sequence[str], needed: Sequence[str]) -> None:
    """Refuse a file that lacks a required column, naming it."""
    missing = [c for c in needed if c not in set(columns)]
    if missing:
        raise UnreadableFileError(f"the file lacks the column(s) {', '.join(missing)}; the first "
                                  "row must name the columns")
