"""Which engineer databases this worker may process: leased partitions, or a fixed split.

Leases live in SQL (`worker_leases`), so workers on any machine cover for each other: each
renews its leases with a heartbeat; a dead worker's leases run out and the others take them;
a worker that joins gets its fair share as the others give partitions back. The fencing number
of each lease travels with every checkpoint the worker commits (see `Fence`).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, and_, delete, event, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from server.config import Settings
from server.sql.models.base import utcnow
from server.sql.models.sync_state import WorkerLease, WorkerMember
from server.sql.session import transaction
from sync.partitions import (
    PartitionCountMismatch,
    WorkersStillRunning,
    fair_share,
    partition_of,
    rebalance,
)

log = logging.getLogger("fieldsync.worker")
# A lease is trusted locally for this part of its time to live, so a worker stops work on it
# before any other worker may take it, even if the two clocks drift a little.
LOCAL_MARGIN = 0.8


class LeaseLost(RuntimeError):
    """The worker no longer holds the partition of a database it was about to commit for."""


@dataclass(frozen=True)
class Fence:
    """The lease a checkpoint write must still hold to commit."""

    partition: int
    owner: str
    fencing: int

    def check(self, session: Session) -> None:
        """Within the committing transaction: touch the lease row only while it is ours.

        The row lock this takes orders the commit against a takeover: either the successor
        acquires after this commit (and reads our checkpoint) or this finds a newer number."""
        touched = session.connection().execute(update(WorkerLease).where(and_(
            WorkerLease.partition == self.partition, WorkerLease.owner == self.owner,
            WorkerLease.fencing == self.fencing)).values(fencing=self.fencing))
        if not touched.rowcount:
            raise LeaseLost(f"partition {self.partition} is no longer held with fencing number "
                            f"{self.fencing} by {self.owner}")


class Ownership(Protocol):
    """What the worker asks before and while it processes a database."""

    def refresh(self) -> None: ...
    def holds(self, db_name: str) -> bool: ...
    def fence(self, db_name: str) -> Fence | None: ...
    def release(self) -> None: ...


class AllDatabases:
    """Everything, unfenced: `fieldsync rebuild` and other tools run with no worker about."""

    def refresh(self) -> None:
        return None

    def holds(self, db_name: str) -> bool:
        return True

    def fence(self, db_name: str) -> Fence | None:
        return None

    def release(self) -> None:
        return None


class StaticShard(AllDatabases):
    """FIELDSYNC_WORKER_SHARD=index/count: a fixed hash range, for operators who want one."""

    def __init__(self, index: int, count: int) -> None:
        self.index, self.count = index, count

    def holds(self, db_name: str) -> bool:
        return partition_of(db_name, self.count) == self.index


def worker_name(settings: Settings) -> str:
    return settings.worker_name or socket.gethostname()


class LeaseKeeper:
    """This worker's leases: claimed, renewed, given back and checked."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.sessions = sessions
        self.partitions = settings.worker_partitions
        self.ttl = settings.worker_lease_ttl_s
        self.name = worker_name(settings)[:80]
        # Unique per process: two workers started with the same name never share leases.
        self.owner = f"{self.name}/{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.held: dict[int, int] = {}  # partition -> fencing number
        self.valid_until = 0.0
        self._next_beat = 0.0
        self._seeded = False

    # --- what the worker asks ------------------------------------------------------------------
    def holds(self, db_name: str) -> bool:
        """Held and, by this process's own clock, not yet possibly taken by another worker."""
        return (partition_of(db_name, self.partitions) in self.held
                and self.clock() < self.valid_until)

    def fence(self, db_name: str) -> Fence | None:
        partition = partition_of(db_name, self.partitions)
        if partition not in self.held or self.clock() >= self.valid_until:
            raise LeaseLost(f"partition {partition} of {db_name} is not held by {self.owner}")
        return Fence(partition, self.owner, self.held[partition])

    def refresh(self) -> None:
        """Heartbeat when one is due (a third of the lease time)."""
        if self.clock() >= self._next_beat:
            self.heartbeat()

    # --- the heartbeat -------------------------------------------------------------------------
    def heartbeat(self) -> None:
        started = self.clock()
        if self.held and started >= self.valid_until:
            log.warning("event=lease_lost owner=%s partitions=%d reason=%r", self.owner,
                        len(self.held), "not renewed in time (paused or cut off)")
            self.held = {}
        if not self._seeded:
            self._seed()
        with transaction(self.sessions) as session:
            now = utcnow()
            expires = now + timedelta(seconds=self.ttl)
            self._register(session, now, expires)
            held = self._renew(session, expires)
            lost = set(self.held) - set(held)
            if lost:
                log.warning("event=lease_lost owner=%s partitions=%s reason=%r", self.owner,
                            sorted(lost), "taken over by another worker")
            live = session.scalar(select(func.count()).select_from(WorkerMember)
                                  .where(WorkerMember.expires_at > now)) or 1
            plan = rebalance(list(held), fair_share(self.partitions, live))
            self._release(session, plan.release, now)
            for partition in plan.release:
                held.pop(partition)
        held.update(self._claim(plan.claim_up_to, expires))
        self.held = held
        self.valid_until = started + self.ttl * LOCAL_MARGIN
        self._next_beat = started + self.ttl / 3

    def _seed(self) -> None:
        """The lease rows exist once, with the deployment's partition count."""
        with transaction(self.sessions) as session:
            stored = session.scalar(select(func.count()).select_from(WorkerLease)) or 0
            if stored == 0:  # the first worker ever; others may be seeding at the same moment
                now = utcnow()
                insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql"
                          else sqlite.insert)
                session.execute(insert(WorkerLease).values([
                    {"partition": p, "owner": None, "fencing": 0, "expires_at": now,
                     "unowned_since": now} for p in range(self.partitions)])
                    .on_conflict_do_nothing(index_elements=["partition"]))
        with self.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(WorkerLease)) or 0
        if stored != self.partitions:
            raise PartitionCountMismatch(stored, self.partitions)
        self._seeded = True

    def repartition(self) -> None:
        """Replace the lease rows with this worker's partition count, while no worker runs.

        Nothing durable hangs on a partition (checkpoints are per database), so the new split
        starts where every database's checkpoint stands."""
        with transaction(self.sessions) as session:
            now = utcnow()
            live = session.scalars(select(WorkerLease.owner).where(
                WorkerLease.owner.is_not(None), WorkerLease.expires_at > now)).all()
            if live:
                raise WorkersStillRunning(sorted({str(owner) for owner in live}))
            session.execute(delete(WorkerLease))
            session.execute(delete(WorkerMember))
        log.info("event=repartitioned partitions=%d", self.partitions)

    def _register(self, session: Session, now: datetime, expires: datetime) -> None:
        member = session.get(WorkerMember, self.owner)
        if member is None:
            session.add(WorkerMember(owner=self.owner, name=self.name, started_at=now,
                                     expires_at=expires))
        else:
            member.expires_at = expires
        # Members gone for a while are forgotten (their leases ran out long ago).
        session.execute(delete(WorkerMember).where(
            WorkerMember.expires_at < now - timedelta(seconds=self.ttl)))
        session.flush()

    def _renew(self, session: Session, expires: datetime) -> dict[int, int]:
        session.execute(update(WorkerLease).where(WorkerLease.owner == self.owner)
                        .values(expires_at=expires))
        rows = session.execute(select(WorkerLease.partition, WorkerLease.fencing)
                               .where(WorkerLease.owner == self.owner))
        return {int(p): int(f) for p, f in rows}

    def _release(self, session: Session, partitions: list[int], now: datetime) -> None:
        if not partitions:
            return
        session.execute(update(WorkerLease).where(and_(
            WorkerLease.partition.in_(partitions), WorkerLease.owner == self.owner)).values(
            owner=None, expires_at=now, unowned_since=now))
        log.info("event=lease_released owner=%s partitions=%s", self.owner, partitions)

    def _claim(self, wanted: int, expires: datetime) -> dict[int, int]:
        """Free or expired partitions, each taken with a conditional update (another worker
        may be claiming too: only one update matches the fencing number it read). On
        PostgreSQL the rows are picked with SKIP LOCKED, so a claim never waits on a row that
        another transaction holds, and no two claimers wait on each other."""
        if wanted <= 0:
            return {}
        now = utcnow()
        free = or_(WorkerLease.owner.is_(None), WorkerLease.expires_at < now)
        with self.sessions() as session:
            stale = {str(o) for o in session.scalars(select(WorkerLease.owner).where(
                WorkerLease.owner.is_not(None), WorkerLease.owner != self.owner,
                WorkerLease.expires_at < now))}
        if stale:  # a paused owner's open transaction must not block what we take over
            with transaction(self.sessions) as session:
                end_sessions_of(session, stale)
        got: dict[int, int] = {}
        with transaction(self.sessions) as session:
            rows = session.execute(select(WorkerLease.partition, WorkerLease.fencing)
                                   .where(free).order_by(WorkerLease.partition).limit(wanted)
                                   .with_for_update(skip_locked=True)).all()
            for partition, fencing in rows:
                taken = session.connection().execute(update(WorkerLease).where(
                    WorkerLease.partition == partition, WorkerLease.fencing == fencing,
                    free).values(owner=self.owner, fencing=fencing + 1, expires_at=expires,
                                 acquired_at=now, unowned_since=None))
                if taken.rowcount:
                    got[int(partition)] = int(fencing) + 1
        if got:
            log.info("event=lease_acquired owner=%s partitions=%s", self.owner, sorted(got))
        return got

    def release(self) -> None:
        """On a clean stop: give every partition back so the others take over at once."""
        with transaction(self.sessions) as session:
            self._release(session, sorted(self.held), utcnow())
            session.execute(delete(WorkerMember).where(WorkerMember.owner == self.owner))
        self.held = {}
        # Holding nothing, a worker that runs again must rejoin at its next refresh, not when
        # the beat planned while it still held its partitions falls due (a third of a lease).
        self.valid_until = 0.0
        self._next_beat = 0.0


