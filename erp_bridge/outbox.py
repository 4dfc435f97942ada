"""The outbox in SQL: enqueue inside the worker's transaction, claim rows, record outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from erp_bridge.delivery import (
    CLAIMABLE,
    NOT_SENT,
    QUEUED,
    Accepted,
    Transition,
    receipt_part,
)
from erp_bridge.snapshot import ProductInfo, build_snapshot
from server.audit.actor import Actor
from server.sql.models.base import utcnow
from server.sql.models.documents import Offer, Order
from server.sql.models.erp import ErpAttempt, ErpDeadLetter, ErpOutbox
from server.sql.models.master import Customer, Product
from server.sql.session import transaction
from sync.audit_trail import AuditTrail
from sync.documents.pricelists import PriceListFacts, applicable_list
from sync.master_data import load_price_lists


def enqueue_order(session: Session, order_doc: dict[str, Any], db_name: str, erp_kind: str,
                  *, currency: str = "INR") -> None:
    """Write the order's outbox row in the caller's transaction; a second call does nothing.

    Raises `SnapshotError` when the order lacks what an ERP order needs.
    """
    enqueue_orders(session, [order_doc], db_name, erp_kind, currency=currency)


def enqueue_orders(session: Session, order_docs: Sequence[dict[str, Any]], db_name: str,
                   erp_kind: str, *, currency: str = "INR") -> None:
    """The batch form the worker uses: three statements for a whole batch of orders."""
    if not order_docs:
        return
    catalog = OrderCatalog.load(session, order_docs)
    snapshots = {str(doc.get("_id", "")): build_snapshot(doc, currency, **catalog.facts(doc))
                 for doc in order_docs}
    known = set(session.scalars(select(ErpOutbox.order_id)
                                .where(ErpOutbox.order_id.in_(list(snapshots)))))
    fresh = {order_id: snap for order_id, snap in snapshots.items() if order_id not in known}
    if not fresh:
        return
    status = NOT_SENT if erp_kind == "null" else QUEUED
    now = utcnow()
    rows = [{"order_id": order_id, "db_name": db_name, "owner": snap["owner"],
             "erp_kind": erp_kind, "idempotency_key": snap["key"], "snapshot": snap,
             "status": status, "next_attempt_at": now, "created_at": now, "updated_at": now,
             "attempts": 0, "outcome_unknown": False, "last_error": "",
             "state_version": 1, "receipt_version": 0} for order_id, snap in fresh.items()]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # A concurrent worker may enqueue the same order: the loser's insert is a no-op.
    session.execute(insert(ErpOutbox).on_conflict_do_nothing(), rows)
    session.execute(update(Order).where(Order.doc_id.in_(list(fresh)))
                    .values(erp_status=status, erp_number=None, erp_reason=None))


@dataclass(frozen=True)
class OrderCatalog:
    """What master data adds to a batch of orders: HSN codes, units and list prices."""

    products: dict[str, ProductInfo]
    customers: dict[str, tuple[str | None, str]]  # customer id -> (group, territory)
    offer_days: dict[str, date]
    lists: list[PriceListFacts]

    @classmethod
    def load(cls, session: Session, docs: Sequence[dict[str, Any]]) -> OrderCatalog:
        product_ids = {str(line.get("product_id")) for doc in docs
                       for line in doc.get("lines") or () if isinstance(line, dict)}
        customer_ids = {str(doc.get("customer_id")) for doc in docs}
        offer_ids = {str(doc.get("offer_id")) for doc in docs}
        products = {p.product_id: ProductInfo(p.hsn_code or "", p.unit or "") for p in
                    session.scalars(select(Product).where(Product.product_id.in_(product_ids)))}
        customers = {c.customer_id: (c.customer_group, c.territory_code) for c in
                     session.scalars(select(Customer).where(
                         Customer.customer_id.in_(customer_ids)))}
        days = {doc_id: aware(created).date() for doc_id, created in session.execute(
            select(Offer.doc_id, Offer.created_at).where(Offer.doc_id.in_(offer_ids)))}
        return cls(products, customers, days, load_price_lists(session))

    def facts(self, doc: dict[str, Any]) -> dict[str, Any]:
        """`build_snapshot` keywords for one order: its products and its customer's list."""
        customer_id = str(doc.get("customer_id"))
        group, territory = self.customers.get(customer_id, (None, ""))
        # The list that priced the offer, read on the offer's date as the worker judged it.
        day = self.offer_days.get(str(doc.get("offer_id"))) or _day(doc.get("created_at"))
        chosen = applicable_list(self.lists, customer_id, group, territory, day) \
            if customer_id in self.customers and day is not None else None
        return {"products": self.products,
                "list_prices": dict(chosen.prices) if chosen is not None else {}}


def _day(value: Any) -> date | None:
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError:
        return None


def erp_receipt_part(session: Session, order_id: str) -> dict[str, Any] | None:
    """The receipt's `erp` object for an order, for the worker to write with its receipt."""
    row = session.get(ErpOutbox, order_id)
    if row is None:
        return None
    return receipt_part(row.status, row.erp_number, row.last_error)


