"""Which documents are frozen: the one small SQL lookup the sync gateway and the worker share."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.archive import FrozenDocument
from sync.documents.frozen import FROZEN_TYPES, Frozen

_MAX_ID = 160


def frozen_ids(doc_ids: Iterable[object]) -> list[str]:
    """The ids worth asking about: only offers, approvals and orders can be frozen."""
    return sorted({i for i in doc_ids if isinstance(i, str) and 0 < len(i) <= _MAX_ID
                   and i.partition(":")[0] in FROZEN_TYPES})


def frozen_in(session: Session, db_name: str, doc_ids: Iterable[object]) -> dict[str, Frozen]:
    """The frozen documents among these ids of one engineer database: one indexed query."""
    wanted = frozen_ids(doc_ids)
    if not wanted:
        return {}
    t = FrozenDocument
    rows = session.execute(
        select(t.doc_id, t.doc_type, t.seal, t.signed_by, t.signed_at, t.status, t.restored_rev)
        .where(t.db_name == db_name, t.doc_id.in_(wanted)))
    return {doc_id: Frozen(doc_id, kind, seal, signed_by, signed_at, status, restored)
            for doc_id, kind, seal, signed_by, signed_at, status, restored in rows}


class FrozenDocuments:
    """Answers the gateway's question for one push: which of these documents are frozen."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def lookup(self, db_name: str, doc_ids: Iterable[object]) -> dict[str, Frozen]:
        wanted = frozen_ids(doc_ids)
        if not wanted:  # most pushes (tracks, visits, leads) ask SQL nothing
            return {}
        with self.sessions() as session:
            return frozen_in(session, db_name, wanted)
