"""Offers, orders and head decisions on discounts (/api/v1/offers, /orders), scoped by role."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

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
    paginate,
    requires_role,
    scoped_get,
    services,
)
from server.sales.approvals import awaiting_offers
from server.sales.cancellations import (
    Cancellations,
    CancellationView,
    cancellation_filter,
    cancellation_views,
)
from server.sales.frozen import changes_of_order
from server.sales.offers import loc_of, offer_sheet, offer_views
from server.sales.pdf import render_offer
from server.sales.service import HeadActions
from server.sql.models.documents import Offer, Order, OrderLine
from server.sql.models.sales import HeadDecision
from sync.documents.schema import CANCELLATION_STATUSES, DECISION_OUTCOMES, OFFER_STATUSES

blp = Blueprint("trade", __name__, url_prefix="/api/v1",
                description="Offers, orders and discount decisions")
DOC_ID = validate.Length(1, 160)


class LocOut(Schema):
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    accuracy_m = fields.Float(allow_none=True)
    at = UtcDateTime(allow_none=True)
    mock = fields.Boolean(allow_none=True)


class LineOut(Schema):
    line_no = fields.Integer()
    product_id = fields.String()
    quantity = fields.Decimal(as_string=True)
    unit_price = fields.Decimal(as_string=True)
    discount_pct = RateField()
    gst_rate = RateField()
    taxable = fields.Decimal(as_string=True)
    cgst = fields.Decimal(as_string=True)
    sgst = fields.Decimal(as_string=True)
    igst = fields.Decimal(as_string=True)
    total = fields.Decimal(as_string=True)


class DecisionOut(Schema):
    subject_id = fields.String()
    kind = fields.String()
    owner = fields.String()
    outcome = fields.String()
    decided_by = fields.String()
    decided_at = UtcDateTime()
    note = fields.String()
    reimbursed = fields.Boolean()
    terms_hash = fields.String(allow_none=True, metadata={
        "description": "hash of the terms the decision binds; a change of them voids it"})
    terms = fields.String(metadata={"description": 'what was decided on, like "15%"'})


class TradeOut(Schema):
    doc_id = fields.String()
    owner = fields.String()
    customer_id = fields.String()
    supply = fields.String()
    taxable = fields.Decimal(as_string=True)
    discount = fields.Decimal(as_string=True)
    cgst = fields.Decimal(as_string=True)
    sgst = fields.Decimal(as_string=True)
    igst = fields.Decimal(as_string=True)
    gst = fields.Decimal(as_string=True)
    grand_total = fields.Decimal(as_string=True)
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


def _offer_out(s: Session, rows: Sequence[Offer], *, lines: bool) -> list[dict[str, Any]]:
    return offer_views(s, services().store, rows, lines=lines)


OfferArgs = list_args(
    "OfferArgs", ("created_at", "updated_at", "grand_total", "owner", "status"),
    owner=fields.String(validate=validate.Length(1, 64)),
    customer_id=fields.String(validate=validate.Length(1, 64)),
    status=fields.String(validate=validate.OneOf(OFFER_STATUSES)),
    awaiting_decision=fields.Boolean(metadata={"description": "above the limit, undecided"}),
    created_from=fields.Date(), created_to=fields.Date())
OfferPage = page_schema("OfferPage", OfferOut)
OFFER_SORT = {"created_at": Offer.created_at, "updated_at": Offer.updated_at,
              "grand_total": Offer.grand_total, "owner": Offer.owner, "status": Offer.status}


def _filtered(stmt: Select[Any], model: Any, args: dict[str, Any]) -> Select[Any]:
    for key in ("owner", "customer_id", "status"):
        if key in args and hasattr(model, key):
            stmt = stmt.where(getattr(model, key) == args[key])
    if "created_from" in args:
        stmt = stmt.where(model.created_at >= args["created_from"])
    if "created_to" in args:
        stmt = stmt.where(model.created_at < _next_day(args["created_to"]))
    return current_scope().limit(stmt, model.owner)


def _next_day(day: date) -> date:
    return date.fromordinal(min(day.toordinal() + 1, date.max.toordinal()))


@blp.route("/offers")
@blp.arguments(OfferArgs, location="query")
@blp.response(200, OfferPage)
@requires_role(*ANYONE)
def list_offers(args: dict[str, Any]) -> Page:
    """Offers: engineers their own, heads their team's, admins all."""
    stmt = _filtered(select(Offer), Offer, args)
    if "awaiting_decision" in args:
        stmt = awaiting_offers(stmt, args["awaiting_decision"])
    with services().sessions() as s:
        page = paginate(s, stmt, args, OFFER_SORT, "-created_at")
        return Page(_offer_out(s, page.items, lines=False), page.page, page.page_size,
                    page.total)


