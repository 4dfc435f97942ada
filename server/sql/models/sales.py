"""Heads' decisions (discounts above a limit, expenses) and the per-km travel rates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, DocId, Money, utcnow


class HeadDecision(Base):
    """A head's decision on one document; it is also written as `decision:<subject>`."""

    __tablename__ = "head_decisions"

    subject_id: Mapped[DocId] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # discount | expense
    owner: Mapped[str] = mapped_column(String(64), index=True)  # the engineer
    outcome: Mapped[str] = mapped_column(String(16))  # approved | declined
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    reimbursed: Mapped[bool] = mapped_column(Boolean, default=False)


class TravelRate(Base):
    """What the company pays per kilometre for one travel mode."""

    __tablename__ = "travel_rates"

    mode: Mapped[str] = mapped_column(String(16), primary_key=True)
    rate_per_km: Mapped[Money]
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["HeadDecision", "TravelRate"]
