"""The dirty set: every writer marks the engineer database it wrote to; the worker drains it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.base import utcnow
from server.sql.models.sync_state import DirtyDatabase
from server.sql.session import transaction


class DirtySet:
    """Shared by every process through SQL, so gateways and workers may run anywhere."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def mark(self, db_names: Iterable[str]) -> None:
        names = sorted(set(db_names))
        if not names:
            return
        with transaction(self.sessions) as session:
            insert = (postgresql.insert if session.bind is not None
                      and session.bind.dialect.name == "postgresql" else sqlite.insert)
            stmt = insert(DirtyDatabase).values([{"db_name": n, "generation": 1} for n in names])
            stmt = stmt.on_conflict_do_update(
                index_elements=["db_name"],
                set_={"generation": DirtyDatabase.generation + 1},
            )
            session.execute(stmt)

    def snapshot(self) -> dict[str, int]:
        """The dirty databases and the generation each was at when read."""
        with self.sessions() as session:
            rows = session.execute(select(DirtyDatabase.db_name, DirtyDatabase.generation))
            return {str(name): int(gen) for name, gen in rows}

    def clear(self, db_name: str, generation: int) -> None:
        """Forget a mark unless a writer marked the database again since it was read."""
        with transaction(self.sessions) as session:
            gone = session.connection().execute(delete(DirtyDatabase).where(and_(
                DirtyDatabase.db_name == db_name, DirtyDatabase.generation == generation)))
            if not gone.rowcount:  # marked again meanwhile: its wait starts from this catch-up
                session.execute(update(DirtyDatabase).where(DirtyDatabase.db_name == db_name)
                                .values(marked_at=utcnow()))
