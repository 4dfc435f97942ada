"""Offers, orders and head decisions on discounts (/api/v1/offers, /orders), scoped by role.

The views translate HTTP to the sales services (`Services.sales`, `Services.sales_queries`)
and back; what an offer or an order reads as is built in server/sales/queries.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.api.common import (
    ANYONE,
    HEAD_OR_ADMIN,
    Page,
    RateField,
    UtcDateTime,
    current_principal,
    current_scope,
    http_errors,
    list_args,
    page_schema,
    requires_role,
    services,
)
from server.api.schemas import DecisionIn, DecisionOut, GstParts, GstSplit, LocOut, PricedLine
from server.sales.cancellations import Cancellations
from server.sql.models.sales import HeadDecision
from sync.documents.schema import CANCELLATION_STATUSES, OFFER_STATUSES

blp = Blueprint("trade", __name__, url_prefix="/api/v1",
                description="Offers, orders and discount decisions")
DOC_ID = validate.Length(1, 160)


class LineOut(PricedLine, GstParts):
    gst_rate = RateField()


class TradeOut(GstSplit):
    doc_id = fields.String()
    owner = fields.String()
    customer_id = fields.String()
    supply = fields.String()
    gst = fields.Decimal(as_string=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    loc = fields.Nested(LocOut, allow_none=True)


class ApprovalOut(Schema):
    approval_id = fields.String()
    signed_by = fields.String()
    signed_at = UtcDateTime()
    loc = fields.Nested(LocOut, allow_none=True)
    signature = fields.String(metadata={"description": "the signature image's attachment"})
    signature_url = fields.String(allow_none=True)
    offer_hash = fields.String(metadata={"description": "the offer content hash signed"})
    recomputed_hash = fields.String(allow_none=True, metadata={
        "description": "the hash of the offer as the document store holds it now"})
    verification = fields.String(metadata={
        "description": "intact: the stored offer is what was signed; changed: it is not"})


class OfferOut(TradeOut):
    status = fields.String()
    display_status = fields.String(metadata={"description": "status, or superseded"})
    revision = fields.Integer(metadata={"description": "0 for a quotation's first offer"})
    supersedes = fields.String(allow_none=True)
    quotation_id = fields.String()
    superseded = fields.Boolean()
    superseded_by = fields.String(allow_none=True)
    approval = fields.Nested(ApprovalOut, allow_none=True)
    valid_until = fields.Date()
    max_discount_pct = RateField()
    content_hash = fields.String()
    terms_hash = fields.String()
    needs_decision = fields.Boolean()
    decision = fields.Nested(DecisionOut, allow_none=True)
    decision_binds = fields.Boolean(metadata={
        "description": "the decision was made on the offer's current terms"})
    lines = fields.List(fields.Nested(LineOut))


class CancellationOut(Schema):
    request_id = fields.String()
    status = fields.String(metadata={"description": "requested | cancelled | declined"})
    reason = fields.String()
    requested_at = UtcDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
    note = fields.String()
    erp_status = fields.String(allow_none=True, metadata={
        "description": "queued | cancelled | failed | not_needed (never reached the ERP)"})
    erp_error = fields.String()


class OrderChangeOut(Schema):
    field = fields.String(metadata={"description": "po_number, delivery_date or notes"})
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)
    rev = fields.String()
    changed_by = fields.String()
    device_id = fields.String(allow_none=True)
    changed_at = UtcDateTime()


class OrderOut(TradeOut):
    cancellation = fields.Nested(CancellationOut, allow_none=True)
    offer_id = fields.String()
    approval_id = fields.String()
    po_number = fields.String(allow_none=True)
    delivery_date = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    erp_status = fields.String()
    erp_number = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(LineOut))
    changes = fields.List(fields.Nested(OrderChangeOut), metadata={
        "description": "changes of the PO number, delivery date and notes since the order was "
                       "accepted, oldest first (all else of an accepted order is frozen)"})


OfferArgs = list_args(
    "OfferArgs", ("created_at", "updated_at", "grand_total", "owner", "status"),
    owner=fields.String(validate=validate.Length(1, 64)),
    customer_id=fields.String(validate=validate.Length(1, 64)),
    status=fields.String(validate=validate.OneOf(OFFER_STATUSES)),
    awaiting_decision=fields.Boolean(metadata={"description": "above the limit, undecided"}),
    created_from=fields.Date(), created_to=fields.Date())
OfferPage = page_schema("OfferPage", OfferOut)


@blp.route("/offers")
@blp.arguments(OfferArgs, location="query")
@blp.response(200, OfferPage)
@requires_role(*ANYONE)
def list_offers(args: dict[str, Any]) -> Page:
    """Offers: engineers their own, heads their team's, admins all."""
    return services().sales_queries.offers(current_scope().owners, args)


