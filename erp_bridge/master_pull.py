"""Master data in: pull changed customers and products from the ERP, upsert, publish to phones."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from erp_bridge.adapters.base import CustomerRecord, ErpAdapter, ProductRecord
from erp_bridge.errors import ErpError
from erp_bridge.outbox import ERP_BRIDGE, aware
from server.audit.recorder import record as audit
from server.sql.models.base import utcnow
from server.sql.models.erp import ErpSyncState
from server.sql.models.master import Customer, Product, Territory
from server.sql.session import transaction

log = logging.getLogger("fieldsync.erp.master")
# Customers new from the ERP wait here until an admin puts them in a real territory.
UNASSIGNED = "UNASSIGNED"
# The ERP APIs carry no Indian GST rate; a new product starts at the standard rate until edited.
DEFAULT_GST_RATE = Decimal("18")


class Publisher(Protocol):
    """Pushes SQL master data to the phones (sync.publish.MasterDataPublisher)."""

    def publish_all(self) -> Any: ...


@dataclass(frozen=True)
class PullReport:
    """How many records each entity brought, and the error if the pull failed."""

    customers: int
    products: int
    error: str = ""


class MasterDataPuller:
    """Reads each entity from its delta watermark, so a pass only moves what changed."""

    def __init__(self, sessions: sessionmaker[Session], adapter: ErpAdapter,
                 publisher: Publisher, company_state: str,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.adapter = adapter
        self.publisher = publisher
        self.company_state = company_state
        self.clock = clock

    def pull(self) -> PullReport:
        if self.adapter.kind == "null":
            return PullReport(0, 0)
        try:
            customers = self._pull("customers", self.adapter.pull_customers, self._customers)
            products = self._pull("products", self.adapter.pull_products, self._products)
        except ErpError as exc:
            log.warning("event=erp_master_pull_failed error=%s", exc)
            return PullReport(0, 0, str(exc))
        if customers or products:
            self.publisher.publish_all()
        return PullReport(customers, products)

    def _pull(self, entity: str, read: Callable[[datetime | None], Iterable[Any]],
              save: Callable[[Session, list[Any]], None]) -> int:
        since = self._watermark(entity)
        started = self.clock()
        try:
            records = list(read(since))
        except ErpError as exc:
            self._note(entity, since, 0, started, str(exc))
            raise
        stamps = [r.changed_at for r in records if r.changed_at is not None]
        with transaction(self.sessions) as session:
            save(session, records)
            if records:  # one row per pull: which records the ERP changed
                audit(session, f"erp_pull.{entity}", entity, self.adapter.kind,
                       actor=ERP_BRIDGE, after={"count": len(records),
                                                "ids": sorted(str(r.id) for r in records)})
        # The next delta starts at the newest change seen (inclusive: upserts are idempotent).
        self._note(entity, max(stamps, default=since), len(records), started, "")
        return len(records)

    def _watermark(self, entity: str) -> datetime | None:
        with self.sessions() as session:
            state = session.get(ErpSyncState, (self.adapter.kind, entity))
            return aware(state.watermark) if state and state.watermark else None

    def _note(self, entity: str, watermark: datetime | None, count: int, at: datetime,
              error: str) -> None:
        with transaction(self.sessions) as session:
            session.merge(ErpSyncState(erp_kind=self.adapter.kind, entity=entity,
                                       watermark=watermark, last_run_at=at, last_count=count,
                                       last_error=error))

    def _customers(self, session: Session, records: list[CustomerRecord]) -> None:
        if records and session.get(Territory, UNASSIGNED) is None:
            session.add(Territory(code=UNASSIGNED, name="Not yet assigned (from the ERP)"))
            session.flush()
        now = self.clock()
        for record in records:
            row = session.get(Customer, record.id)
            if row is None:
                row = Customer(customer_id=record.id, state_code=self.company_state,
                               territory_code=UNASSIGNED)
                session.add(row)
            row.name, row.active = record.name[:200], not record.blocked
            row.erp_ref, row.updated_at = record.id, now

    def _products(self, session: Session, records: list[ProductRecord]) -> None:
        now = self.clock()
        for record in records:
            row = session.get(Product, record.id)
            if row is None:
                row = Product(product_id=record.id, gst_rate=DEFAULT_GST_RATE)
                session.add(row)
            row.name, row.active = record.name[:200], record.active
            row.unit = (record.unit or row.unit or "nos")[:16]
            row.erp_ref, row.updated_at = record.id, now
