"""Import bombs: what an admin's CSV or XLSX upload may not do to the server.

A file is queued (202) and read by the scheduler's job runner, never inside a request; reading
streams rows and stops at the caps; an XLSX is checked for zip bombs and XML entities before
openpyxl opens it, and openpyxl itself parses through defusedxml.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import defusedxml.ElementTree
import openpyxl.xml
import openpyxl.xml.functions
import pytest
from click.testing import CliRunner
from defusedxml import EntitiesForbidden
from openpyxl import load_workbook
from sqlalchemy import func, select

from server import cli
from server.bootstrap import Services
from server.importing.jobs import INTERRUPTED, LEASE, ImportJobRunner, ImportJobs, LeaseLost
from server.importing.limits import ImportLimits
from server.jobs import build_scheduler
from server.sql.models.imports import ImportJob
from server.sql.models.master import Product
from tests.support.api import ApiClient, api_client, assert_error, seed
from tests.support.imports import (
    PRODUCT_HEADER,
    crafted_xlsx,
    import_job,
    million_row_xlsx,
    product_rows,
    row_xml,
    run_queued,
    upload,
    zip_bomb,
)

ENTITY_DOCTYPE = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
                  '&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')


@pytest.fixture
def api(services: Services) -> Iterator[ApiClient]:
    seed(services)
    yield api_client(services)


def _products(services: Services) -> int:
    with services.sessions() as s:
        return s.scalar(select(func.count()).select_from(Product)) or 0


def _jobs(services: Services) -> int:
    with services.sessions() as s:
        return s.scalar(select(func.count()).select_from(ImportJob)) or 0


# The declared dimension -------------------------------------------------------------------------

def test_a_sheet_declaring_a1_xfd4000_is_read_in_bounded_memory(
        api: ApiClient, services: Services) -> None:
    """openpyxl padded every row to the declared 16,384 columns: 470 MB for a 1.9 KB file."""
    data = crafted_xlsx([row_xml(1, PRODUCT_HEADER), *product_rows(3), *["<row/>"] * 4000],
                        dimension="A1:XFD4000")
    assert len(data) < 2048
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        job = import_job(api, "products", "bomb.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024, f"reading grew the server by {peak / 1e6:.0f} MB"
    assert (job["status"], job["imported"], job["rows_total"]) == ("done", 3, 4003), job


# The row, column and size caps -------------------------------------------------------------------

@pytest.fixture(scope="module")
def million_rows() -> bytes:
    return million_row_xlsx()


def test_a_million_row_xlsx_is_refused_at_the_cap_without_reading_it_all(
        api: ApiClient, services: Services, million_rows: bytes) -> None:
    r = upload(api, "products", "million.xlsx", million_rows)
    assert r.status_code == 202, r.json
    queued = api.get(f"/api/v1/imports/jobs/{r.json['id']}", "adam").json
    assert (queued["status"], queued["rows_read"]) == ("queued", 0)  # the request only queued it
    run_queued(api)
    job = api.get(f"/api/v1/imports/jobs/{r.json['id']}", "adam").json
    assert job["status"] == "failed"
    assert "more than 50,000 rows" in job["message"]
    assert job["rows_read"] == 0  # refused by counting, before a single row was converted
    assert _products(services) == 3


def test_a_csv_past_the_row_cap_and_a_sheet_past_the_column_cap_are_refused(
        api: ApiClient, services: Services) -> None:
    rows = "product_id,name,hsn_code,gst_rate\n" + "P-1,x,8418,18\n" * 50_001
    job = import_job(api, "products", "many.csv", rows.encode())
    assert job["status"] == "failed" and "more than 50,000 rows" in job["message"]
    wide = ",".join(["product_id", "name", "hsn_code", "gst_rate"]
                    + [f"extra {n}" for n in range(200)])
    job = import_job(api, "products", "wide.csv", f"{wide}\nP-1,x,8418,18\n".encode())
    assert job["status"] == "failed" and "more than 100 columns" in job["message"]
    assert _products(services) == 3


def test_an_upload_past_the_byte_cap_is_refused(api: ApiClient, services: Services) -> None:
    body = assert_error(upload(api, "products", "big.csv", b"x" * (10 * 1024 * 1024 + 1)), 413)
    assert "larger than 10 MB" in body["message"]
    assert _jobs(services) == 0


def test_a_zip_bomb_is_refused_before_anything_is_inflated(
        api: ApiClient, services: Services) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    body = assert_error(upload(api, "products", "bomb.xlsx", bomb), 413)
    # Refused by the sizes the zip declares: the message names them, nothing was inflated.
    assert "unpacks to 200 MB" in body["message"] and "at most 64 MB" in body["message"]
    assert _jobs(services) == 0


def _understate(data: bytes, name: str, declared: int) -> bytes:
    """The zip with `name`'s uncompressed size rewritten, in both its headers, to `declared`."""
    buf = bytearray(data)
    at = buf.find(b"PK\x01\x02")
    while at >= 0:
        name_len, local_at = struct.unpack_from("<H", buf, at + 28)[0], struct.unpack_from(
            "<I", buf, at + 42)[0]
        if buf[at + 46:at + 46 + name_len] == name.encode():
            struct.pack_into("<I", buf, at + 24, declared)
            struct.pack_into("<I", buf, local_at + 22, declared)
        at = buf.find(b"PK\x01\x02", at + 4)
    return bytes(buf)


