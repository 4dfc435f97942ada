"""A report's result: typed columns and rows, ready for JSON, CSV and XLSX; pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

KINDS = frozenset({"text", "int", "money", "pct", "number", "date", "datetime"})
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Column:
    """One column: its key in the rows, its title for people and the kind of its values."""

    key: str
    title: str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column kind {self.kind!r} is not one of {sorted(KINDS)}")


@dataclass
class ReportTable:
    """A report: name, title, columns, rows (dicts keyed by column key) and totals."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready: money and percentages as decimal strings, times in ISO 8601."""
        return {
            "report": self.name, "title": self.title,
            "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in self.columns],
            "rows": [{c.key: json_value(row.get(c.key)) for c in self.columns}
                     for row in self.rows],
            "summary": {key: json_value(value) for key, value in self.summary.items()},
        }


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def money(value: Any) -> Decimal:
    """A sum from SQL as exact rupees (SQLite may hand back a float or an int)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def percent(part: Decimal | int | float, whole: Decimal | int | float) -> Decimal | None:
    """part / whole as a percentage to one decimal, None when whole is zero."""
    if not whole:
        return None
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(TENTH, ROUND_HALF_UP)
