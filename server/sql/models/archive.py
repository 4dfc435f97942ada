"""The archive of signed and accepted documents: what a phone may no longer change or delete,
and the history of the fields of an accepted order that may still change.

Neither is a projection: they survive a rebuild, as the record they keep is the server's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, DocId, utcnow


class FrozenDocument(Base):
    """A signed offer, an accepted approval or order: its seal and last accepted revision."""

    __tablename__ = "frozen_documents"

    db_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    doc_id: Mapped[DocId] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(64), index=True)
    seal: Mapped[str] = mapped_column(String(80))  # sync/documents/frozen.py: seal()
    status: Mapped[str] = mapped_column(String(16), default="")  # an offer's
    approval_id: Mapped[DocId]  # the customer approval it rests on
    signed_by: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[str] = mapped_column(String(40))  # as the phone wrote it
    rev: Mapped[str] = mapped_column(String(80))
    # The last accepted revision, attachments inline: what the worker writes back when a
    # change or deletion reaches the store past the gateway.
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    restored_rev: Mapped[str | None] = mapped_column(String(80), nullable=True)
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrderChange(Base):
    """One change of an accepted order's PO number, delivery date or notes."""

    __tablename__ = "order_changes"

    order_id: Mapped[DocId] = mapped_column(primary_key=True)
    rev: Mapped[str] = mapped_column(String(80), primary_key=True)
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    rev_pos: Mapped[int] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
    changed_by: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["FrozenDocument", "OrderChange"]
