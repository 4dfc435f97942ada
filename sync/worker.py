"""The sync worker: follows engineer databases that changed and materialises them into SQL.

Delivery from the store is at least once; the effect is exactly once because the rows, the
document status and the checkpoint commit in one SQL transaction, and receipts are written
afterwards from the status rows still marked `receipt_pending` (so a crash between the two only
delays receipts, never loses or duplicates them).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from server.config import Settings
from sync import metrics
from sync.audit_trail import AuditTrail
from sync.batch import AfterAccept, BatchProcessor
from sync.checkpoints import CheckpointStore
from sync.conflict_hook import ConflictHook, conflicted_ids
from sync.db_updates import DbUpdatesFollower
from sync.dirty import DirtySet
from sync.heartbeat import Heartbeat
from sync.leases import LeaseLost, Ownership, worker_name
from sync.partitions import PartitionError
from sync.provisioning import engineer_databases
from sync.receipt_writer import ReceiptEnricher, ReceiptWriter
from sync.store import ChangesPage, DocumentStore, NotFoundError, StoreError, TransientStoreError

log = logging.getLogger("fieldsync.worker")


# What the worker waits out instead of dying: the store, SQL (a database restarting, a lock held
# too long) and the disk (full, read-only). Anything else is a bug, but a worker that exits stops
# every engineer's receipts, so it is logged in full and waited out as well.
EXPECTED_FAILURES = (StoreError, SQLAlchemyError, OSError)


@dataclass
class Backoff:
    """Capped exponential backoff with full jitter for store, SQL and disk failures.

    The cap is a few seconds: a database that comes back after a blip is in use again within
    seconds, and a few retries a second are nothing for a store or SQL that is still down.
    """

    base_s: float = 0.2
    cap_s: float = 5.0
    attempt: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        self.attempt += 1
        return self.rng.uniform(0, min(self.cap_s, self.base_s * 2 ** (self.attempt - 1)))

    def reset(self) -> None:
        self.attempt = 0


@dataclass(frozen=True)
class WorkerHooks:
    """What the worker calls besides its own work, wired by the composition root."""

    conflicts: ConflictHook  # settles conflicted documents after each commit
    after_accept: Sequence[AfterAccept] = ()  # inside each batch's transaction: the ERP outbox
    receipt_enrichers: Sequence[ReceiptEnricher] = ()  # what receipts say besides the status


class Worker:
    """Drains the dirty set, with a slow full sweep as a safety net."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session],
                 store: DocumentStore, *, hooks: WorkerHooks, audit: AuditTrail,
                 ownership: Ownership, sleep: Callable[[float], None] = time.sleep,
                 write_receipts: bool = True) -> None:
        self.settings = settings
        self.sessions = sessions
        self.ownership = ownership
        self.store = store
        self.dirty = DirtySet(sessions)
        self.checkpoints = CheckpointStore()
        self.receipts = ReceiptWriter(store, sessions)
        self.batches = BatchProcessor(settings, sessions, store, self.checkpoints, audit,
                                      hooks.after_accept)
        self.batches.fence = self.ownership.fence
        self.updates = DbUpdatesFollower(store, settings.db_prefix)
        self.conflicts = hooks.conflicts
        self.receipts.enrichers += hooks.receipt_enrichers
        self.sleep = sleep
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="changes-reader")
        self.write_receipts = write_receipts
        self.batches.audit_refusals = write_receipts  # a rebuild records nothing twice
        self.stopping = False
        self.backoff = Backoff()
        # One row per worker name (the host by default): a worker restarted after a crash takes
        # over its predecessor's row instead of leaving a silent one that keeps /healthz red.
        self.heartbeat = Heartbeat(sessions, "/".join(
            part for part in (worker_name(settings), settings.worker_shard) if part))
        self._last_sweep = 0.0

    def stop(self) -> None:
        """Finish the current batch, then return from run_forever()."""
        self.stopping = True

    def run_forever(self) -> None:
        log.info("event=worker_started shard=%s partitions=%s", self.settings.worker_shard
                 or "leased", self.settings.worker_partitions)
        self.heartbeat.start()
        try:
            while not self.stopping:
                try:
                    done = self.run_once()
                    if time.monotonic() - self._last_sweep > self.settings.worker_sweep_interval_s:
                        done += self.sweep()
                except PartitionError:  # a deployment error: waiting cannot fix it
                    raise
                except Exception as exc:  # see EXPECTED_FAILURES: waited out, never fatal
                    self._wait_out(exc)
                    continue
                if self.backoff.attempt:
                    log.info("event=worker_resumed after_attempts=%d", self.backoff.attempt)
                    self.backoff.reset()
                    self.heartbeat.recovered()
                if not done:
                    self.sleep(self.settings.worker_poll_interval_s)
        finally:
            self._release_leases()
            self.heartbeat.stop()
        log.info("event=worker_stopped")

    def _release_leases(self) -> None:
        """Give the leases back so the others take over at once rather than after the lease."""
        try:
            self.ownership.release()
        except EXPECTED_FAILURES as exc:  # SQL gone at shutdown: the leases simply expire
            log.warning("event=lease_release_failed error=%r", str(exc)[:500])

    def _wait_out(self, exc: Exception) -> None:
        """Back off and try again. Nothing is lost or doubled: a failed transaction took its
        checkpoint down with it, so the same changes are read again."""
        delay = self.backoff.next_delay()
        if isinstance(exc, TransientStoreError) and exc.retry_after_s:
            delay = max(delay, exc.retry_after_s)  # the store said when (429 Retry-After)
        kind = ("store" if isinstance(exc, StoreError) else "sql"
                if isinstance(exc, SQLAlchemyError) else "disk")
        if not isinstance(exc, EXPECTED_FAILURES):
            kind = "unexpected"
            log.exception("event=worker_failed retry_in_s=%.2f", delay)
        else:
            log.warning("event=%s_unavailable error=%r retry_in_s=%.2f", kind,
                        str(exc)[:500], delay)
        self.heartbeat.failing(f"{kind}: {exc}")
        self.sleep(delay)

    def run_once(self) -> int:
        """One pass over the dirty databases this worker owns; returns documents processed."""
        self.ownership.refresh()
        changed = self.updates.poll(self.ownership.holds)
        if changed:  # written past FieldSync (replication, an admin): the store says so
            self.dirty.mark(changed)
        processed = 0
        snapshot = self.dirty.snapshot()
        metrics.DIRTY_DATABASES.set(len(snapshot))
        metrics.WORKER_LAG.set(max([(datetime.now(UTC) - mark.marked_at).total_seconds()
                                    for db_name, mark in snapshot.items()
                                    if self.ownership.holds(db_name)] + [0.0]))
        for db_name, mark in snapshot.items():
            if self.stopping:
                break
            if not self.ownership.holds(db_name):
                continue
            done, complete = self._drain(db_name)
            processed += done
            if complete:  # a lost lease leaves the mark for the successor
                self.dirty.clear(db_name, mark.generation)
        return processed

    def sweep(self) -> int:
        """Visit every owned engineer database, for writes that were never marked dirty."""
        self._last_sweep = time.monotonic()
        self.ownership.refresh()
        owned = [db for db in engineer_databases(self.sessions)
                 if self.ownership.holds(db)]
        return sum(self.drain(db) for db in owned if not self.stopping)

    def run_until_idle(self, max_passes: int = 1000) -> int:
        """Process until nothing is dirty (tests, the benchmark), then give the leases back."""
        total = 0
        try:
            for _ in range(max_passes):
                done = self.run_once()
                total += done
                if not done and not self.dirty.snapshot():
                    break
        finally:
            self.ownership.release()
        return total

    def drain(self, db_name: str) -> int:
        """Read a database's changes from its checkpoint to the end, batch by batch."""
        return self._drain(db_name)[0]

    def _drain(self, db_name: str) -> tuple[int, bool]:
        """Documents processed, and whether the end was reached with the lease still held."""
        try:
            return self._drain_held(db_name)
        except LeaseLost as exc:  # the batch rolled back: the successor processes it
            log.warning("event=lease_lost db=%s reason=%r", db_name, str(exc))
            return 0, False
        except NotFoundError:  # deleted from the store: nothing left to read
            log.warning("event=database_missing db=%s", db_name)
            return 0, True
        except DBAPIError as exc:
            if self.ownership.holds(db_name):
                raise
            # Paused past the lease: the database ended the session (and rolled it back).
            log.warning("event=lease_lost db=%s reason=%r", db_name, str(exc.orig))
            return 0, False

    def _drain_held(self, db_name: str) -> tuple[int, bool]:
        processed = 0
        if self.write_receipts:  # left over from a crash after the last commit
            self.conflicts.settle(db_name, self.conflicts.unsettled(db_name))
            self.receipts.flush(db_name)
        # Read-ahead: the next page is fetched while this one is judged and committed, so the
        # store's work overlaps ours. A page read ahead and never processed costs nothing: the
        # checkpoint only moves with a commit.
        upcoming = self._reader.submit(self._page, db_name,
                                       self.checkpoints.read(self.sessions, db_name))
        complete = False
        while not self.stopping:
            self.ownership.refresh()  # a long catch-up keeps its leases renewed
            if not self.ownership.holds(db_name):
                break  # paused past the lease, or given to another worker: commit nothing
            page = upcoming.result()
            if not page.results:
                complete = True
                break
            upcoming = self._reader.submit(self._page, db_name, page.last_seq)
            processed += self.batches.process(db_name, page)
            if self.write_receipts and self.ownership.holds(db_name):
                self.conflicts.settle(db_name, conflicted_ids(page))
                self.receipts.flush(db_name)
        upcoming.cancel()
        return processed, complete

    def _page(self, db_name: str, since: str) -> ChangesPage:
        return self.store.changes(db_name, since, limit=self.settings.worker_batch_size,
                                  include_docs=True, conflicts=True)

    def drain_all(self, db_names: Iterable[str]) -> int:
        return sum(self.drain(db) for db in db_names)

