"""Report tables: the daily travel rollup, geofence verifications and monthly sales targets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, DocId, Money, utcnow
from server.sql.models.conflicts import Conflict
from server.sql.models.sync_state import DocumentStatus, RejectedDocument


class DailyTravel(Base):
    """One engineer-day of breadcrumbs, summarised so that reports never read raw points."""

    __tablename__ = "daily_travel"
    __table_args__ = (Index("ix_daily_travel_day_owner", "day", "owner"),)

    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # in the team's time zone
    points: Mapped[int] = mapped_column(Integer)
    used_points: Mapped[int] = mapped_column(Integer)
    mock_points: Mapped[int] = mapped_column(Integer)
    distance_m: Mapped[float] = mapped_column(Float)
    moving_s: Mapped[float] = mapped_column(Float)
    stopped_s: Mapped[float] = mapped_column(Float)
    untracked_s: Mapped[float] = mapped_column(Float)
    stops: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    integrity_score: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    integrity_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LocationVerification(Base):
    """Where an offer, approval, order or visit was written compared with its customer."""

    __tablename__ = "location_verifications"
    __table_args__ = (
        Index("ix_location_verifications_owner_event", "owner", "event_at"),
        Index("ix_location_verifications_status_event", "status", "event_at"),
    )

    doc_id: Mapped[DocId] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(16))
    rev: Mapped[str] = mapped_column(String(80))  # the revision verified; a new one is redone
    owner: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(8))  # inside | outside | unknown
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SalesTarget(Base):
    """What an engineer is expected to sell in a month (month = its first day)."""

    __tablename__ = "sales_targets"

    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    order_value: Mapped[Money]
    orders: Mapped[int] = mapped_column(Integer, default=0)
    set_by: Mapped[str] = mapped_column(String(64), default="")
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RollupState(Base):
    """How far a rollup job has read its source (the watermark of processed documents)."""

    __tablename__ = "rollup_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


# Indexes the reports and the rollup need on tables other packages own: they are declared here,
# next to the queries that depend on them.
Index("ix_document_status_owner_processed", DocumentStatus.owner, DocumentStatus.processed_at)
Index("ix_document_status_type_processed", DocumentStatus.doc_type, DocumentStatus.processed_at)
Index("ix_rejected_documents_owner_rejected", RejectedDocument.owner,
      RejectedDocument.rejected_at)
Index("ix_conflicts_owner_opened", Conflict.owner, Conflict.opened_at)
