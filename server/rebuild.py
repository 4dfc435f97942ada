"""`fieldsync rebuild`: drop the projected rows and replay every engineer database from seq 0."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session
from tqdm import tqdm

from server.bootstrap import Services
from server.sql.models import Base, documents
from server.sql.models.documents import Order
from server.sql.models.erp import ErpOutbox
from server.sql.models.sync_state import Checkpoint, DocumentStatus, RejectedDocument
from server.sql.session import transaction
from sync.provisioning import engineer_databases
from sync.worker import Worker


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
    worker = Worker(services, write_receipts=False)  # receipts in the store are already right
    dbs = engineer_databases(services.sessions)
    total = 0
    for db in tqdm(dbs, desc="databases", unit="db", disable=not progress):
        total += worker.drain(db)
    with transaction(services.sessions) as session:
        session.execute(update(DocumentStatus).values(receipt_pending=False))
        restore_erp_status(session)
    return RebuildCounts(databases=len(dbs), documents=total)


def _projected_rows(table: Table) -> Any:
    """What a rebuild replays: not the gateway's refusals, whose documents the store never had."""
    if table is RejectedDocument.__table__:
        return delete(table).where(table.c.source != "gateway")
    return delete(table)


def restore_erp_status(session: Session) -> None:
    """Orders keep what the ERP bridge knows: the outbox survives a rebuild, the rows do not."""
    def from_outbox(column: Any) -> Any:
        return select(column).where(ErpOutbox.order_id == Order.doc_id).scalar_subquery()

    session.execute(update(Order).where(
        select(ErpOutbox.order_id).where(ErpOutbox.order_id == Order.doc_id).exists()).values(
        erp_status=from_outbox(ErpOutbox.status), erp_number=from_outbox(ErpOutbox.erp_number),
        erp_reason=from_outbox(func.nullif(ErpOutbox.last_error, ""))))
