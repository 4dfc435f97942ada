"""`fieldsync import customers|products FILE`: the import with a progress bar and a row report.

The same importer as the API's jobs, run here synchronously: an operator at a terminal waits
for it anyway, and the caps apply just the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from server.bootstrap import Services
from server.importing.errors import ImportFailure
from server.importing.limits import ImportLimits
from server.importing.service import Importer, ImportReport
from server.sales.catalog import CatalogService
from server.sales.errors import SalesError
from sync.publish import MasterDataPublisher


class _Bar:
    """tqdm fed by the importer's progress: the total appears once the file is opened."""

    def __init__(self, kind: str) -> None:
        self.bar = tqdm(total=None, unit="row", desc=f"checking {kind}", file=sys.stderr)
        self.kind = kind

    def __call__(self, stage: str, rows_read: int, rows_total: int | None) -> None:
        if rows_total is not None and self.bar.total != rows_total:
            self.bar.total = rows_total
        if stage == "saving":
            self.bar.set_description(f"saving {self.kind}")
        self.bar.update(rows_read - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def run_import(services: Services, kind: str, path: str) -> int:
    """Import the file; print every bad row. Exit status 0 on success, 1 when nothing changed."""
    limits = ImportLimits.from_settings(services.settings)
    file = Path(path)
    if file.stat().st_size > limits.max_upload_bytes:
        click.echo(f"Nothing imported: {path} is larger than FIELDSYNC_IMPORT_MAX_UPLOAD_BYTES "
                   f"({limits.max_upload_bytes:,} bytes); split it", err=True)
        return 1
    catalog = CatalogService(services.sessions, MasterDataPublisher(
        services.store, services.sessions, services.settings.db_prefix))
    bar = _Bar(kind)
    try:
        report = Importer(services.sessions, catalog, limits).run(
            kind, path, file.read_bytes(), bar)
    except (ImportFailure, SalesError) as exc:
        click.echo(f"Nothing imported: {exc}", err=True)
        return 1
    finally:
        bar.close()
    _print(report)
    return 0 if report.ok else 1


def _print(report: ImportReport) -> None:
    if report.ok:
        click.echo(f"Imported {report.imported} {report.kind}; phones get them on their next sync")
        return
    for bad in report.errors:
        for field, messages in bad.errors.items():
            for message in messages:
                click.echo(f"row {bad.row} ({bad.key or 'no id'}): {field} {message}", err=True)
    click.echo(f"Nothing imported: {len(report.errors)} of {report.rows} rows have problems",
               err=True)
