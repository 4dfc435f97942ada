"""`fieldsync rebuild`: drop the projected rows and replay every engineer database from seq 0.

The replay is the worker's own batch processor fed every database's changes into an empty
projection, so a rebuild follows the live rules: a refused revision keeps the rows of the
document's newest accepted revision, a tombstone keeps its owner, and orders and expenses take
the ERP status and the heads' decisions from the tables that survive a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, update
from tqdm import tqdm

from server.bootstrap import Services
from server.sql.models import Base, documents
from server.sql.models.sync_state import Checkpoint, DocumentStatus, RejectedDocument
from server.sql.session import transaction
from sync.leases import AllDatabases
from sync.provisioning import engineer_databases


@dataclass(frozen=True)
class RebuildCounts:
    databases: int
    documents: int


def projection_tables() -> list[Table]:
    """Every table that is a pure projection of the documents, children before parents."""
    mine = {Checkpoint.__table__, DocumentStatus.__table__, RejectedDocument.__table__}
    for obj in vars(documents).values():
        if isinstance(obj, type) and issubclass(obj, Base) and obj.__module__ == documents.__name__:
            mine.add(obj.__table__)
    return [t for t in reversed(Base.metadata.sorted_tables) if t in mine]


def rebuild_projection(services: Services, *, progress: bool = False) -> RebuildCounts:
    with transaction(services.sessions) as session:
        for table in projection_tables():
            session.execute(_projected_rows(table))
    # Receipts in the store are already right; every database, unfenced (no worker runs).
    worker = services.worker(write_receipts=False, ownership=AllDatabases())
    dbs = engineer_databases(services.sessions)
    total = 0
    for db in tqdm(dbs, desc="databases", unit="db", disable=not progress):
        total += worker.drain(db)
    with transaction(services.sessions) as session:
        session.execute(update(DocumentStatus).values(receipt_pending=False))
    return RebuildCounts(databases=len(dbs), documents=total)


def _projected_rows(table: Table) -> Any:
    """What a rebuild replays: not the gateway's refusals, whose documents the store never had,
    nor the changes of archived documents the worker undid (the store no longer serves them)."""
    if table is RejectedDocument.__table__:
        return delete(table).where(table.c.source.not_in(("gateway", "frozen")))
    return delete(table)

