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
    kind: Mapped[str] = mapped_column(String(16), index=True)  # discount | expense | cancellation
    owner: Mapped[str] = mapped_column(String(64), index=True)  # the engineer
    outcome: Mapped[str] = mapped_column(String(16))  # approved | declined
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    reimbursed: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the decision binds: the hash of the subject's commercial terms when it was made,
    # and those terms for people ("15%", "₹500.00 for 12 km by bike").
    terms_hash: Mapped[str | None] = mapped_column(String(80), nullable=True)
    terms: Mapped[str] = mapped_column(String(200), default="", server_default="")


class ServerLeadStep(Base):
    """A lead step the server wrote for a head or admin: a phone may not claim or drop one."""

    __tablename__ = "server_lead_steps"

    lead_id: Mapped[DocId] = mapped_column(primary_key=True)
    at: Mapped[str] = mapped_column(String(40), primary_key=True)  # as written in the history
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    by: Mapped[str] = mapped_column(String(64))


class TravelRate(Base):
    """What the company pays per kilometre for one travel mode."""

    __tablename__ = "travel_rates"

    mode: Mapped[str] = mapped_column(String(16), primary_key=True)
    rate_per_km: Mapped[Money]
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["HeadDecision", "ServerLeadStep", "TravelRate"]
