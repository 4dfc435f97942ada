"""Compares SQL projections: every projected table's rows, without bookkeeping columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.bootstrap import Services
from server.rebuild import projection_tables

# When a row was written, and how far a feed was re-read, differ between equal projections.
BOOKKEEPING = {"processed_at", "receipt_rev", "receipt_pending", "rejected_at", "updated_at",
               "docs_seen", "seq"}
STATE_TABLES = {"worker_checkpoints"}


def projection_snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    with services.engine.connect() as conn:
        for table in projection_tables():
            if table.name in STATE_TABLES:
                continue
            cols = [c for c in table.columns if c.name not in BOOKKEEPING
                    or table.name not in {"document_status", "rejected_documents",
                                          "worker_checkpoints"}]
            rows = conn.execute(select(*cols)).all()
            snapshot[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return snapshot
