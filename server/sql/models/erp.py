"""The ERP outbox, its attempts and the dead-letter list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, utcnow


class ErpOutbox(Base):
    """One sales order on its way to the ERP, with a frozen snapshot of what will be sent."""

    __tablename__ = "erp_outbox"

    order_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    db_name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(64), index=True)
    erp_kind: Mapped[str] = mapped_column(String(16), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # queued | sent (outcome unknown) | accepted | failed (dead letter) | not_sent (no ERP)
    status: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                      index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Set while a create may have reached the ERP without an answer: look up before resending.
    outcome_unknown: Mapped[bool] = mapped_column(Boolean, default=False)
    erp_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    erp_status: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The receipt on the phone is current when receipt_version == state_version.
    state_version: Mapped[int] = mapped_column(Integer, default=1)
    receipt_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ErpAttempt(Base):
    """One try at sending an order: what happened and what the ERP said."""

    __tablename__ = "erp_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(
        String(160), ForeignKey("erp_outbox.order_id", ondelete="CASCADE"), index=True)
    erp_kind: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # accepted | retry | rejected | dead
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ErpDeadLetter(Base):
    """An order the bridge gave up on, with the ERP's own error text, until an admin retries."""

    __tablename__ = "erp_dead_letters"

    order_id: Mapped[str] = mapped_column(
        String(160), ForeignKey("erp_outbox.order_id", ondelete="CASCADE"), primary_key=True)
    erp_kind: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ErpSyncState(Base):
    """How far the master-data pull has read each ERP entity (the delta watermark)."""

    __tablename__ = "erp_sync_state"

    erp_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
