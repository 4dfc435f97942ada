"""CSV and XLSX exports of a report table (openpyxl); pure, no web framework."""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from server.reports.errors import InvalidFilterError
from server.reports.table import Column, ReportTable

FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
NUMBER_FORMATS = {"money": "#,##0.00", "pct": "0.0", "number": "0.0##", "int": "0",
                  "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_format(name: str | None) -> str:
    fmt = (name or "json").lower()
    if fmt not in FORMATS:
        raise InvalidFilterError(f"format must be one of {', '.join(FORMATS)}, not {name!r}")
    return fmt


def _text_cell(value: Any, column: Column, tz: tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat(timespec="seconds")
    text = str(value)
    if column.kind == "text" and text.startswith(FORMULA_START):
        return "'" + text
    return text


def to_csv(table: ReportTable, tz: tzinfo) -> bytes:
    """UTF-8 CSV with a BOM (so spreadsheet programs read Indian names right), titles first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.title for c in table.columns])
    for row in table.rows:
        writer.writerow([_text_cell(row.get(c.key), c, tz) for c in table.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(value: Any, column: Column, tz: tzinfo) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, Decimal):
        return value
    if column.kind == "text":
        return _text_cell(value, column, tz)
    return value


def to_xlsx(table: ReportTable, tz: tzinfo) -> bytes:
    """One sheet named after the report, bold titles, numbers and dates as real cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name[:31])
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(row.get(column.key), column, tz))
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(table: ReportTable, fmt: str, tz: tzinfo) -> bytes:
    """The table in `fmt` (csv or xlsx)."""
    return to_xlsx(table, tz) if fmt == "xlsx" else to_csv(table, tz)
