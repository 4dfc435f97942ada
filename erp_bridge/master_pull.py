"""Master data in: pull changed customers and products from the ERP, upsert, publish to phones."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from erp_bridge.adapters.base import CustomerRecord, ErpAdapter, PriceRecord, ProductRecord
from erp_bridge.errors import ErpError
from erp_bridge.master_codes import MasterCodes
from erp_bridge.master_prices import save_price_lists
from erp_bridge.outbox import ERP_BRIDGE, aware
from server.sql.models.base import utcnow
from server.sql.models.erp import ErpSyncState
from server.sql.models.master import Customer, Product, Territory
from server.sql.session import transaction
from sync.audit_trail import AuditTrail

log = logging.getLogger("fieldsync.erp.master")
# Customers new from the ERP wait here until an admin puts them in a real territory.
UNASSIGNED = "UNASSIGNED"


def record_key(record: Any) -> str:
    """What the audit row names a pulled record by: a customer's or product's id, or a price's
    list, product and customer."""
    if isinstance(record, PriceRecord):
        return "/".join(filter(None, (record.price_list, record.product_id, record.customer_id)))
    return str(record.id)


class Publisher(Protocol):
    """Pushes SQL master data to the phones (sync.publish.MasterDataPublisher)."""

    def publish_all(self) -> Any: ...


@dataclass(frozen=True)
class PullReport:
    """How many records each entity brought, the error if the pull failed, and what an admin
    must complete (a customer without a GST state, a product without a GST rate)."""

    customers: int
    products: int
    error: str = ""
    prices: int = 0
    problems: tuple[str, ...] = ()


class MasterDataPuller:
    """Reads customers and products from their delta watermarks (a pass moves only what
    changed) and every list price, which replaces the ERP's price lists."""

    def __init__(self, sessions: sessionmaker[Session], adapter: ErpAdapter,
                 publisher: Publisher, company_state: str,
                 clock: Callable[[], datetime] = utcnow, codes: MasterCodes | None = None,
                 *, audit: AuditTrail) -> None:
        self.sessions = sessions
        self.audit = audit
        self.adapter = adapter
        self.publisher = publisher
        self.company_state = company_state
        self.clock = clock
        self.codes = codes or MasterCodes()
        self._problems: list[str] = []

    def pull(self) -> PullReport:
        if self.adapter.kind == "null":
            return PullReport(0, 0)
        self._problems = []
        try:
            customers = self._pull("customers", self._read_customers, self._customers)
            products = self._pull("products", self._read_products, self._products)
            prices = self._pull("prices", lambda _: self.adapter.pull_prices(self.codes),
                                self._prices)
        except ErpError as exc:
            log.warning("event=erp_master_pull_failed error=%s", exc)
            return PullReport(0, 0, str(exc), problems=tuple(self._problems))
        if customers or products or prices:
            self.publisher.publish_all()
        for problem in self._problems:
            log.warning("event=erp_master_incomplete %s", problem)
        return PullReport(customers, products, prices=prices, problems=tuple(self._problems))

    def _read_customers(self, since: datetime | None) -> Iterable[CustomerRecord]:
        return self.adapter.pull_customers(since, self.codes)

    def _read_products(self, since: datetime | None) -> Iterable[ProductRecord]:
        return self.adapter.pull_products(since, self.codes)

    def _pull(self, entity: str, read: Callable[[datetime | None], Iterable[Any]],
              save: Callable[[Session, list[Any]], None]) -> int:
        since = self._watermark(entity)
        started = self.clock()
        try:
            records = list(read(since))
        except ErpError as exc:
            self._note(entity, since, 0, started, str(exc))
            raise
        stamps = [r.changed_at for r in records if getattr(r, "changed_at", None) is not None]
        with transaction(self.sessions) as session:
            save(session, records)
            if records:  # one row per pull: which records the ERP changed
                self.audit(session, f"erp_pull.{entity}", entity, self.adapter.kind,
                           actor=ERP_BRIDGE, after={"count": len(records),
                                                    "ids": sorted(map(record_key, records))})
        # The next delta starts at the newest change seen (inclusive: upserts are idempotent).
        self._note(entity, max(stamps, default=since), len(records), started, "")
        return len(records)

    def _watermark(self, entity: str) -> datetime | None:
        if entity == "prices":
            return None  # prices are read whole: a price the ERP dropped must go too
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
                # No state from the ERP stays unknown (""): the worker refuses offers for the
                # customer until an admin sets it, rather than taxing them as the company's.
                row = Customer(customer_id=record.id, state_code=record.state_code or "",
                               territory_code=UNASSIGNED)
                session.add(row)
            apply_customer(row, record)
            row.erp_ref, row.updated_at = record.id, now
            if not row.state_code:
                self._problems.append(
                    f"customer {record.id} ({row.name}): the ERP gives no GST state and no "
                    "GSTIN; set its state code in the console")

    def _products(self, session: Session, records: list[ProductRecord]) -> None:
        now = self.clock()
        for record in records:
            row = session.get(Product, record.id)
            if row is None and record.gst_rate is None:
                self._problems.append(
                    f"product {record.id} ({record.name}) not taken: its tax code "
                    f"{record.tax_code or '(none)'} gives no GST rate; name the code in "
                    "FIELDSYNC_ERP_TAX_RATES or add the product with its rate")
                continue
            if row is None:
                row = Product(product_id=record.id, gst_rate=record.gst_rate)
                session.add(row)
            apply_product(row, record)
            row.erp_ref, row.updated_at = record.id, now
            if not row.hsn_code:
                self._problems.append(f"product {record.id} ({row.name}): no HSN code from "
                                      "the ERP; set it in the console")

    def _prices(self, session: Session, records: list[PriceRecord]) -> None:
        known = set(session.scalars(select(Product.product_id)))
        usable = []
        for record in records:
            why = price_problem(record, known, self.codes.currency)
            if why:
                self._problems.append(why)
            else:
                usable.append(record)
        save_price_lists(session, f"ERP-{self.adapter.kind.upper()}-", usable)


def apply_customer(row: Customer, record: CustomerRecord) -> None:
    """The ERP's values over the row's; what the ERP does not have stays as it was."""
    row.name, row.active = record.name[:200], not record.blocked
    if record.state_code:
        row.state_code = record.state_code
    if record.gstin:
        row.gstin = record.gstin
    for name, limit in (("address", 2000), ("city", 100), ("pincode", 10)):
        value = getattr(record, name)
        if value:
            setattr(row, name, value[:limit])
    if record.lat is not None and record.lon is not None:
        row.lat, row.lon = record.lat, record.lon


def apply_product(row: Product, record: ProductRecord) -> None:
    row.name, row.active = record.name[:200], record.active
    row.unit = (record.unit or row.unit or "nos")[:16]
    if record.gst_rate is not None:
        row.gst_rate = record.gst_rate
    if record.hsn_code:
        row.hsn_code = record.hsn_code


def price_problem(record: PriceRecord, known: set[str], currency: str) -> str | None:
    if record.currency != currency:
        return (f"price of {record.product_id} on {record.price_list} not taken: it is in "
                f"{record.currency}, offers are in {currency}")
    if record.product_id not in known:
        return (f"price of {record.product_id} on {record.price_list} not taken: the product "
                "is not in master data")
    if record.price <= 0:
        return f"price of {record.product_id} on {record.price_list} not taken: it is not above 0"
    return None
