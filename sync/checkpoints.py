"""Worker checkpoints in SQL, written in the same transaction as the rows they cover."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.base import utcnow
from server.sql.models.sync_state import Checkpoint
from server.sql.upsert import upsert
from sync.leases import Fence


class CheckpointStore:
    """Reads and writes the opaque `_changes` sequence the worker has reached per database."""

    def read(self, sessions: sessionmaker[Session], db_name: str) -> str:
        with sessions() as session:
            seq = session.scalar(select(Checkpoint.seq).where(Checkpoint.db_name == db_name))
        return seq or "0"

    def write(self, session: Session, db_name: str, seq: str, seen: int,
              fence: Fence | None = None) -> None:
        """Within the batch's transaction; with a fence, only while its lease is still ours
        (LeaseLost otherwise, which rolls the whole batch back)."""
        if fence is not None:
            fence.check(session)
        current = session.get(Checkpoint, db_name)
        total = (current.docs_seen if current else 0) + seen
        upsert(session, Checkpoint,
               [{"db_name": db_name, "seq": seq, "docs_seen": total, "updated_at": utcnow(),
                 "fencing": fence.fencing if fence else 0}],
               keys=["db_name"])
