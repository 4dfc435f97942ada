"""The head's screens (/api/v1/approvals, /api/v1/order-details): in business terms."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from server.api.activity import attachment_headers
from server.api.common import (
    HEAD_OR_ADMIN,
    ListArgs,
    Page,
    RateField,
    UtcDateTime,
    current_scope,
    error,
    list_args,
    page_schema,
    paginate,
    requires_role,
    scoped_get,
    services,
)
from server.sales import approvals
from server.sales.service import travel_rates
from server.sql.models.documents import Expense, Offer, Order
from server.sql.models.sync_state import DocumentStatus
from sync.documents.attachments import decode
from sync.store import NotFoundError, StoreError

blp = Blueprint("approvals", __name__, url_prefix="/api/v1",
                description="The head's screens: approvals and orders in business terms")


class EarlierDecision(Schema):
    outcome = fields.String()
    terms = fields.String()
    note = fields.String()
    decided_by = fields.String()
    decided_at = UtcDateTime()
    binds = fields.Boolean(metadata={"description": "made on the subject's current terms"})


class CaseLine(Schema):
    line_no = fields.Integer()
    product_id = fields.String()
    product_name = fields.String()
    quantity = fields.Decimal(as_string=True)
    list_price = fields.Decimal(as_string=True, allow_none=True)
    unit_price = fields.Decimal(as_string=True)
    discount_pct = RateField()
    taxable = fields.Decimal(as_string=True)
    total = fields.Decimal(as_string=True)


class OfferCase(Schema):
    doc_id = fields.String()
    owner = fields.String()
    engineer_name = fields.String()
    customer_id = fields.String()
    customer_name = fields.String()
    customer_city = fields.String()
    status = fields.String()
    created_at = UtcDateTime()
    max_discount_pct = RateField()
    discount_limit_pct = RateField(allow_none=True)
    taxable = fields.Decimal(as_string=True)
    discount = fields.Decimal(as_string=True)
    gst = fields.Decimal(as_string=True)
    grand_total = fields.Decimal(as_string=True)
    lines = fields.List(fields.Nested(CaseLine))
    previous_decision = fields.Nested(EarlierDecision, allow_none=True)


class ExpenseCase(Schema):
    doc_id = fields.String()
    owner = fields.String()
    engineer_name = fields.String()
    date = fields.Date()
    from_place = fields.String()
    to_place = fields.String()
    mode = fields.String()
    km = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)
    allowance = fields.Decimal(as_string=True, allow_none=True)
    purpose = fields.String()
    has_receipt_photo = fields.Boolean()
    approval_status = fields.String()
    reimbursed = fields.Boolean()
    previous_decision = fields.Nested(EarlierDecision, allow_none=True)


class ExpenseQueueArgs(ListArgs):
    SORTABLE = ("date", "created_at")
    status = fields.String(load_default="pending", validate=validate.OneOf(
        ["pending", "to_reimburse"], error="Pick expenses waiting for a decision or approved "
                                           "ones not yet reimbursed."))


OfferQueueArgs = list_args("OfferQueueArgs", ("created_at",))


@blp.route("/approvals/offers")
@blp.arguments(OfferQueueArgs, location="query")
@blp.response(200, page_schema("OfferCasePage", OfferCase))
@requires_role(*HEAD_OR_ADMIN)
def offers(args: dict[str, Any]) -> Page:
    """Offers whose discount waits for a head, with the customer, the lines and the prices."""
    stmt = approvals.awaiting_offers(current_scope().limit(select(Offer), Offer.owner))
    with services().sessions() as s:
        page = paginate(s, stmt, args, {"created_at": Offer.created_at}, "created_at")
        return Page([approvals.offer_case(s, r) for r in page.items], page.page,
                    page.page_size, page.total)


@blp.route("/approvals/expenses")
@blp.arguments(ExpenseQueueArgs, location="query")
@blp.response(200, page_schema("ExpenseCasePage", ExpenseCase))
@requires_role(*HEAD_OR_ADMIN)
def expenses(args: dict[str, Any]) -> Page:
    """Expenses waiting for a decision, or approved and not yet reimbursed."""
    stmt = current_scope().limit(select(Expense), Expense.owner)
    if args["status"] == "pending":
        stmt = stmt.where(Expense.approval_status == "pending")
    else:
        stmt = stmt.where(Expense.approval_status == "approved", Expense.reimbursed.is_(False))
    built = services()
    rates = travel_rates(built.sessions)
    with built.sessions() as s:
        page = paginate(s, stmt, args, {"date": Expense.date,
                                        "created_at": Expense.created_at}, "date")
        return Page([approvals.expense_case(s, r, rates) for r in page.items], page.page,
                    page.page_size, page.total)


@blp.route("/approvals/expenses/<string:expense_id>/receipt-photo")
@blp.response(200, content_type="image/jpeg", description="The expense's receipt photo")
@requires_role(*HEAD_OR_ADMIN)
def receipt_photo(expense_id: str) -> Response:
    """The receipt photo the engineer attached to the expense."""
    built = services()
    with built.sessions() as s:
        scoped_get(s, Expense, expense_id, "expense")
        db_name = s.scalar(select(DocumentStatus.db_name)
                           .where(DocumentStatus.doc_id == expense_id).limit(1))
    if db_name is None:
        error(404, "this expense is not in the document store yet")
    try:
        doc = built.store.get_doc(db_name, expense_id, attachments=True)
    except NotFoundError:
        error(404, "this expense is no longer in the document store")
    except StoreError:
        error(503, "the document store is unreachable; try again shortly")
    name = approvals.receipt_photo_name(doc)
    body = decode(doc["_attachments"][name].get("data")) if name else None
    if name is None or body is None:
        error(404, "this expense has no receipt photo")
    return Response(body, headers=attachment_headers(name, body))


class OrderLineCase(CaseLine):
    gst_rate = RateField()


class OrderCase(Schema):
    doc_id = fields.String()
    owner = fields.String()
    engineer_name = fields.String()
    customer_id = fields.String()
    customer_name = fields.String()
    customer_city = fields.String()
    offer_id = fields.String()
    po_number = fields.String(allow_none=True)
    delivery_date = fields.Date(allow_none=True)
    created_at = UtcDateTime()
    supply = fields.String()
    taxable = fields.Decimal(as_string=True)
    discount = fields.Decimal(as_string=True)
    cgst = fields.Decimal(as_string=True)
    sgst = fields.Decimal(as_string=True)
    igst = fields.Decimal(as_string=True)
    grand_total = fields.Decimal(as_string=True)
    erp_status = fields.String()
    erp_number = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineCase))


@blp.route("/order-details/<string:order_id>")
@blp.response(200, OrderCase)
@requires_role(*HEAD_OR_ADMIN)
def order(order_id: str) -> dict[str, Any]:
    """One order for the office: the customer by name, the PO, the delivery date, the lines."""
    with services().sessions() as s:
        return approvals.order_case(s, scoped_get(s, Order, order_id, "order"))
