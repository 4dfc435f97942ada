"""Rows materialised from the engineers' documents: offers, orders, leads, visits and more."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, DocId, Money, Quantity, Rate, Timestamp

# Every timestamp is stored in UTC (sync/projection.py converts the device's offsets).


class DocumentRow:
    """Columns every header row keeps from its document: identity, revision, times, location."""

    doc_id: Mapped[DocId] = mapped_column(primary_key=True)
    db_name: Mapped[str] = mapped_column(String(200), index=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    rev: Mapped[str] = mapped_column(String(80))
    rev_pos: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[Timestamp] = mapped_column(index=True)
    updated_at: Mapped[Timestamp]
    loc_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    loc_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    loc_accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    loc_at: Mapped[Timestamp | None] = mapped_column(nullable=True)
    loc_mock: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class Totals:
    """A document's GST totals, in rupees."""

    supply: Mapped[str] = mapped_column(String(8))  # intra | inter
    taxable: Mapped[Money]
    discount: Mapped[Money]
    cgst: Mapped[Money]
    sgst: Mapped[Money]
    igst: Mapped[Money]
    gst: Mapped[Money]
    grand_total: Mapped[Money]


class LineRow:
    """One priced line of an offer or an order."""

    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[str] = mapped_column(String(64), index=True)
    quantity: Mapped[Quantity]
    unit_price: Mapped[Money]
    discount_pct: Mapped[Rate]
    gst_rate: Mapped[Rate]
    taxable: Mapped[Money]
    cgst: Mapped[Money]
    sgst: Mapped[Money]
    igst: Mapped[Money]
    total: Mapped[Money]


