"""Read models of offers, orders, leads and the head's queues: the queries and what each row
becomes for the API. The REST views translate the request into a call here (the caller's
scope as `owners`, the validated query arguments) and the answer into JSON.

`owners` is the set of engineers whose records the caller may read, None for everyone's
(admins); a record outside it is answered as missing, so nobody learns whether it exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from server.config import Settings
from server.sales import approvals
from server.sales.cancellations import CancellationView, cancellation_filter, cancellation_views
from server.sales.errors import NotFoundError
from server.sales.frozen import changes_of_order
from server.sales.offers import loc_of, offer_sheet, offer_views
from server.sales.pdf import OfferSheet, render_offer
from server.sales.service import StoreUnavailableError, travel_rates
from server.sql.models.documents import (
    Expense,
    Lead,
    LeadStageHistory,
    Offer,
    Order,
    OrderLine,
    Todo,
    Visit,
)
from server.sql.models.sync_state import DocumentStatus
from server.sql.paging import Page, paginate
from sync.documents.attachments import decode
from sync.store import DocumentStore, StoreError
from sync.store import NotFoundError as StoreNotFound

Owners = frozenset[str] | None
Row = TypeVar("Row", Offer, Order, Lead, Expense, Visit, Todo)

OFFER_SORT = {"created_at": Offer.created_at, "updated_at": Offer.updated_at,
              "grand_total": Offer.grand_total, "owner": Offer.owner, "status": Offer.status}
ORDER_SORT = {"created_at": Order.created_at, "grand_total": Order.grand_total,
              "owner": Order.owner, "delivery_date": Order.delivery_date}
LEAD_SORT = {"created_at": Lead.created_at, "updated_at": Lead.updated_at,
             "stage": Lead.stage, "owner": Lead.owner, "title": Lead.title}
EXPENSE_SORT = {"date": Expense.date, "created_at": Expense.created_at}


def scoped(stmt: Select[Any], column: Any, owners: Owners) -> Select[Any]:
    """`stmt` limited to the records of `owners` (all of them for None)."""
    return stmt if owners is None else stmt.where(column.in_(sorted(owners)))


def scoped_row(s: Session, model: type[Row], key: str, what: str, owners: Owners) -> Row:
    """One record the caller may see, by primary key; NotFoundError when missing or out of
    scope, worded alike for both."""
    row = s.get(model, key)
    if row is None or (owners is not None and row.owner not in owners):
        raise NotFoundError(f"{what} {key!r} was not found among the records you may see")
    return row


def _next_day(day: date) -> date:
    return date.fromordinal(min(day.toordinal() + 1, date.max.toordinal()))


def filtered(stmt: Select[Any], model: Any, args: Mapping[str, Any],
             owners: Owners) -> Select[Any]:
    """The list filters offers and orders share: owner, customer, status and creation days."""
    for key in ("owner", "customer_id", "status"):
        if key in args and hasattr(model, key):
            stmt = stmt.where(getattr(model, key) == args[key])
    if "created_from" in args:
        stmt = stmt.where(model.created_at >= args["created_from"])
    if "created_to" in args:
        stmt = stmt.where(model.created_at < _next_day(args["created_to"]))
    return scoped(stmt, model.owner, owners)


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def order_view(s: Session, row: Order, *, lines: bool,
               cancellation: CancellationView | None = None) -> dict[str, Any]:
    """An order with its location, its cancellation and, for one order, its lines and the
    history of what may still change."""
    out = _columns(row)
    out.update(loc=loc_of(row), cancellation=cancellation)
    if lines:
        out["lines"] = s.scalars(select(OrderLine).where(OrderLine.order_id == row.doc_id)
                                 .order_by(OrderLine.line_no)).all()
        out["changes"] = changes_of_order(s, row.doc_id)
    return out


def lead_view(s: Session, row: Lead, *, history: bool) -> dict[str, Any]:
    """A lead with its location and, for one lead, its stage history (who, when, where)."""
    out = _columns(row)
    out["loc"] = loc_of(row)
    if history:
        steps = s.scalars(select(LeadStageHistory).where(LeadStageHistory.lead_id == row.doc_id)
                          .order_by(LeadStageHistory.position))
        out["history"] = [{"position": h.position, "stage": h.stage, "at": h.at, "by": h.by,
                           "loc": loc_of(h)} for h in steps]
    return out


class SalesQueries:
    """What the API reads of offers, orders, leads and the approval queues."""

    def __init__(self, sessions: sessionmaker[Session], store: DocumentStore,
                 settings: Settings) -> None:
        self.sessions = sessions
        self.store = store
        self.settings = settings

    # Offers ----------------------------------------------------------------------------------

    def offers(self, owners: Owners, args: Mapping[str, Any]) -> Page:
        """A page of offers with their decisions, revisions and customer approvals."""
        stmt = filtered(select(Offer), Offer, args, owners)
        if "awaiting_decision" in args:
            stmt = approvals.awaiting_offers(stmt, args["awaiting_decision"])
        with self.sessions() as s:
            page = paginate(s, stmt, args, OFFER_SORT, "-created_at")
            return Page(offer_views(s, self.store, page.items, lines=False), page.page,
                        page.page_size, page.total)

    def offer(self, owners: Owners, offer_id: str) -> dict[str, Any]:
        """One offer with its lines and the head's decision, if any."""
        with self.sessions() as s:
            row = scoped_row(s, Offer, offer_id, "offer", owners)
            return offer_views(s, self.store, [row], lines=True)[0]

    def offer_pdf(self, owners: Owners, offer_id: str) -> tuple[bytes, OfferSheet]:
        """The customer's copy of the offer as a PDF, and what it prints."""
        with self.sessions() as s:
            sheet = offer_sheet(s, scoped_row(s, Offer, offer_id, "offer", owners),
                                self.settings)
        return render_offer(sheet), sheet

    # Orders ----------------------------------------------------------------------------------

    def orders(self, owners: Owners, args: Mapping[str, Any]) -> Page:
        """A page of orders with their cancellations."""
        stmt = filtered(select(Order), Order, args, owners)
        if "erp_status" in args:
            stmt = stmt.where(Order.erp_status == args["erp_status"])
        if "cancellation" in args:
            stmt = stmt.where(cancellation_filter(args["cancellation"]))
        with self.sessions() as s:
            page = paginate(s, stmt, args, ORDER_SORT, "-created_at")
            cancelled = cancellation_views(s, [r.doc_id for r in page.items])
            return Page([order_view(s, r, lines=False, cancellation=cancelled.get(r.doc_id))
                         for r in page.items], page.page, page.page_size, page.total)

    def order(self, owners: Owners, order_id: str) -> dict[str, Any]:
        """One order with its lines and the history of its PO number, delivery date, notes."""
        with self.sessions() as s:
            row = scoped_row(s, Order, order_id, "order", owners)
            return order_view(s, row, lines=True,
                              cancellation=cancellation_views(s, [order_id]).get(order_id))

    # Leads -----------------------------------------------------------------------------------

    def leads(self, owners: Owners, args: Mapping[str, Any]) -> Page:
        """A page of leads, by owner, stage and customer."""
        stmt = scoped(select(Lead), Lead.owner, owners)
        for key in ("owner", "stage", "customer_id"):
            if key in args:
                stmt = stmt.where(getattr(Lead, key) == args[key])
        with self.sessions() as s:
            page = paginate(s, stmt, args, LEAD_SORT, "-updated_at")
            return Page([lead_view(s, r, history=False) for r in page.items], page.page,
                        page.page_size, page.total)

    def lead(self, owners: Owners, lead_id: str) -> dict[str, Any]:
        """One lead with its stage history."""
        with self.sessions() as s:
            return lead_view(s, scoped_row(s, Lead, lead_id, "lead", owners), history=True)

    # The head's queues -----------------------------------------------------------------------

    def offer_cases(self, owners: Owners, args: Mapping[str, Any]) -> Page:
        """Offers whose discount waits for a head, as she reads them before deciding."""
        stmt = approvals.awaiting_offers(scoped(select(Offer), Offer.owner, owners))
        with self.sessions() as s:
            page = paginate(s, stmt, args, {"created_at": Offer.created_at}, "created_at")
            return Page([approvals.offer_case(s, r) for r in page.items], page.page,
                        page.page_size, page.total)

    def expense_cases(self, owners: Owners, args: Mapping[str, Any]) -> Page:
        """Expenses waiting for a decision (`pending`), or approved and not yet reimbursed."""
        stmt = scoped(select(Expense), Expense.owner, owners)
        if args["status"] == "pending":
            stmt = stmt.where(Expense.approval_status == "pending")
        else:
            stmt = stmt.where(Expense.approval_status == "approved",
                              Expense.reimbursed.is_(False))
        rates = travel_rates(self.sessions)
        with self.sessions() as s:
            page = paginate(s, stmt, args, EXPENSE_SORT, "date")
            return Page([approvals.expense_case(s, r, rates) for r in page.items], page.page,
                        page.page_size, page.total)

    def receipt_photo(self, owners: Owners, expense_id: str) -> tuple[str, bytes]:
        """The receipt photo's name and bytes, read from the engineer's database."""
        with self.sessions() as s:
            scoped_row(s, Expense, expense_id, "expense", owners)
            db_name = s.scalar(select(DocumentStatus.db_name)
                               .where(DocumentStatus.doc_id == expense_id).limit(1))
        if db_name is None:
            raise NotFoundError("this expense is not in the document store yet")
        try:
            doc = self.store.get_doc(db_name, expense_id, attachments=True)
        except StoreNotFound:
            raise NotFoundError("this expense is no longer in the document store") from None
        except StoreError:
            raise StoreUnavailableError(
                "the document store is unreachable; try again shortly") from None
        name = approvals.receipt_photo_name(doc)
        body = decode(doc["_attachments"][name].get("data")) if name else None
        if name is None or body is None:
            raise NotFoundError("this expense has no receipt photo")
        return name, body

    def order_case(self, owners: Owners, order_id: str) -> dict[str, Any]:
        """One order for the office: the customer by name, the PO, the delivery, the lines."""
        with self.sessions() as s:
            return approvals.order_case(s, scoped_row(s, Order, order_id, "order", owners))

