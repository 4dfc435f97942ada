"""The worker's heartbeat in SQL: /healthz tells a working worker from one waiting out a failure.

A background thread writes the worker's state every second or so. While the worker waits out
an SQL, disk or store error it records the error; while SQL itself is unreachable no beat gets
through, so the beat grows old, and /healthz counts an old beat as not healthy either.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.sync_state import WorkerHeartbeat
from server.sql.session import transaction
from server.sql.upsert import upsert

log = logging.getLogger("fieldsync.worker")

BEAT_INTERVAL_S = 1.0
# A beat older than this means the worker is stuck, dead, or cannot write to SQL.
STALE_AFTER_S = 10.0
# A worker silent this long is taken as retired (shards rearranged, a host removed), not as ill;
# work left waiting still shows in /healthz as the worker's lag.
FORGET_AFTER_S = 3600.0


@dataclass(frozen=True)
class WorkerHealth:
    """One worker as /healthz reports it."""

    worker_id: str
    state: str
    last_error: str
    beat_age_s: float

    @property
    def ok(self) -> bool:
        return self.state == "running" and self.beat_age_s <= STALE_AFTER_S


class Heartbeat:
    """Owns the worker's row in `worker_heartbeats`; start() on run, stop() removes the row."""

    def __init__(self, sessions: sessionmaker[Session], worker_id: str,
                 interval_s: float = BEAT_INTERVAL_S) -> None:
        self.sessions = sessions
        self.worker_id = worker_id[:64]
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._error = ""
        self._error_since: datetime | None = None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def failing(self, error: str) -> None:
        """The worker is waiting out `error`; the next beat says so."""
        with self._lock:
            if self._error_since is None:
                self._error_since = datetime.now(UTC)
            self._error = error[:2000]

    def recovered(self) -> None:
        with self._lock:
            self._error, self._error_since = "", None

    def start(self) -> None:
        self._stopped.clear()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and remove the row: a worker stopped on purpose is not unhealthy."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        # SQL may be the reason we stop.
        with contextlib.suppress(Exception), transaction(self.sessions) as session:
            session.execute(delete(WorkerHeartbeat)
                            .where(WorkerHeartbeat.worker_id == self.worker_id))

    def beat(self) -> None:
        with self._lock:
            error, since = self._error, self._error_since
        row = {"worker_id": self.worker_id, "host": socket.gethostname()[:255],
               "pid": os.getpid(), "state": "waiting" if error else "running",
               "last_error": error, "error_since": since, "beat_at": datetime.now(UTC)}
        with transaction(self.sessions) as session:
            upsert(session, WorkerHeartbeat, [row], keys=["worker_id"])

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.beat()
            except Exception as exc:  # SQL away: the beat ages, which /healthz reads
                log.debug("event=heartbeat_failed error=%r", str(exc))
            self._stopped.wait(self.interval_s)


def worker_health(session: Session, now: datetime | None = None) -> list[WorkerHealth]:
    """Every worker that announced itself, with how old its last beat is."""
    now = now or datetime.now(UTC)
    found = []
    for row in session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.worker_id)):
        beat_at = row.beat_at if row.beat_at.tzinfo else row.beat_at.replace(tzinfo=UTC)
        age = max((now - beat_at).total_seconds(), 0.0)
        if age <= FORGET_AFTER_S:
            found.append(WorkerHealth(row.worker_id, row.state, row.last_error, age))
    return found
