"""Appends audit rows in the caller's transaction, one writer at a time along the chain."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.audit.actor import Actor, current_actor
from server.audit.chain import (
    GENESIS,
    ChainReport,
    Entry,
    canonical_json,
    check_chain,
    seal,
    timestamp_text,
)
from server.sql.models.audit import AuditEntry, AuditHead
from server.sql.models.base import utcnow

HEAD_ID = 1
_LIMITS = {"actor": 64, "actor_role": 16, "address": 64, "device_id": 64, "action": 64,
           "entity_type": 32, "entity_id": 200}


def record(session: Session, action: str, entity_type: str, entity_id: str, *,
           before: Any = None, after: Any = None, actor: Actor | None = None,
           clock: Callable[[], datetime] = utcnow) -> AuditEntry:
    """Append one row to the audit trail inside `session`'s open transaction.

    Commits (or rolls back) with the change it records. Takes the chain-head lock, which is
    held until that commit: call it last in the transaction, after the change is written.
    """
    who = actor or current_actor()
    head = _locked_head(session)
    at = clock()
    values = {"actor": who.username, "actor_role": who.role, "address": who.address,
              "device_id": who.device_id, "action": action, "entity_type": entity_type,
              "entity_id": str(entity_id)}
    values = {k: str(v or "")[:_LIMITS[k]] for k, v in values.items()}
    entry = seal(Entry(seq=0, at=timestamp_text(at), before=canonical_json(before),
                       after=canonical_json(after), **values), head.seq, head.hash)
    row = AuditEntry(seq=entry.seq, at=at, before=entry.before, after=entry.after,
                     prev_hash=entry.prev_hash, hash=entry.hash, **values)
    session.add(row)
    head.seq, head.hash = entry.seq, entry.hash
    session.flush()
    return row


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any],
                                                                     dict[str, Any]]:
    """Only the keys whose values differ, as (before, after): what an update changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _locked_head(session: Session) -> AuditHead:
    # PostgreSQL: SELECT … FOR UPDATE makes concurrent recorders wait for this transaction.
    # SQLite: every transaction begins IMMEDIATE (server.sql.session), so writers are serial.
    head = session.scalar(select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update())
    if head is None:  # a schema built without the migration's seed row
        head = AuditHead(id=HEAD_ID, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def stored_entries(session: Session, batch: int = 5000) -> Iterator[Entry]:
    """Every row in sequence order, read in batches (the trail grows without bound)."""
    table = AuditEntry.__table__
    last = -1
    while True:
        # Plain rows, not ORM objects: a check reads every row ever recorded.
        rows = session.execute(select(table).where(table.c.seq > last)
                               .order_by(table.c.seq).limit(batch)).all()
        for row in rows:
            yield Entry(**{**row._asdict(), "at": timestamp_text(row.at)})
        if len(rows) < batch:
            return
        last = rows[-1].seq


def verify_chain(session: Session) -> ChainReport:
    """Check every stored row against its hash and its predecessor, and the tail against the
    chain head."""
    head = session.get(AuditHead, HEAD_ID)
    return check_chain(stored_entries(session), (head.seq, head.hash) if head else None)
