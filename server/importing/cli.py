"""`fieldsync import customers|products FILE`: the import with a progress bar and a row report."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from server.bootstrap import Services
from server.importing.errors import ImportFailure
from server.importing.readers import read_rows
from server.importing.service import Importer, ImportReport
from server.sales.catalog import CatalogService
from server.sales.errors import SalesError
from sync.publish import MasterDataPublisher


def run_import(services: Services, kind: str, path: str) -> int:
    """Import the file; print every bad row. Exit status 0 on success, 1 when nothing changed."""
    data = Path(path).read_bytes()
    catalog = CatalogService(services.sessions, MasterDataPublisher(
        services.store, services.sessions, services.settings.db_prefix))
    try:
        total = len(read_rows(path, data))
        bar = tqdm(total=total, unit="row", desc=f"checking {kind}",
                   file=sys.stderr)
        try:
            report = Importer(services.sessions, catalog).run(
                kind, path, data, lambda n: bar.update(n))
        finally:
            bar.close()
    except (ImportFailure, SalesError) as exc:
        click.echo(f"Nothing imported: {exc}", err=True)
        return 1
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