def tag_worker_sessions(engine: Engine, owner: str, ttl_s: float) -> None:
    """PostgreSQL: name this worker's sessions after its lease owner, and end any of them that
    sits in a transaction longer than a lease.

    A worker paused mid-batch (SIGSTOP, a frozen VM) would otherwise keep its row locks and
    block its successor for as long as the pause lasts: the successor ends the sessions of the
    owner it takes a partition from (see `end_sessions_of`), and the server ends idle ones."""
    if engine.dialect.name != "postgresql":
        return  # SQLite: one process's transaction blocks only writers on that machine
    timeout_ms = max(int(ttl_s * 1000), 1000)

    @event.listens_for(engine, "connect")
    def _tag(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT set_config('application_name', %s, false)", (owner[:63],))
            cur.execute(f"SET idle_in_transaction_session_timeout = {timeout_ms}")
        dbapi_conn.commit()

    engine.dispose()  # connections made before this get the settings too


def end_sessions_of(session: Session, owners: set[str]) -> None:
    """Roll back whatever the previous owners of expired leases still hold open (PostgreSQL)."""
    bind = session.get_bind()
    if not owners or bind.dialect.name != "postgresql":
        return
    session.execute(text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = ANY(:names) AND pid <> pg_backend_pid()"),
        {"names": [o[:63] for o in owners]})


def ownership_for(settings: Settings, sessions: sessionmaker[Session]) -> Ownership:
    """A fixed split when the operator set FIELDSYNC_WORKER_SHARD, leases otherwise."""
    if settings.worker_shard:
        return StaticShard(*settings.shard)
    return LeaseKeeper(sessions, settings)
