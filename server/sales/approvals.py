"""What a sales head sees before deciding: offers and expenses in business terms.

The REST view only scopes and pages; this module says which offers wait for a head and
turns an offer or an expense into what she reads: the customer's name, the lines with the
list price, the price and the discount, the decision made earlier, the allowance and the
receipt photo.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from server.sales.expenses import allowance
from server.sql.models.accounts import User
from server.sql.models.documents import Expense, Offer, OfferLine, Order, OrderLine
from server.sql.models.master import Customer, PriceListItem, Product
from server.sql.models.sales import HeadDecision
from sync.documents import discounts
from sync.documents.pricelists import applicable_list
from sync.master_data import load_price_lists

RECEIPT_PHOTOS = ("receipt.jpg", "receipt.png")


def undecided() -> ColumnElement[bool]:
    """discounts.needs_head_approval and discounts.binding as SQL: above the engineer's limit
    (discounts.NO_LIMIT_PCT without one) and no decision made on the offer's current terms
    (use with `awaiting_offers`' joins)."""
    limit = func.coalesce(User.discount_limit_pct, discounts.NO_LIMIT_PCT)
    return and_(Offer.max_discount_pct > limit, or_(
        HeadDecision.subject_id.is_(None),
        and_(HeadDecision.terms_hash.is_not(None), HeadDecision.terms_hash != Offer.terms_hash)))


def awaiting_offers(stmt: Select[Any], waiting: bool = True) -> Select[Any]:
    """`stmt` (a select of Offer) narrowed to offers that wait (or not) for a head."""
    condition = undecided()
    return (stmt.outerjoin(User, User.username == Offer.owner)
            .outerjoin(HeadDecision, HeadDecision.subject_id == Offer.doc_id)
            .where(condition if waiting else ~condition))


def people_names(s: Session, usernames: set[str]) -> dict[str, str]:
    """Full names by username, the username where no full name is kept."""
    rows = s.execute(select(User.username, User.full_name).where(User.username.in_(usernames)))
    return {u: (name or u) for u, name in rows}


def previous_decision(decision: HeadDecision | None, terms_hash: str) -> dict[str, Any] | None:
    """A decision made on other terms than the subject's now: what the head said before."""
    if decision is None:
        return None
    return {"outcome": decision.outcome, "terms": decision.terms, "note": decision.note,
            "decided_by": decision.decided_by, "decided_at": decision.decided_at,
            "binds": discounts.binding(decision.outcome, decision.terms_hash,
                                       terms_hash) is not None}


def product_names(s: Session, ids: list[str]) -> dict[str, str]:
    """Product names by id."""
    return dict(s.execute(
        select(Product.product_id, Product.name).where(Product.product_id.in_(ids))).all())


def list_prices(s: Session, offer: Offer) -> Mapping[str, Decimal]:
    """The prices of the list that prices the offer: the one it names, else the customer's list
    on the day the offer was made, as the worker judges it (empty when no list applies)."""
    if offer.price_list_id:
        return dict(s.execute(
            select(PriceListItem.product_id, PriceListItem.unit_price).where(
                PriceListItem.price_list_id == offer.price_list_id)).all())
    customer = s.get(Customer, offer.customer_id)
    if customer is None:
        return {}
    chosen = applicable_list(load_price_lists(s), customer.customer_id, customer.customer_group,
                             customer.territory_code, offer.created_at.date())
    return chosen.prices if chosen else {}


def offer_lines(s: Session, offer: Offer) -> list[dict[str, Any]]:
    """The offer's lines with the product's name and the price list's price, if any."""
    lines = s.scalars(select(OfferLine).where(OfferLine.offer_id == offer.doc_id)
                      .order_by(OfferLine.line_no)).all()
    ids = [line.product_id for line in lines]
    names = product_names(s, ids)
    listed = list_prices(s, offer)
    return [{"line_no": line.line_no, "product_id": line.product_id,
             "product_name": names.get(line.product_id, line.product_id),
             "quantity": line.quantity, "list_price": listed.get(line.product_id),
             "unit_price": line.unit_price, "discount_pct": line.discount_pct,
             "taxable": line.taxable, "total": line.total} for line in lines]


def offer_case(s: Session, offer: Offer) -> dict[str, Any]:
    """One offer as the head reads it before deciding on its discount."""
    customer = s.get(Customer, offer.customer_id)
    decision = s.get(HeadDecision, offer.doc_id)
    limit = s.scalar(select(User.discount_limit_pct).where(User.username == offer.owner))
    return {"doc_id": offer.doc_id, "owner": offer.owner,
            "engineer_name": people_names(s, {offer.owner}).get(offer.owner, offer.owner),
            "customer_id": offer.customer_id,
            "customer_name": customer.name if customer else offer.customer_id,
            "customer_city": customer.city if customer else "",
            "status": offer.status, "created_at": offer.created_at,
            "max_discount_pct": offer.max_discount_pct, "discount_limit_pct": limit,
            "taxable": offer.taxable, "discount": offer.discount, "gst": offer.gst,
            "grand_total": offer.grand_total, "lines": offer_lines(s, offer),
            "previous_decision": previous_decision(decision, offer.terms_hash)}


def expense_case(s: Session, expense: Expense, rates: Mapping[str, Decimal]) -> dict[str, Any]:
    """One travel expense as the head reads it: the allowance and where its photo is."""
    decision = s.get(HeadDecision, expense.doc_id)
    return {"doc_id": expense.doc_id, "owner": expense.owner,
            "engineer_name": people_names(s, {expense.owner}).get(expense.owner, expense.owner),
            "date": expense.date, "from_place": expense.from_place,
            "to_place": expense.to_place, "mode": expense.mode, "km": expense.km,
            "amount": expense.amount, "allowance": allowance(expense.mode, expense.km, rates),
            "purpose": expense.purpose, "has_receipt_photo": expense.has_receipt_photo,
            "approval_status": expense.approval_status, "reimbursed": expense.reimbursed,
            "previous_decision": previous_decision(decision, expense.terms_hash)}


def receipt_photo_name(doc: Mapping[str, Any]) -> str | None:
    """The name of the expense document's receipt photo attachment, if it has one."""
    attachments = doc.get("_attachments") or {}
    return next((name for name in RECEIPT_PHOTOS if name in attachments), None)


def order_case(s: Session, order: Order) -> dict[str, Any]:
    """One order as the office reads it: customer, PO, delivery, lines by product name, ERP."""
    customer = s.get(Customer, order.customer_id)
    lines = s.scalars(select(OrderLine).where(OrderLine.order_id == order.doc_id)
                      .order_by(OrderLine.line_no)).all()
    names = product_names(s, [line.product_id for line in lines])
    return {"doc_id": order.doc_id, "owner": order.owner,
            "engineer_name": people_names(s, {order.owner}).get(order.owner, order.owner),
            "customer_id": order.customer_id,
            "customer_name": customer.name if customer else order.customer_id,
            "customer_city": customer.city if customer else "",
            "offer_id": order.offer_id, "po_number": order.po_number,
            "delivery_date": order.delivery_date, "created_at": order.created_at,
            "supply": order.supply, "taxable": order.taxable, "discount": order.discount,
            "cgst": order.cgst, "sgst": order.sgst, "igst": order.igst,
            "grand_total": order.grand_total, "erp_status": order.erp_status,
            "erp_number": order.erp_number,
            "lines": [{"line_no": line.line_no, "product_id": line.product_id,
                       "product_name": names.get(line.product_id, line.product_id),
                       "quantity": line.quantity, "list_price": None,
                       "unit_price": line.unit_price, "discount_pct": line.discount_pct,
                       "gst_rate": line.gst_rate, "taxable": line.taxable,
                       "total": line.total} for line in lines]}