class Offer(DocumentRow, Totals, Base):
    """A sales offer as last accepted."""

    __tablename__ = "offers"
    __table_args__ = (Index("ix_offers_owner_created", "owner", "created_at"),)

    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    valid_until: Mapped[date] = mapped_column(Date)
    price_list_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(80))
    business_key: Mapped[str] = mapped_column(Text)
    terms_hash: Mapped[str] = mapped_column(String(80), default="", server_default="")
    max_discount_pct: Mapped[Rate]
    in_conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    # Quotation revisions: the offer this one supersedes, its number (0 for the first offer)
    # and the quotation's first offer. "Superseded" is read from a later offer naming this one.
    supersedes: Mapped[DocId | None] = mapped_column(nullable=True, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quotation_id: Mapped[DocId] = mapped_column(default="", server_default="", index=True)


class OfferLine(LineRow, Base):
    """A line of an offer."""

    __tablename__ = "offer_lines"

    offer_id: Mapped[DocId] = mapped_column(
        ForeignKey("offers.doc_id", ondelete="CASCADE"), primary_key=True)


class CustomerApproval(DocumentRow, Base):
    """A customer's signed approval of one exact offer content."""

    __tablename__ = "customer_approvals"

    offer_id: Mapped[DocId] = mapped_column(index=True)
    offer_hash: Mapped[str] = mapped_column(String(80))
    signed_by: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[Timestamp]
    signature: Mapped[str] = mapped_column(String(200))  # the PNG attachment's name
    # Why the phone had no fix when the customer signed; the geofence and integrity reports
    # flag it (a signature in a basement is still a signature).
    no_fix: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Order(DocumentRow, Totals, Base):
    """A sales order from an approved offer; the erp_* columns belong to the ERP bridge."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_owner_created", "owner", "created_at"),)

    offer_id: Mapped[DocId] = mapped_column(index=True)
    approval_id: Mapped[DocId]
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    business_key: Mapped[str] = mapped_column(Text)
    po_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    delivery_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    erp_status: Mapped[str] = mapped_column(String(16), default="not_sent",
                                            server_default="not_sent", index=True)
    erp_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    erp_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class OrderLine(LineRow, Base):
    """A line of an order."""

    __tablename__ = "order_lines"

    order_id: Mapped[DocId] = mapped_column(
        ForeignKey("orders.doc_id", ondelete="CASCADE"), primary_key=True)


class OrderCancellation(DocumentRow, Base):
    """An engineer's request to cancel an order (the `cancellation:<order key>` document).

    The head's decision lives in `head_decisions` (kind "cancellation"), which outlives this
    projection: a rebuild, or a request deleted after it was approved, keeps the order cancelled.
    """

    __tablename__ = "order_cancellations"

    order_id: Mapped[DocId] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    terms_hash: Mapped[str] = mapped_column(String(80))  # what a decision on it binds


class Lead(DocumentRow, Base):
    """A lead in the funnel, with the details of every stage it reached."""

    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_owner_stage", "owner", "stage"),)

    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    prospect_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    prospect_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    prospect_city: Mapped[str | None] = mapped_column(String(100), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    expected_value: Mapped[Money | None] = mapped_column(nullable=True)
    stage: Mapped[str] = mapped_column(String(20), index=True)
    lost_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    proposal_value: Mapped[Money | None] = mapped_column(nullable=True)
    po_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    po_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    po_amount: Mapped[Money | None] = mapped_column(nullable=True)
    advance_amount: Mapped[Money | None] = mapped_column(nullable=True)
    advance_payment_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    oa_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    oa_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    installation_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    installation_notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class LeadStageHistory(Base):
    """One step of a lead's history, oldest first."""

    __tablename__ = "lead_stage_history"
    __table_args__ = (Index("ix_lead_stage_history_stage_at", "stage", "at"),)

    lead_id: Mapped[DocId] = mapped_column(
        ForeignKey("leads.doc_id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage: Mapped[str] = mapped_column(String(20))
    at: Mapped[Timestamp]
    by: Mapped[str] = mapped_column(String(64))
    loc_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    loc_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    loc_accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    loc_at: Mapped[Timestamp | None] = mapped_column(nullable=True)
    loc_mock: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class Visit(DocumentRow, Base):
    """A visit report: check-in, optional check-out, outcome."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_owner_check_in", "owner", "check_in_at"),)

    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    lead_id: Mapped[DocId | None] = mapped_column(nullable=True, index=True)
    purpose: Mapped[str] = mapped_column(Text)
    check_in_at: Mapped[Timestamp] = mapped_column(index=True)
    check_in_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    check_in_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    check_in_accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    check_in_no_fix: Mapped[str | None] = mapped_column(String(200), nullable=True)
    check_out_at: Mapped[Timestamp | None] = mapped_column(nullable=True)
    check_out_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    check_out_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_action: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_action_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class Expense(DocumentRow, Base):
    """A travel expense; approval_status and reimbursed belong to the heads' decisions."""

    __tablename__ = "expenses"
    __table_args__ = (Index("ix_expenses_owner_date", "owner", "date"),)

    date: Mapped[date] = mapped_column(Date, index=True)
    from_place: Mapped[str] = mapped_column(String(200))
    to_place: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16))
    km: Mapped[Quantity]
    amount: Mapped[Money]
    purpose: Mapped[str] = mapped_column(Text)
    has_receipt_photo: Mapped[bool] = mapped_column(Boolean, default=False)
    approval_status: Mapped[str] = mapped_column(String(16), default="pending",
                                                 server_default="pending", index=True)
    reimbursed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    terms_hash: Mapped[str] = mapped_column(String(80), default="", server_default="")


class Todo(DocumentRow, Base):
    """An engineer's to-do."""

    __tablename__ = "todos"

    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    lead_id: Mapped[DocId | None] = mapped_column(nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class GpsPoint(Base):
    """One breadcrumb of a track document (points are numbered by their place in the document)."""

    __tablename__ = "gps_points"
    __table_args__ = (Index("ix_gps_points_owner_at", "owner", "at"),)

    track_id: Mapped[DocId] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    db_name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float] = mapped_column(Float)
    at: Mapped[Timestamp]
    speed_mps: Mapped[float | None] = mapped_column(Float, nullable=True)
    mock: Mapped[bool] = mapped_column(Boolean, default=False)


__all__ = [
    "CustomerApproval", "Expense", "GpsPoint", "Lead", "LeadStageHistory", "Offer",
    "OfferLine", "Order", "OrderCancellation", "OrderLine", "Todo", "Visit",
]
