"""Checks an XLSX before and while openpyxl reads it: zip bombs, XML entities, oversized sheets.

openpyxl's read-only mode streams rows, but it still trusts the file in ways an attacker can use:
it pads every row to the declared `<dimension>` (a 1.5 KB file declaring A1:XFD4000 becomes 65
million cells), it builds each `<row>` element whole, and it parses everything before the sheet
data into objects. These checks bound each of those before openpyxl does the work.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader

from server.importing.errors import FileTooLargeError, UnreadableFileError, UnsafeFileError
from server.importing.limits import ImportLimits, megabytes

MAX_PARTS = 1_000
# styles, workbook, relationships: a spreadsheet program writes them well under 1 MB.
MAX_OTHER_XML_BYTES = 8 * 1024 * 1024
BULK_PARTS = ("xl/worksheets/", "xl/sharedstrings.xml")
# A full-width Excel row (XFD = 16,384 cells) with a value and a formula in every cell.
MAX_ELEMENTS_PER_ROW = 65_536
# Column widths, merged cells, views... before the rows: a few hundred in real files.
MAX_ELEMENTS_OUTSIDE_ROWS = 100_000
CHUNK = 64 * 1024
PROLOG_BYTES = 16 * 1024
REFUSED_ENTITIES = ("the XLSX file declares XML entities, which spreadsheet programs never "
                    "write and FieldSync refuses; save the sheet again from the spreadsheet "
                    "program")


class _Stop(Exception):
    """Ends a scan early once it has seen what it needed."""


def open_archive(data: bytes, limits: ImportLimits) -> zipfile.ZipFile:
    """The XLSX's zip, refused when its parts would unpack past the caps.

    The sizes come from the zip's directory; Python's zipfile never inflates a part past the
    size declared there (a part that lies fails its CRC check), so checking them bounds the
    work before anything is decompressed.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise UnreadableFileError("the XLSX file is not a valid spreadsheet (not a zip "
                                  "archive); save it again from the spreadsheet program") from None
    try:
        _check_sizes(archive.infolist(), limits)
    except Exception:
        archive.close()
        raise
    return archive


