"""The dirty set: every writer marks the engineer database it wrote to; the worker drains it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.base import utcnow
from server.sql.models.sync_state import DirtyDatabase
from server.sql.session import transaction


@dataclass(frozen=True)
class DirtyMark:
    """How often a database was marked, and since when it has waited."""

    generation: int
    marked_at: datetime


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite drops the offset


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

    def snapshot(self) -> dict[str, DirtyMark]:
        """The dirty databases, each with the generation it was at when read."""
        with self.sessions() as session:
            rows = session.execute(select(DirtyDatabase.db_name, DirtyDatabase.generation,
                                          DirtyDatabase.marked_at))
            return {str(name): DirtyMark(int(gen), _aware(at)) for name, gen, at in rows}

    def clear(self, db_name: str, generation: int) -> None:
        """Forget a mark unless a writer marked the database again since it was read."""
        with transaction(self.sessions) as session:
            gone = session.connection().execute(delete(DirtyDatabase).where(and_(
                DirtyDatabase.db_name == db_name, DirtyDatabase.generation == generation)))
            if not gone.rowcount:  # marked again meanwhile: its wait starts from this catch-up
                session.execute(update(DirtyDatabase).where(DirtyDatabase.db_name == db_name)
                                .values(marked_at=utcnow()))