def test_a_zip_that_understates_a_part_never_inflates_past_what_it_declares(
        api: ApiClient, services: Services) -> None:
    honest = crafted_xlsx([row_xml(1, PRODUCT_HEADER), *product_rows(3),
                           *(" " * 1_000_000 for _ in range(100))])
    data = _understate(honest, "xl/worksheets/sheet1.xml", 20_000)
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # what the size check sees: 20 KB
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == 20_000
    tracemalloc.start()
    try:
        job = import_job(api, "products", "liar.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert job["status"] == "failed" and "save the sheet again" in job["message"], job
    assert peak < 50 * 1024 * 1024
    assert _products(services) == 3


def test_oversized_rows_and_side_parts_are_refused(api: ApiClient) -> None:
    wide_row = "<row r=\"2\">" + "<c><v>1</v></c>" * 70_000 + "</row>"
    job = import_job(api, "products", "wide-row.xlsx",
                     crafted_xlsx([row_xml(1, PRODUCT_HEADER), wide_row]))
    assert job["status"] == "failed" and "row 2" in job["message"]
    styles = crafted_xlsx([row_xml(1, PRODUCT_HEADER)],
                          extra={"xl/styles.xml": b"<styleSheet>" + b" " * 9_000_000
                                 + b"</styleSheet>"})
    body = assert_error(upload(api, "products", "styles.xlsx", styles), 413)
    assert "xl/styles.xml" in body["message"]


# XML entities -----------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["sheet", "workbook"])
def test_xml_entities_are_refused_with_400_and_a_reason(
        api: ApiClient, services: Services, where: str) -> None:
    rows = [row_xml(1, PRODUCT_HEADER), row_xml(2, ["P-1", "&c;", 8418, 18])]
    if where == "sheet":
        data = crafted_xlsx(rows, doctype=ENTITY_DOCTYPE)
    else:
        data = _with_part(crafted_xlsx(rows[:1]), "xl/workbook.xml",
                          '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY x SYSTEM '
                          '"file:///etc/passwd">]><workbook>&x;</workbook>')
    body = assert_error(upload(api, "products", "entities.xlsx", data), 400)
    assert "XML entities" in body["message"]
    assert _jobs(services) == 0


def _with_part(data: bytes, name: str, text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, text if info.filename == name else src.read(info))
    return out.getvalue()


def test_openpyxl_itself_parses_through_defusedxml() -> None:
    """The second line of defence, should a file ever reach openpyxl unchecked."""
    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse is defusedxml.ElementTree.iterparse
    data = crafted_xlsx([row_xml(1, ["&c;"])], doctype=ENTITY_DOCTYPE)
    with pytest.raises(ValueError) as refused:  # openpyxl wraps it while sizing the sheet
        load_workbook(io.BytesIO(data), read_only=True)
    causes = []
    cause: BaseException | None = refused.value
    while cause is not None:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    assert any(isinstance(c, EntitiesForbidden) for c in causes), causes


# The job flow -----------------------------------------------------------------------------------

def test_an_import_job_reaches_done_with_its_counts(api: ApiClient, services: Services) -> None:
    data = crafted_xlsx([row_xml(1, PRODUCT_HEADER), *product_rows(40)])
    job = import_job(api, "products", "products.xlsx", data)
    assert (job["status"], job["rows_read"], job["rows_total"], job["imported"],
            job["errors"], job["requested_by"]) == ("done", 40, 40, 40, [], "adam")
    assert job["finished_at"] and job["started_at"]
    assert _products(services) == 43


def test_a_bad_files_job_fails_listing_every_bad_row(api: ApiClient, services: Services) -> None:
    rows = [row_xml(1, PRODUCT_HEADER), *product_rows(2),
            row_xml(4, ["P-4", "Pump", 84, 18]), row_xml(5, ["P-5", "", 8418, 18]),
            row_xml(6, ["P-6", "Seal", 8484, 180]), row_xml(7, ["P-2", "Again", 8418, 18])]
    job = import_job(api, "products", "bad.xlsx", crafted_xlsx(rows))
    assert job["status"] == "failed" and job["imported"] == 0
    assert job["message"] == "4 row(s) have problems; nothing was imported"
    listed = {(e["row"], e["key"], field) for e in job["errors"] for field in e["errors"]}
    assert listed == {(4, "P-4", "hsn_code"), (5, "P-5", "name"), (6, "P-6", "gst_rate"),
                      (7, "P-2", "product_id")}
    assert _products(services) == 3
    assert_error(api.get("/api/v1/imports/jobs/nope", "adam"), 404)
    assert_error(api.get(f"/api/v1/imports/jobs/{job['id']}", "hema"), 403)
    assert_error(upload(api, "products", "p.csv", b"x", user="hema"), 403)


def test_a_job_whose_runner_stopped_is_marked_failed_and_imports_nothing(
        api: ApiClient, services: Services) -> None:
    now = [datetime.now(UTC)]
    base = services.imports
    jobs = ImportJobs(services.sessions, base.limits, base.importer, clock=lambda: now[0])
    data = crafted_xlsx([row_xml(1, PRODUCT_HEADER), *product_rows(5)])
    job_id = upload(api, "products", "p.xlsx", data).json["id"]
    assert jobs.claim("crashed-scheduler") == job_id
    now[0] += LEASE + timedelta(seconds=1)  # the crashed runner never renewed its lease
    assert jobs.claim("next-scheduler") is None
    job = api.get(f"/api/v1/imports/jobs/{job_id}", "adam").json
    assert (job["status"], job["message"]) == ("failed", INTERRUPTED)
    jobs.run(job_id, "crashed-scheduler")  # a runner that was only slow finds nothing to do
    with pytest.raises(LeaseLost):  # and had it been saving, its rows would not commit
        base.importer().run("products", "p.xlsx", data,
                            on_commit=jobs.commit_hook(job_id, "crashed-scheduler"))
    assert api.get(f"/api/v1/imports/jobs/{job_id}", "adam").json["status"] == "failed"
    assert _products(services) == 3


def test_the_scheduler_runs_queued_imports_on_a_thread_of_their_own(
        api: ApiClient, services: Services) -> None:
    assert "import_jobs" in {j.id for j in build_scheduler(services).get_jobs()}
    runner = ImportJobRunner(services.imports)
    job_id = upload(api, "products", "p.xlsx",
                    crafted_xlsx([row_xml(1, PRODUCT_HEADER), *product_rows(5)])).json["id"]
    runner.tick()
    runner.join(30)
    runner.tick()  # nothing left: the tick only looks
    assert api.get(f"/api/v1/imports/jobs/{job_id}", "adam").json["status"] == "done"
    assert _products(services) == 8


def test_get_shows_the_progress_of_a_running_job(api: ApiClient, services: Services) -> None:
    data = crafted_xlsx([row_xml(1, PRODUCT_HEADER), *product_rows(2000)])
    job_id = upload(api, "products", "many.xlsx", data).json["id"]
    runner = ImportJobRunner(services.imports)
    runner.tick()
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/imports/jobs/{job_id}", "adam").json
        seen.append((job["status"], job["rows_read"], job["rows_total"]))
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    runner.join(30)
    assert seen[-1] == ("done", 2000, 2000)
    # (On SQLite a read waits while the rows are saved, so the brief "saving" may pass unseen.)
    assert any(status == "reading" and 0 < read < 2000 and total == 2000
               for status, read, total in seen), seen[:: max(1, len(seen) // 20)]
    reads = [read for status, read, _ in seen if status == "reading"]
    assert reads == sorted(reads)


def test_the_cli_reads_with_the_same_caps(api: ApiClient, services: Services, tmp_path: Path,
                                          million_rows: bytes,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_services", lambda: services)
    entities = tmp_path / "entities.xlsx"
    entities.write_bytes(crafted_xlsx([row_xml(1, ["&c;"])], doctype=ENTITY_DOCTYPE))
    result = CliRunner().invoke(cli.main, ["import", "products", str(entities)])
    assert result.exit_code == 1 and "Nothing imported" in result.output
    assert "XML entities" in result.output
    million = tmp_path / "million.xlsx"
    million.write_bytes(million_rows)
    result = CliRunner().invoke(cli.main, ["import", "products", str(million)])
    assert result.exit_code == 1 and "more than 50,000 rows" in result.output
    good = tmp_path / "good.xlsx"
    good.write_bytes(crafted_xlsx([row_xml(1, PRODUCT_HEADER), *product_rows(4)]))
    result = CliRunner().invoke(cli.main, ["import", "products", str(good)])
    assert result.exit_code == 0 and "Imported 4 products" in result.output
    assert _products(services) == 7


def test_limits_come_from_the_settings(services: Services) -> None:
    limits = ImportLimits.from_settings(services.settings.with_overrides(
        import_max_rows=10, import_max_columns=5, import_max_upload_bytes=1000,
        import_max_unzipped_bytes=2000))
    assert limits == ImportLimits(10, 5, 1000, 2000)
