"""Dialect-aware INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(session: Session, model: Any, rows: Sequence[dict[str, Any]],
           keys: Sequence[str]) -> None:
    """Insert rows, replacing every non-key column of rows whose keys already exist."""
    if not rows:
        return
    bind = session.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(model)
    columns = [c for c in rows[0] if c not in keys]
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns})
    session.execute(stmt, list(rows))