@blp.route("/offers/<string:offer_id>")
@blp.response(200, OfferOut)
@requires_role(*ANYONE)
def get_offer(offer_id: str) -> dict[str, Any]:
    """One offer with its lines and the head's decision, if any."""
    with http_errors():
        return services().sales_queries.offer(current_scope().owners, offer_id)


@blp.route("/offers/<string:offer_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(201, DecisionOut)
@requires_role(*HEAD_OR_ADMIN)
def decide_offer(body: dict[str, Any], offer_id: str) -> HeadDecision:
    """Approve or decline a discount above the engineer's limit; the phone sees it next sync."""
    with http_errors():
        return services().sales.decide_discount(
            current_principal(), offer_id, body["outcome"], body["note"])


@blp.route("/offers/<string:offer_id>/pdf")
@blp.response(200, content_type="application/pdf",
              description="The customer's copy of the offer")
@requires_role(*ANYONE)
def offer_pdf(offer_id: str) -> Response:
    """The offer as a PDF for the customer: GST breakdown, totals in words, validity."""
    with http_errors():
        body, sheet = services().sales_queries.offer_pdf(current_scope().owners, offer_id)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in offer_id)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{safe}.pdf"',
        # The file's own hash, so a copy the customer holds can be matched to this one.
        "X-Content-SHA256": hashlib.sha256(body).hexdigest(), "X-Offer-Hash": sheet.offer_hash})


OrderArgs = list_args(
    "OrderArgs", ("created_at", "grand_total", "owner", "delivery_date"),
    owner=fields.String(validate=validate.Length(1, 64)),
    customer_id=fields.String(validate=validate.Length(1, 64)),
    erp_status=fields.String(validate=validate.Length(1, 16)),
    cancellation=fields.String(validate=validate.OneOf(CANCELLATION_STATUSES),
                               metadata={"description": "orders whose cancellation is so"}),
    created_from=fields.Date(), created_to=fields.Date())
OrderPage = page_schema("OrderPage", OrderOut)


@blp.route("/orders")
class Orders(MethodView):
    @blp.arguments(OrderArgs, location="query")
    @blp.response(200, OrderPage)
    @requires_role(*ANYONE)
    def get(self, args: dict[str, Any]) -> Page:
        """Orders: engineers their own, heads their team's, admins all."""
        return services().sales_queries.orders(current_scope().owners, args)


@blp.route("/orders/<string:order_id>")
@blp.response(200, OrderOut)
@requires_role(*ANYONE)
def get_order(order_id: str) -> dict[str, Any]:
    """One order with its lines and the history of its PO number, delivery date and notes."""
    with http_errors():
        return services().sales_queries.order(current_scope().owners, order_id)


@blp.route("/orders/<string:order_id>/cancellation/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(201, CancellationOut)
@requires_role(*HEAD_OR_ADMIN)
def decide_cancellation(body: dict[str, Any], order_id: str) -> dict[str, Any]:
    """Approve an engineer's request to cancel an order (the ERP is told) or decline it with a
    note the engineer sees on the phone."""
    with http_errors():
        view = Cancellations(services().sales).decide(
            current_principal(), order_id, body["outcome"], body["note"])
    return asdict(view)