def _offer_row(s: Session, offer_id: str) -> Offer:
    return scoped_get(s, Offer, offer_id, "offer")


@blp.route("/offers/<string:offer_id>")
@blp.response(200, OfferOut)
@requires_role(*ANYONE)
def get_offer(offer_id: str) -> dict[str, Any]:
    """One offer with its lines and the head's decision, if any."""
    with services().sessions() as s:
        return _offer_out(s, [_offer_row(s, offer_id)], lines=True)[0]


class DecisionIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(DECISION_OUTCOMES))
    note = fields.String(load_default="", validate=validate.Length(0, 2000))


@blp.route("/offers/<string:offer_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(201, DecisionOut)
@requires_role(*HEAD_OR_ADMIN)
def decide_offer(body: dict[str, Any], offer_id: str) -> HeadDecision:
    """Approve or decline a discount above the engineer's limit; the phone sees it next sync."""
    built = services()
    with http_errors():
        return HeadActions(built.store, built.sessions).decide_discount(
            current_principal(), offer_id, body["outcome"], body["note"])


@blp.route("/offers/<string:offer_id>/pdf")
@blp.response(200, content_type="application/pdf",
              description="The customer's copy of the offer")
@requires_role(*ANYONE)
def offer_pdf(offer_id: str) -> Response:
    """The offer as a PDF for the customer: GST breakdown, totals in words, validity."""
    built = services()
    with built.sessions() as s:
        sheet = offer_sheet(s, _offer_row(s, offer_id), built.settings)
    with http_errors():
        body = render_offer(sheet)
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
ORDER_SORT = {"created_at": Order.created_at, "grand_total": Order.grand_total,
              "owner": Order.owner, "delivery_date": Order.delivery_date}


def _order_out(s: Session, row: Order, *, lines: bool,
               cancellation: CancellationView | None = None) -> dict[str, Any]:
    out = {c: getattr(row, c) for c in OrderOut._declared_fields if hasattr(row, c)}
    out["loc"] = loc_of(row)
    out["cancellation"] = cancellation
    if lines:
        out["lines"] = s.scalars(select(OrderLine).where(OrderLine.order_id == row.doc_id)
                                 .order_by(OrderLine.line_no)).all()
        out["changes"] = changes_of_order(s, row.doc_id)
    return out


@blp.route("/orders")
class Orders(MethodView):
    @blp.arguments(OrderArgs, location="query")
    @blp.response(200, OrderPage)
    @requires_role(*ANYONE)
    def get(self, args: dict[str, Any]) -> Page:
        """Orders: engineers their own, heads their team's, admins all."""
        stmt = _filtered(select(Order), Order, args)
        if "erp_status" in args:
            stmt = stmt.where(Order.erp_status == args["erp_status"])
        if "cancellation" in args:
            stmt = stmt.where(cancellation_filter(args["cancellation"]))
        with services().sessions() as s:
            page = paginate(s, stmt, args, ORDER_SORT, "-created_at")
            cancelled = cancellation_views(s, [r.doc_id for r in page.items])
            return Page([_order_out(s, r, lines=False, cancellation=cancelled.get(r.doc_id))
                         for r in page.items], page.page, page.page_size, page.total)


@blp.route("/orders/<string:order_id>")
@blp.response(200, OrderOut)
@requires_role(*ANYONE)
def get_order(order_id: str) -> dict[str, Any]:
    """One order with its lines and the history of its PO number, delivery date and notes."""
    with services().sessions() as s:
        row = scoped_get(s, Order, order_id, "order")
        return _order_out(s, row, lines=True,
                          cancellation=cancellation_views(s, [order_id]).get(order_id))


@blp.route("/orders/<string:order_id>/cancellation/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(201, CancellationOut)
@requires_role(*HEAD_OR_ADMIN)
def decide_cancellation(body: dict[str, Any], order_id: str) -> dict[str, Any]:
    """Approve an engineer's request to cancel an order (the ERP is told) or decline it with a
    note the engineer sees on the phone."""
    built = services()
    with http_errors():
        view = Cancellations(HeadActions(built.store, built.sessions)).decide(
            current_principal(), order_id, body["outcome"], body["note"])
    return asdict(view)
