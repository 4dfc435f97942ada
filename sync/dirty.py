"""The dirty set: every writer marks the engineer database it wrote to; the worker drains it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, and_, delete, select, update
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


class DirtyMarker(Protocol):
    """What a writer needs of the dirty set: tell the worker these databases changed."""

    def mark(self, db_names: Iterable[str]) -> None: ...


class DirtySet:
    """Shared by every process through SQL, so gateways and workers may run anywhere."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def mark(self, db_names: Iterable[str], *, lock_wait_s: float | None = None) -> None:
        """Mark databases dirty; with `lock_wait_s`, give up (raising) after waiting that long
        for a lock instead of the connection's default, so a caller can retry or refuse."""
        names = sorted(set(db_names))
        if not names:
            return
        if lock_wait_s is None:
            with transaction(self.sessions) as session:
                session.execute(self._upsert(session.get_bind().dialect.name, names))
            return
        engine = self.sessions.kw["bind"]
        with _waiting_at_most(engine, lock_wait_s) as conn:
            conn.execute(self._upsert(engine.dialect.name, names))

    @staticmethod
    def _upsert(dialect: str, names: list[str]) -> Any:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(DirtyDatabase).values([{"db_name": n, "generation": 1} for n in names])
        return stmt.on_conflict_do_update(index_elements=["db_name"],
                                          set_={"generation": DirtyDatabase.generation + 1})

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


@contextmanager
def _waiting_at_most(engine: Engine, wait_s: float) -> Iterator[Connection]:
    """A transaction whose lock waits end after `wait_s` (SQLite busy timeout, PostgreSQL
    lock_timeout), restoring the connection's own setting afterwards."""
    millis = max(int(wait_s * 1000), 1)
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        if engine.dialect.name == "sqlite" and raw is not None:
            # Before BEGIN IMMEDIATE, which is where SQLite waits for the write lock.
            previous = raw.execute("PRAGMA busy_timeout").fetchone()[0]
            raw.execute(f"PRAGMA busy_timeout={millis}")
            try:
                with conn.begin():
                    yield conn
            finally:
                with suppress(sqlite3.Error):  # a broken connection is discarded anyway
                    raw.execute(f"PRAGMA busy_timeout={int(previous)}")
            return
        with conn.begin():
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{millis}ms'")
            yield conn
