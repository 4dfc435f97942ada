"""Marking an engineer database dirty around each store write, so no stored document waits.

The worker reads the dirty set, drains each marked database to its end and then clears the
mark (unless it was marked again meanwhile); a full sweep every few minutes is only a safety
net. So a write must be marked in SQL, and the mark must outlive the write:

- before: the mark is written before the store write, with short retries. If it cannot be
  written, the phone gets a 503 and nothing reaches the store, so its retry pushes the same
  documents again (a document the store took but SQL never heard of would be skipped by the
  phone's retry, `_revs_diff` reporting it present, and wait for the sweep).
- after: a worker that drained the database between the first mark and the store write has
  cleared that mark without seeing the documents, so the database is marked once more after
  the write. Should SQL fail just then, the mark is retried in the background, because the
  documents are already stored and the phone should not be made to wait for SQL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from sync.dirty import DirtySet
from sync.gateway.errors import UpstreamError

log = logging.getLogger("fieldsync.gateway")


@dataclass
class WriteMarks:
    """Dirty marks around the gateway's store writes (see the module docstring)."""

    dirty: DirtySet
    attempts: int = 3
    lock_wait_s: float = 1.0  # each attempt waits at most this long for SQL's write lock
    pause_s: float = 0.2
    background_s: float = 300.0  # after that the worker's sweep finds the database anyway
    sleep: Callable[[float], None] = time.sleep
    _pending: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def before(self, db: str) -> None:
        """Mark `db`, or refuse the write with a 503 the phone retries."""
        for attempt in range(1, self.attempts + 1):
            try:
                self.dirty.mark([db], lock_wait_s=self.lock_wait_s)
                return
            except SQLAlchemyError as exc:
                log.warning("event=dirty_mark_failed db=%s attempt=%d error=%r", db, attempt,
                            str(exc).splitlines()[0])
                if attempt < self.attempts:
                    self.sleep(self.pause_s * attempt)
        raise UpstreamError("the server's database is busy, so nothing was stored; "
                            "the phone retries on its own")

    def after(self, db: str) -> None:
        """Mark `db` again now that the store holds the write; never fails the request."""
        try:
            self.dirty.mark([db], lock_wait_s=self.lock_wait_s)
        except SQLAlchemyError as exc:
            log.warning("event=dirty_mark_deferred db=%s error=%r", db, str(exc).splitlines()[0])
            self._retry_later(db)

    def _retry_later(self, db: str) -> None:
        with self._lock:
            if db in self._pending:
                return
            self._pending.add(db)
        threading.Thread(target=self._keep_trying, args=(db,), daemon=True,
                         name=f"mark {db}").start()

    def _keep_trying(self, db: str) -> None:
        deadline = time.monotonic() + self.background_s
        delay = self.pause_s
        try:
            while time.monotonic() < deadline:
                self.sleep(delay)
                try:
                    self.dirty.mark([db], lock_wait_s=self.lock_wait_s)
                    return
                except SQLAlchemyError:
                    delay = min(delay * 2, 10.0)
            log.error("event=dirty_mark_abandoned db=%s (the worker's sweep will find it)", db)
        finally:
            with self._lock:
                self._pending.discard(db)
