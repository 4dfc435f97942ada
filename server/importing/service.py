"""Importing customers or products: check every row, report each bad one, write all or none."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.importing.limits import ImportLimits
from server.importing.readers import Row, RowSource, open_rows, require_columns
from server.sales.catalog import CatalogService
from server.sales.errors import InvalidRequestError
from server.sales.masterdata import check_customer, check_product
from server.sql.models.master import Territory

KINDS = ("customers", "products")
REQUIRED = {"customers": ("customer_id", "name", "state_code", "territory_code"),
            "products": ("product_id", "name", "hsn_code", "gst_rate")}
KEYS = {"customers": "customer_id", "products": "product_id"}
# (stage, rows read so far, rows in the file when known); stage is "reading" or "saving".
Progress = Callable[[str, int, int | None], None]
# Runs inside the import's own transaction, so whatever it records commits with the rows.
OnCommit = Callable[[Session, int], None]


@dataclass(frozen=True)
class RowError:
    """One bad row: its number as the spreadsheet shows it (the header is row 1)."""

    row: int
    key: str
    errors: dict[str, list[str]]


@dataclass
class ImportReport:
    """What an import did: rows imported, or every bad row and nothing imported."""

    kind: str
    rows: int
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RowChecker:
    """Checks rows one at a time as they are read, including ids repeated within the file."""

    def __init__(self, kind: str, territories: set[str]) -> None:
        self.kind = kind
        self.territories = territories
        self.seen: dict[str, int] = {}

    def check(self, number: int, row: Mapping[str, Any]) -> list[RowError]:
        key_field = KEYS[self.kind]
        key = str(row.get(key_field) or "").strip()
        problems = []
        try:
            if self.kind == "customers":
                check_customer(row, self.territories.__contains__)
            else:
                check_product(row)
        except InvalidRequestError as exc:
            problems.append(RowError(number, key, exc.errors))
        if key and key in self.seen:
            problems.append(RowError(number, key, {key_field: [
                f"repeats row {self.seen[key]}; each {key_field} may appear once"]}))
        self.seen.setdefault(key, number)
        return problems


class Importer:
    """Imports a CSV or XLSX file of customers or products through the catalog service."""

    def __init__(self, sessions: sessionmaker[Session], catalog: CatalogService,
                 limits: ImportLimits) -> None:
        self.sessions = sessions
        self.catalog = catalog
        self.limits = limits

    def run(self, kind: str, filename: str, data: bytes, progress: Progress | None = None,
            on_commit: OnCommit | None = None) -> ImportReport:
        """Read and check every row; save them all in one transaction only if none is bad."""
        if kind not in KINDS:
            raise InvalidRequestError(f"import customers or products, not {kind!r}")
        report_progress = progress or (lambda _stage, _read, _total: None)
        with open_rows(filename, data, self.limits) as source:
            require_columns(source.columns, REQUIRED[kind])
            rows, errors = self._check(kind, source, report_progress)
        report = ImportReport(kind, len(rows), errors=errors)
        if errors or not rows:
            return report
        report_progress("saving", source.total or len(rows), source.total)
        report.imported = self._save(kind, rows, on_commit)
        return report

    def _check(self, kind: str, source: RowSource, progress: Progress
               ) -> tuple[list[Row], list[RowError]]:
        checker = RowChecker(kind, self._territories())
        rows: list[Row] = []
        errors: list[RowError] = []
        for number, row in source.rows:
            errors.extend(checker.check(number, row))
            rows.append(row)
            progress("reading", number - 1, source.total)
        return rows, errors

    def _territories(self) -> set[str]:
        with self.sessions() as s:
            return set(s.scalars(select(Territory.code)))

    def _save(self, kind: str, rows: list[Row], on_commit: OnCommit | None) -> int:
        def record(session: Session) -> None:
            if on_commit is not None:
                on_commit(session, len(rows))

        if kind == "customers":
            return len(self.catalog.save_customers(rows, before_commit=record))
        return len(self.catalog.save_products(rows, before_commit=record))
