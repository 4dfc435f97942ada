"""Master-data import jobs: an uploaded file, its progress, and every bad row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, utcnow


class ImportJob(Base):
    """One import of a CSV or XLSX file, run by the scheduler process outside any request."""

    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # customers | products
    filename: Mapped[str] = mapped_column(String(255))
    requested_by: Mapped[str] = mapped_column(String(64))
    # queued -> reading -> saving -> done, or failed (bad rows, a refused file, interrupted)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The uploaded file until the job ends; then dropped, the outcome is what stays.
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                         nullable=True)
