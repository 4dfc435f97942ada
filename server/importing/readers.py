"""Reading CSV and XLSX files into rows keyed by normalised column names."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import load_workbook

from server.importing.errors import UnreadableFileError

MAX_ROWS = 50_000
Row = dict[str, Any]


def column_key(header: Any) -> str:
    """'GST Rate ' -> 'gst_rate': how people write headings, mapped to field names."""
    return "_".join(str(header or "").strip().lower().replace("-", " ").split())


def read_rows(filename: str, data: bytes) -> list[Row]:
    """Rows of the first sheet (XLSX) or of the file (CSV); the first row names the columns."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = list(_xlsx_rows(data))
    elif name.endswith(".csv"):
        raw = list(_csv_rows(data))
    else:
        raise UnreadableFileError(f"{filename!r} is neither .csv nor .xlsx; save the sheet in one "
                                  "of those formats")
    if not raw:
        raise UnreadableFileError("the file is empty: the first row must name the columns")
    header = [column_key(h) for h in raw[0]]
    if len(raw) - 1 > MAX_ROWS:
        raise UnreadableFileError(f"the file has {len(raw) - 1:,} rows; import at most "
                                  f"{MAX_ROWS:,} at a time")
    return [dict(zip(header, _pad(values, len(header)), strict=True)) for values in raw[1:]
            if any(v not in (None, "") for v in values)]


def _pad(values: Sequence[Any], width: int) -> list[Any]:
    return [*values[:width], *([None] * (width - len(values)))]


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError("the CSV file is not UTF-8 text; save it as 'CSV UTF-8'") \
            from None
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise UnreadableFileError(f"the CSV file cannot be read: {exc}") from None


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise UnreadableFileError(f"the XLSX file cannot be opened ({exc.__class__.__name__}); "
                                  "save it again from the spreadsheet program") from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        book.close()


def require_columns(rows: Sequence[Row], needed: Sequence[str]) -> None:
    """Refuse a file that lacks a required column, naming it."""
    present = set(rows[0]) if rows else set()
    missing = [c for c in needed if c not in present]
    if missing:
        raise UnreadableFileError(f"the file lacks the column(s) {', '.join(missing)}; the first "
                                  "row must name the columns")
