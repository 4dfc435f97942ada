"""Import files and the import job flow for tests: upload, run the queued job, read it back."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from server.bootstrap import Services
from server.importing.jobs import ImportJobRunner
from tests.support.api import ApiClient, Reply

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
OOXML = "http://schemas.openxmlformats.org"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    f'{XML}<Types xmlns="{OOXML}/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}.worksheet+xml"/>'
    "</Types>")
RELATIONSHIPS = f"{OOXML}/officeDocument/2006/relationships"
ROOT_RELS = (f'{XML}<Relationships xmlns="{OOXML}/package/2006/relationships">'
             f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" '
             'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (f'{XML}<workbook xmlns="{OOXML}/spreadsheetml/2006/main" '
            f'xmlns:r="{RELATIONSHIPS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>")
WORKBOOK_RELS = (f'{XML}<Relationships xmlns="{OOXML}/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
                 'Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = (XML + '{doctype}<worksheet xmlns="' + OOXML + '/spreadsheetml/2006/main">'
              "{dimension}<sheetData>")
SHEET_TAIL = "</sheetData></worksheet>"


def cell(ref: str, value: Any) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def row_xml(number: int, values: Iterable[Any]) -> str:
    cells = "".join(cell(f"{chr(65 + i)}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def crafted_xlsx(rows: Iterable[str], *, dimension: str = "", doctype: str = "",
                 compression: int = zipfile.ZIP_DEFLATED, extra: dict[str, bytes] | None = None
                 ) -> bytes:
    """A minimal XLSX written by hand, so a test controls every byte openpyxl will see."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_HEAD.format(doctype=doctype, dimension=dim).encode())
            chunk: list[str] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= 10_000:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            sheet.write("".join(chunk).encode())
            sheet.write(SHEET_TAIL.encode())
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


PRODUCT_HEADER = ["Product ID", "Name", "HSN Code", "GST Rate"]


def million_row_xlsx() -> bytes:
    """1,000,000 one-cell rows after a product header: 26 MB of sheet XML, ~100 KB zipped."""
    return crafted_xlsx([row_xml(1, PRODUCT_HEADER),
                         *("<row><c><v>1</v></c></row>" for _ in range(1_000_000))])


def zip_bomb() -> bytes:
    """A sheet part that unpacks to 200 MB of spaces from well under 1 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(200):
                part.write(b" " * (1024 * 1024))
    return out.getvalue()


def product_rows(count: int, start: int = 2) -> list[str]:
    return [row_xml(n, [f"P-{n}", f"Product {n}", 8418, 18]) for n in range(start, start + count)]


def upload(api: ApiClient, kind: str, name: str, data: bytes, user: str = "adam") -> Reply:
    return api.post(f"/api/v1/imports/{kind}", user,
                    data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def run_queued(api: ApiClient) -> None:
    """Run every queued import job as the scheduler would, here and now."""
    while api.services.imports.run_next("test-runner") is not None:
        pass


def import_job(api: ApiClient, kind: str, name: str, data: bytes) -> dict[str, Any]:
    """Upload, run the queued job, and answer the job as GET shows it."""
    r = upload(api, kind, name, data)
    assert r.status_code == 202, (r.status_code, r.json)
    assert r.headers["Location"] == f"/api/v1/imports/jobs/{r.json['id']}"
    assert r.json["status"] == "queued"
    run_queued(api)
    job = api.get(f"/api/v1/imports/jobs/{r.json['id']}", "adam")
    assert job.status_code == 200, job.json
    result: dict[str, Any] = job.json
    return result


@contextmanager
def scheduler_running_imports(services: Services, every_s: float = 0.1) -> Iterator[None]:
    """The scheduler's import runner ticking in the background, as `fieldsync scheduler` does."""
    runner = ImportJobRunner(services.imports)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_s):
            runner.tick()

    thread = threading.Thread(target=loop, name="import-runner", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)
        runner.join(30)
