"""Worker state: engineer databases, the dirty set, checkpoints, document status and rejections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Integer, String, Text
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
    # The fencing number of the lease the writer held (0: written without a lease).
    fencing: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


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


class WorkerHeartbeat(Base):
    """A running worker's last sign of life and, while it waits out a failure, the error.

    /healthz reads it: a worker that cannot reach SQL cannot write here either, so a beat
    that is too old says as much as a recorded error.
    """

    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="running")  # running | waiting
    last_error: Mapped[str] = mapped_column(Text, default="")
    error_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkerLease(Base):
    """One partition of the engineer databases, leased by one worker at a time.

    `fencing` grows each time the partition changes hands; a worker commits a checkpoint only
    while the number it acquired is still current, so one that lost its lease (a long pause,
    a network partition) can never commit over its successor."""

    __tablename__ = "worker_leases"

    partition: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    fencing: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acquired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Since when no worker has held it (released, or its owner's lease ran out).
    unowned_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)


class WorkerMember(Base):
    """A running worker, renewed with its leases: the others count these to share fairly."""

    __tablename__ = "worker_members"

    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
