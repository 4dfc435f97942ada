"""Importing customers or products: check every row, report each bad one, write all or none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.importing.readers import Row, read_rows, require_columns
from server.sales.catalog import CatalogService
from server.sales.errors import InvalidRequestError
from server.sales.masterdata import check_customer, check_product
from server.sql.models.master import Territory

KINDS = ("customers", "products")
REQUIRED = {"customers": ("customer_id", "name", "state_code", "territory_code"),
            "products": ("product_id", "name", "hsn_code", "gst_rate")}
KEYS = {"customers": "customer_id", "products": "product_id"}
Progress = Callable[[int], None]


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


def check_rows(kind: str, rows: list[Row], territories: set[str],
               progress: Progress | None = None) -> list[RowError]:
    """Every problem of every row, including ids repeated within the file."""
    seen: dict[str, int] = {}
    problems = []
    for number, row in enumerate(rows, start=2):
        key = str(row.get(KEYS[kind]) or "").strip()
        try:
            if kind == "customers":
                check_customer(row, territories.__contains__)
            else:
                check_product(row)
        except InvalidRequestError as exc:
            problems.append(RowError(number, key, exc.errors))
        if key and key in seen:
            problems.append(RowError(number, key, {KEYS[kind]: [
                f"repeats row {seen[key]}; each {KEYS[kind]} may appear once"]}))
        seen.setdefault(key, number)
        if progress is not None:
            progress(1)
    return problems


class Importer:
    """Imports a CSV or XLSX file of customers or products through the catalog service."""

    def __init__(self, sessions: sessionmaker[Session], catalog: CatalogService) -> None:
        self.sessions = sessions
        self.catalog = catalog

    def run(self, kind: str, filename: str, data: bytes,
            progress: Progress | None = None) -> ImportReport:
        if kind not in KINDS:
            raise InvalidRequestError(f"import customers or products, not {kind!r}")
        rows = read_rows(filename, data)
        require_columns(rows, REQUIRED[kind])
        report = ImportReport(kind, len(rows))
        report.errors = check_rows(kind, rows, self._territories(), progress)
        if report.errors or not rows:
            return report
        saved = self._save(kind, rows)
        report.imported = len(saved)
        return report

    def _territories(self) -> set[str]:
        with self.sessions() as s:
            return set(s.scalars(select(Territory.code)))

    def _save(self, kind: str, rows: list[Row]) -> list[Any]:
        if kind == "customers":
            return list(self.catalog.save_customers(rows))
        return list(self.catalog.save_products(rows))