def erp_receipt_enricher(session: Session, rows: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """For the worker's ReceiptWriter: the current `erp` part of each order receipt it writes.

    Without it a receipt the worker rewrites would lose what the bridge put there.
    """
    order_ids = [row.doc_id for row in rows if str(row.doc_id).startswith("order:")]
    if not order_ids:
        return {}
    found = session.scalars(select(ErpOutbox).where(ErpOutbox.order_id.in_(order_ids))).all()
    return {row.order_id: {"erp": receipt_part(row.status, row.erp_number, row.last_error)}
            for row in found}


@dataclass(frozen=True)
class Claim:
    """An outbox row leased to one drainer for one attempt."""

    order_id: str
    erp_kind: str
    snapshot: dict[str, Any]
    attempts: int
    outcome_unknown: bool


@dataclass(frozen=True)
class ReceiptChange:
    """An order whose receipt on the phone is behind its outbox state."""

    order_id: str
    db_name: str
    version: int
    erp: dict[str, Any]


ERP_BRIDGE = Actor("erp-bridge", "system")  # who the trail names for each send


def claim_status(claim: Claim) -> str:
    """The state an order was sent from: a first try, or one whose outcome was unknown."""
    return "sent" if claim.outcome_unknown else "queued"


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every time FieldSync stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class OutboxRepository:
    """Every SQL statement the drainer and the admin services run on the outbox."""

    def __init__(self, sessions: sessionmaker[Session], audit: AuditTrail) -> None:
        self.sessions = sessions
        self.audit = audit

    def claim(self, erp_kind: str, owner: str, now: datetime, limit: int,
              lease: timedelta) -> list[Claim]:
        """Lease due rows: SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE's write lock on SQLite."""
        with transaction(self.sessions) as session:
            rows = session.scalars(
                select(ErpOutbox).where(
                    ErpOutbox.erp_kind == erp_kind, ErpOutbox.status.in_(CLAIMABLE),
                    ErpOutbox.next_attempt_at <= now,
                    or_(ErpOutbox.lease_until.is_(None), ErpOutbox.lease_until < now))
                .order_by(ErpOutbox.next_attempt_at, ErpOutbox.order_id).limit(limit)
                .with_for_update(skip_locked=True)).all()
            claims = [Claim(r.order_id, r.erp_kind, dict(r.snapshot), r.attempts,
                            r.outcome_unknown) for r in rows]
            for row in rows:
                row.lease_owner, row.lease_until = owner, now + lease
                # Until an answer says otherwise, a crash from here on leaves the outcome unknown.
                row.outcome_unknown = True
            return claims

    def renew(self, owner: str, until: datetime) -> int:
        """Extend every lease `owner` still holds; returns how many."""
        with transaction(self.sessions) as session:
            result = session.execute(update(ErpOutbox).where(ErpOutbox.lease_owner == owner)
                                     .values(lease_until=until))
            return int(getattr(result, "rowcount", 0) or 0)

    def record(self, claim: Claim, owner: str, change: Transition,
               accepted: Accepted | None, now: datetime) -> bool:
        """Store one attempt's outcome; False when the lease was lost to another drainer."""
        with transaction(self.sessions) as session:
            row = session.get(ErpOutbox, claim.order_id, with_for_update=True)
            if row is None or row.lease_owner != owner:
                return False
            self._apply(session, row, change, accepted, now)
            outcome = "accepted" if accepted else ("dead" if change.dead else "retry")
            detail = accepted.detail or accepted.number if accepted else change.reason
            session.add(ErpAttempt(order_id=row.order_id, erp_kind=row.erp_kind,
                                   attempt=change.attempts, outcome=outcome,
                                   detail=detail[:4000], at=now))
            session.flush()
            self.audit(session, "erp.send", "order", row.order_id, actor=ERP_BRIDGE,
                       before={"status": claim_status(claim)},
                       after={"erp_kind": row.erp_kind, "attempt": change.attempts,
                              "outcome": outcome, "status": row.status,
                              "erp_number": row.erp_number, "reason": change.reason[:1000]})
            return True

    def _apply(self, session: Session, row: ErpOutbox, change: Transition,
               accepted: Accepted | None, now: datetime) -> None:
        row.status, row.attempts = change.status, change.attempts
        row.outcome_unknown, row.last_error = change.outcome_unknown, change.reason
        row.lease_owner, row.lease_until, row.updated_at = None, None, now
        row.next_attempt_at = change.next_attempt_at or now
        if accepted is not None:
            row.erp_number, row.erp_status, row.accepted_at = (accepted.number,
                                                               accepted.erp_status, now)
        if change.dead:
            session.merge(ErpDeadLetter(order_id=row.order_id, erp_kind=row.erp_kind,
                                        attempts=change.attempts, reason=change.reason,
                                        failed_at=now))
        self.touch(session, row)

    @staticmethod
    def touch(session: Session, row: ErpOutbox) -> None:
        """A state change: the receipt is now behind, and the Order row follows."""
        row.state_version += 1
        session.execute(update(Order).where(Order.doc_id == row.order_id).values(
            erp_status=row.status, erp_number=row.erp_number, erp_reason=row.last_error or None))

    def next_due(self, erp_kind: str) -> datetime | None:
        with self.sessions() as session:
            due = session.scalar(select(ErpOutbox.next_attempt_at).where(
                ErpOutbox.erp_kind == erp_kind, ErpOutbox.status.in_(CLAIMABLE))
                .order_by(ErpOutbox.next_attempt_at).limit(1))
            return aware(due) if due is not None else None

    def receipts_behind(self, limit: int) -> list[ReceiptChange]:
        with self.sessions() as session:
            rows = session.scalars(select(ErpOutbox).where(
                ErpOutbox.receipt_version < ErpOutbox.state_version)
                .order_by(ErpOutbox.updated_at).limit(limit)).all()
            return [ReceiptChange(r.order_id, r.db_name, r.state_version,
                                  receipt_part(r.status, r.erp_number, r.last_error))
                    for r in rows]

    def receipts_written(self, changes: list[ReceiptChange]) -> None:
        if not changes:
            return
        with transaction(self.sessions) as session:
            for change in changes:
                session.execute(update(ErpOutbox).where(and_(
                    ErpOutbox.order_id == change.order_id,
                    ErpOutbox.receipt_version < change.version)).values(
                    receipt_version=change.version))