def _check_sizes(infos: list[zipfile.ZipInfo], limits: ImportLimits) -> None:
    if len(infos) > MAX_PARTS:
        raise FileTooLargeError(f"the XLSX file has {len(infos):,} parts; a spreadsheet has a "
                                f"few dozen (at most {MAX_PARTS:,} are read)")
    total = sum(info.file_size for info in infos)
    if total > limits.max_unzipped_bytes:
        raise FileTooLargeError(
            f"the XLSX file unpacks to {megabytes(total)}; FieldSync reads at most "
            f"{megabytes(limits.max_unzipped_bytes)} uncompressed: split it into smaller files")
    for info in infos:
        if (_is_xml(info.filename) and not info.filename.lower().startswith(BULK_PARTS)
                and info.file_size > MAX_OTHER_XML_BYTES):
            raise FileTooLargeError(
                f"the XLSX part {info.filename!r} unpacks to {megabytes(info.file_size)}; a "
                f"spreadsheet's {info.filename.rsplit('/', 1)[-1]} stays under "
                f"{megabytes(MAX_OTHER_XML_BYTES)}")


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def check_xml_prologs(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part whose prolog declares entities (a DTD can only precede the root).

    openpyxl parses through defusedxml as well; checking here answers before any work starts
    and whatever XML library openpyxl happens to pick.
    """
    for info in archive.infolist():
        if _is_xml(info.filename):
            _check_prolog(archive, info)


def _check_prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    # Spreadsheet programs start the root element at once: reading no further than
    # PROLOG_BYTES of each part keeps this cheap enough for a request.
    with archive.open(info) as stream:
        head = stream.read(PROLOG_BYTES)
    try:
        _scan(io.BytesIO(head), _stop_at_root, info.filename)
    except UnreadableFileError:
        if info.file_size <= PROLOG_BYTES:
            raise
        raise UnreadableFileError(
            f"the XLSX part {info.filename!r} does not begin like a spreadsheet's XML (no "
            "root element in its first 16 KB); save the sheet again from the spreadsheet "
            "program") from None


def _stop_at_root(_name: str, _attrs: dict[str, str]) -> None:
    raise _Stop


def _scan(stream: IO[bytes], on_start: Callable[[str, dict[str, str]], None], part: str,
          on_end: Callable[[str], None] | None = None) -> None:
    """Feed the part to expat with entity declarations refused; on_start may raise _Stop."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_external
    parser.StartElementHandler = on_start
    if on_end is not None:
        parser.EndElementHandler = on_end
    try:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        return
    except expat.ExpatError as exc:
        raise UnreadableFileError(f"the XLSX part {part!r} is not well-formed XML ({exc}); "
                                  "save the sheet again from the spreadsheet program") from None
    except (zipfile.BadZipFile, OSError, EOFError):
        raise UnreadableFileError(f"the XLSX part {part!r} is damaged; save the sheet again "
                                  "from the spreadsheet program") from None


def _refuse_entity(*_args: object) -> None:
    raise UnsafeFileError(REFUSED_ENTITIES)


def _refuse_external(*_args: object) -> int:
    raise UnsafeFileError(REFUSED_ENTITIES)


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


@dataclass
class SheetShape:
    """What a worksheet really holds, as counted by `scan_sheet`."""

    last_row: int = 0  # the highest row number written: what openpyxl will yield, with gaps
    rows: int = 0


class _SheetScan:
    """Counts rows and elements of a worksheet, refusing past the caps, up to </sheetData>."""

    def __init__(self, limits: ImportLimits, stop_at_dimension: bool) -> None:
        self.limits = limits
        self.stop_at_dimension = stop_at_dimension
        self.shape = SheetShape()
        self.in_data = False
        self.row_elements = -1  # -1: outside a <row>
        self.outside = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if self.row_elements >= 0:
            self.row_elements += 1
            if self.row_elements > MAX_ELEMENTS_PER_ROW:
                raise FileTooLargeError(f"row {self.shape.last_row} of the sheet holds more "
                                        "cells than a spreadsheet row can")
        elif self.in_data and tag == "row":
            self._row(attrs.get("r"))
        elif tag == "sheetData":
            self.in_data = True
        elif tag == "dimension" and self.stop_at_dimension:
            raise _Stop  # openpyxl reads no further when it only sizes a sheet
        else:
            self.outside += 1
            if self.outside > MAX_ELEMENTS_OUTSIDE_ROWS:
                raise FileTooLargeError("the sheet holds too many elements besides its rows "
                                        "(formatting, merged cells); copy the data into a new "
                                        "sheet")

    def _row(self, number: str | None) -> None:
        self.shape.rows += 1
        try:
            index = int(float(number)) if number else self.shape.last_row + 1
        except (ValueError, OverflowError):
            raise UnreadableFileError(
                f"the sheet has a row numbered {str(number)[:20]!r}") from None
        self.shape.last_row = max(self.shape.last_row, index)
        if max(self.shape.rows, self.shape.last_row) > self.limits.max_rows + 1:
            raise FileTooLargeError(f"the file has more than {self.limits.max_rows:,} rows; "
                                    f"import at most {self.limits.max_rows:,} at a time")
        self.row_elements = 0

    def end(self, name: str) -> None:
        tag = _local(name)
        if tag == "row" and self.row_elements >= 0:
            self.row_elements = -1
        elif tag == "sheetData":
            raise _Stop  # openpyxl is stopped at the last row, so what follows is never parsed


def worksheet_paths(data: bytes) -> list[str]:
    """The worksheets openpyxl will open, in its order, found as openpyxl finds them."""
    reader = ExcelReader(io.BytesIO(data), read_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        return [rel.target for _sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
    finally:
        reader.archive.close()


def check_sheets(data: bytes, archive: zipfile.ZipFile, limits: ImportLimits
                 ) -> tuple[str, SheetShape]:
    """The first worksheet's path and extent; every worksheet checked against the caps.

    Opening a workbook, openpyxl sizes each sheet by reading up to its `<dimension>`, or through
    all its rows when it declares none, so every sheet is bounded here first.
    """
    paths = worksheet_paths(data)
    if not paths:
        raise UnreadableFileError("the XLSX file has no worksheet")
    for other in paths[1:]:
        scan_sheet(archive, other, limits, stop_at_dimension=True)
    return paths[0], scan_sheet(archive, paths[0], limits)


def scan_sheet(archive: zipfile.ZipFile, path: str, limits: ImportLimits,
               stop_at_dimension: bool = False) -> SheetShape:
    """The sheet's real extent, read with expat before openpyxl builds anything from it."""
    scan = _SheetScan(limits, stop_at_dimension)
    try:
        stream = archive.open(path.lstrip("/"))
    except KeyError:
        raise UnreadableFileError(f"the XLSX file lacks its sheet {path!r}") from None
    with stream:
        _scan(stream, scan.start, path, scan.end)
    return scan.shape
