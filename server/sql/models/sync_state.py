"""Worker state: engineer databases, the dirty set, checkpoints, document status and rejections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, utcnow


class EngineerDatabase(Base):
    """The store database that holds one engineer's documents."""

    __tablename__ = "engineer_databases"

    db_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DirtyDatabase(Base):
    """A database with writes the worker has not read yet; `generation` grows with each mark."""

    __tablename__ = "dirty_databases"

    db_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Checkpoint(Base):
    """How far the worker has read a database's `_changes` (committed with the rows)."""

    __tablename__ = "worker_checkpoints"

    db_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[str] = mapped_column(Text, default="0")
    docs_seen: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DocumentStatus(Base):
    """The server's verdict on the latest revision of each document, and its receipt's state."""

    __tablename__ = "document_status"

    db_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(32), index=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    rev: Mapped[str] = mapped_column(String(80))
    rev_pos: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)  # accepted|rejected|conflict|…
    reason: Mapped[str] = mapped_column(Text, default="")
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    in_conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_pending: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    receipt_rev: Mapped[str | None] = mapped_column(String(80), nullable=True)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RejectedDocument(Base):
    """A document revision the worker or the gateway refused, kept so an admin can read it."""

    __tablename__ = "rejected_documents"

    db_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    rev: Mapped[str] = mapped_column(String(80))
    doc_type: Mapped[str] = mapped_column(String(32), index=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    rejected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # "worker": the revision is in the store and SQL can be rebuilt from it; "gateway": the
    # gateway refused the write, so this row is the only copy the server has (never rebuilt).
    source: Mapped[str] = mapped_column(String(16), default="worker", server_default="worker")
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
