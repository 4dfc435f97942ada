"""The head's screens (/api/v1/approvals, /api/v1/order-details): in business terms."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.api.activity import attachment_headers
from server.api.common import (
    HEAD_OR_ADMIN,
    ListArgs,
    Page,
    RateField,
    UtcDateTime,
    current_scope,
    http_errors,
    list_args,
    page_schema,
    requires_role,
    services,
)
from server.api.schemas import Amounts, CaseLine, CaseParties, EarlierDecision, GstSplit

blp = Blueprint("approvals", __name__, url_prefix="/api/v1",
                description="The head's screens: approvals and orders in business terms")


class OfferCase(CaseParties, Amounts):
    status = fields.String()
    created_at = UtcDateTime()
    max_discount_pct = RateField()
    discount_limit_pct = RateField(allow_none=True)
    gst = fields.Decimal(as_string=True)
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
    return services().sales_queries.offer_cases(current_scope().owners, args)


@blp.route("/approvals/expenses")
@blp.arguments(ExpenseQueueArgs, location="query")
@blp.response(200, page_schema("ExpenseCasePage", ExpenseCase))
@requires_role(*HEAD_OR_ADMIN)
def expenses(args: dict[str, Any]) -> Page:
    """Expenses waiting for a decision, or approved and not yet reimbursed."""
    return services().sales_queries.expense_cases(current_scope().owners, args)


@blp.route("/approvals/expenses/<string:expense_id>/receipt-photo")
@blp.response(200, content_type="image/jpeg", description="The expense's receipt photo")
@requires_role(*HEAD_OR_ADMIN)
def receipt_photo(expense_id: str) -> Response:
    """The receipt photo the engineer attached to the expense."""
    with http_errors():
        name, body = services().sales_queries.receipt_photo(current_scope().owners, expense_id)
    return Response(body, headers=attachment_headers(name, body))


class OrderLineCase(CaseLine):
    gst_rate = RateField()


class OrderCase(CaseParties, GstSplit):
    offer_id = fields.String()
    po_number = fields.String(allow_none=True)
    delivery_date = fields.Date(allow_none=True)
    created_at = UtcDateTime()
    supply = fields.String()
    erp_status = fields.String()
    erp_number = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineCase))


@blp.route("/order-details/<string:order_id>")
@blp.response(200, OrderCase)
@requires_role(*HEAD_OR_ADMIN)
def order(order_id: str) -> dict[str, Any]:
    """One order for the office: the customer by name, the PO, the delivery date, the lines."""
    with http_errors():
        return services().sales_queries.order_case(current_scope().owners, order_id)
