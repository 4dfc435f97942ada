"""Reading the audit trail: filters for the admins' list and its CSV/XLSX export."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, select

from server.reports.table import Column, ReportTable
from server.sql.models.audit import AuditEntry

EXPORT_MAX_ROWS = 100_000  # an export beyond this is refused: narrow the dates instead
COLUMNS = (Column("seq", "No.", "int"), Column("at", "When", "datetime"),
           Column("actor", "Who"), Column("actor_role", "Role"), Column("address", "Address"),
           Column("device_id", "Device"), Column("action", "Action"),
           Column("entity_type", "Entity"), Column("entity_id", "Entity id"),
           Column("before", "Before"), Column("after", "After"), Column("hash", "Hash"))


@dataclass(frozen=True)
class AuditFilter:
    """Which rows: by actor, action, entity, and the days (in the team's zone) they fall on."""

    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    day_from: date | None = None
    day_to: date | None = None

    def statement(self, tz: tzinfo) -> Select[Any]:
        """The rows, newest first."""
        t = AuditEntry
        stmt = select(t)
        for column, value in ((t.actor, self.actor), (t.entity_type, self.entity_type),
                              (t.entity_id, self.entity_id)):
            if value:
                stmt = stmt.where(column == value)
        if self.action:  # "user" finds every user.* action; "user.create" just that one
            stmt = stmt.where((t.action == self.action)
                              | t.action.startswith(self.action + ".", autoescape=True))
        if self.day_from is not None:
            stmt = stmt.where(t.at >= _start(self.day_from, tz))
        if self.day_to is not None:
            stmt = stmt.where(t.at < _start(self.day_to + timedelta(days=1), tz))
        return stmt


def _start(day: date, tz: tzinfo) -> datetime:
    # The UTC moment the day starts (SQLite stores UTC without the offset; it binds the same).
    return datetime.combine(day, time(), tz).astimezone(UTC)


def parsed(text: str) -> Any:
    """A stored before/after text as the value it encodes."""
    return json.loads(text)


def as_dict(row: AuditEntry) -> dict[str, Any]:
    """A row as the API answers it: before/after as JSON values, the time in UTC."""
    at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
    return {"seq": row.seq, "at": at, "actor": row.actor, "actor_role": row.actor_role,
            "address": row.address, "device_id": row.device_id, "action": row.action,
            "entity_type": row.entity_type, "entity_id": row.entity_id,
            "before": parsed(row.before), "after": parsed(row.after),
            "prev_hash": row.prev_hash, "hash": row.hash}


def audit_table(rows: Sequence[AuditEntry]) -> ReportTable:
    """The rows as an exportable table; before/after stay the compact JSON that was hashed."""
    out = []
    for row in rows:
        item = as_dict(row)
        item["before"], item["after"] = row.before, row.after
        out.append(item)
    return ReportTable("audit", "Audit trail", COLUMNS, out)
