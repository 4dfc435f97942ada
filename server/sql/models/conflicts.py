"""The conflict queue and its audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, utcnow


class Conflict(Base):
    """A document edited on two devices: its revisions, differences and whether it is settled."""

    __tablename__ = "conflicts"
    __table_args__ = (Index("ix_conflicts_status_type_opened", "status", "doc_type", "opened_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    db_name: Mapped[str] = mapped_column(String(200))
    doc_id: Mapped[str] = mapped_column(String(160))
    doc_type: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(64), index=True)
    winner_rev: Mapped[str] = mapped_column(String(80))
    loser_revs: Mapped[list[str]] = mapped_column(JSON, default=list)
    differences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sides: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    # "<db_name>/<doc_id>" while open, NULL once resolved: at most one open row per document.
    open_key: Mapped[str | None] = mapped_column(String(370), unique=True, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ConflictResolution(Base):
    """Who settled a conflict, when, what was chosen and the revision that resulted."""

    __tablename__ = "conflict_resolutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conflict_id: Mapped[int] = mapped_column(ForeignKey("conflicts.id"), index=True)
    resolved_by: Mapped[str] = mapped_column(String(64))
    resolved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    method: Mapped[str] = mapped_column(String(16))  # auto | keep | pick | edit | store
    choice: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(Text, default="")
    resulting_rev: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
