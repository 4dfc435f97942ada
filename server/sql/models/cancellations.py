"""Order cancellation requests from phones, and their way to the ERP once a head approves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, DocId, utcnow
from server.sql.models.documents import DocumentRow


class OrderCancellation(DocumentRow, Base):
    """An engineer's request to cancel an order (the `cancellation:<order key>` document).

    The head's decision lives in `head_decisions` (kind "cancellation"), which outlives this
    projection: a rebuild, or a request deleted after it was approved, keeps the order cancelled.
    """

    __tablename__ = "order_cancellations"

    order_id: Mapped[DocId] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    terms_hash: Mapped[str] = mapped_column(String(80))  # what a decision on it binds


class ErpCancellation(Base):
    """An approved cancellation on its way to the ERP; one row per order, sent once."""

    __tablename__ = "erp_cancellations"

    order_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(160))
    reason: Mapped[str] = mapped_column(Text)
    # queued | cancelled | failed | not_needed (the order never reached the ERP)
    status: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    erp_kind: Mapped[str] = mapped_column(String(16), default="")
    erp_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


__all__ = ["ErpCancellation", "OrderCancellation"]
