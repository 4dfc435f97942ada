"""Import jobs: an upload is queued in SQL and read by the scheduler process, never in a request.

Why there: `fieldsync serve` runs gevent workers, where seconds of spreadsheet parsing would
stall every live feed of the process (a thread there is a greenlet too), and any number of serve
instances may run behind a load balancer. The scheduler process already runs SQL-leased work in
every deployment (the ERP drain). A job's state, progress and every bad row live in
`import_jobs`, so any serve instance answers GET; the runner holds a short lease that it renews
while it works, and a job whose lease ran out (its scheduler stopped or crashed) is marked
failed. The rows and the job's `done` commit in one transaction, so a job is never done
without its rows, nor failed with them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from server.audit.actor import Actor, acting_as
from server.audit.recorder import record
from server.importing.errors import ImportFailure, ImportJobNotFound
from server.importing.limits import ImportLimits
from server.importing.readers import check_upload
from server.importing.service import KINDS, Importer, ImportReport, OnCommit
from server.sales.errors import InvalidRequestError, SalesError
from server.sql.models.base import utcnow
from server.sql.models.imports import ImportJob
from server.sql.session import transaction

log = logging.getLogger("fieldsync.imports")
ACTIVE = ("reading", "saving")
LEASE = timedelta(seconds=15)  # renewed every scheduler tick and with each progress write
PROGRESS_INTERVAL_S = 0.5
INTERRUPTED = ("the import was interrupted (the process running it stopped); nothing was "
               "imported: send the file again")
UNEXPECTED = ("the import failed unexpectedly; nothing was imported: send the file again, and "
              "tell your FieldSync operator if it fails again")


class LeaseLost(Exception):
    """Another process declared this job interrupted; its rows must not commit."""


def process_owner() -> str:
    """This process's name on the leases it takes."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ImportJobs:
    """Queues uploads, hands them to runners one at a time, and records what each did."""

    def __init__(self, sessions: sessionmaker[Session], limits: ImportLimits,
                 importer: Callable[[], Importer],
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.limits = limits
        self.importer = importer
        self.clock = clock

    def submit(self, kind: str, filename: str, data: bytes, requested_by: str) -> ImportJob:
        """Check what is cheap to check now (size, type, zip, XML entities), then queue."""
        if kind not in KINDS:
            raise InvalidRequestError(f"import customers or products, not {kind!r}")
        check_upload(filename, data, self.limits)
        job = ImportJob(id=uuid.uuid4().hex, kind=kind, filename=filename[:255],
                        requested_by=requested_by, status="queued", rows_read=0, imported=0,
                        message="", errors=[], content=data, created_at=self.clock())
        with transaction(self.sessions) as s:
            s.add(job)
        return job

    def get(self, job_id: str) -> ImportJob:
        with self.sessions() as s:
            job = s.get(ImportJob, job_id)
        if job is None:
            raise ImportJobNotFound(f"import job {job_id!r} was not found")
        return job

    def claim(self, owner: str) -> str | None:
        """Fail jobs whose runner vanished, then lease the oldest queued job to `owner`."""
        now = self.clock()
        with transaction(self.sessions) as s:
            s.execute(update(ImportJob).where(
                ImportJob.status.in_(ACTIVE), ImportJob.lease_until < now).values(
                status="failed", message=INTERRUPTED, content=None, finished_at=now,
                lease_owner=None, lease_until=None))
            job_id = s.scalar(select(ImportJob.id).where(ImportJob.status == "queued")
                              .order_by(ImportJob.created_at).limit(1)
                              .with_for_update(skip_locked=True))
            if job_id is not None:
                s.execute(update(ImportJob).where(ImportJob.id == job_id).values(
                    status="reading", lease_owner=owner, lease_until=now + LEASE,
                    started_at=now))
        return job_id

    def heartbeat(self, job_id: str, owner: str) -> bool:
        """Renew the lease; False once the job is no longer this owner's."""
        with transaction(self.sessions) as s:
            return _owned(s, job_id, owner, lease_until=self.clock() + LEASE)

    def run_next(self, owner: str) -> str | None:
        """Claim and run one queued job here and now; its id, or None when none waits."""
        job_id = self.claim(owner)
        if job_id is not None:
            self.run(job_id, owner)
        return job_id

    def run(self, job_id: str, owner: str) -> None:
        """Run a claimed job to done or failed; whatever happens, the job says what it did."""
        with self.sessions() as s:
            kind, filename, content, requested_by = s.execute(select(
                ImportJob.kind, ImportJob.filename, ImportJob.content,
                ImportJob.requested_by).where(ImportJob.id == job_id)).one()
        if content is None:  # declared interrupted meanwhile: nothing left to do
            return
        progress = _ProgressWriter(self, job_id, owner)
        try:
            # The rows are audited in the name of the admin who uploaded the file.
            with acting_as(Actor(requested_by, "admin")):
                report = self.importer().run(kind, filename, content, progress,
                                             on_commit=self.commit_hook(job_id, owner))
        except LeaseLost:
            log.warning("event=import_lease_lost job=%s", job_id)
            return
        except (ImportFailure, SalesError) as exc:
            self._finish(job_id, owner, status="failed", message=str(exc),
                         rows_read=progress.rows_read)
            return
        except Exception:
            log.exception("event=import_failed job=%s", job_id)
            self._finish(job_id, owner, status="failed", message=UNEXPECTED)
            return
        self._report(job_id, owner, report, progress.rows_read)

    def _report(self, job_id: str, owner: str, report: ImportReport, rows_read: int) -> None:
        if report.errors:
            self._finish(job_id, owner, status="failed", rows_read=rows_read,
                         message=f"{len(report.errors)} row(s) have problems; nothing was "
                                 "imported", errors=[asdict(e) for e in report.errors])
        elif not report.imported:
            self._finish(job_id, owner, status="done", imported=0,
                         message="the file holds no rows after its header")
        log.info("event=import_finished job=%s kind=%s rows=%d imported=%d bad_rows=%d",
                 job_id, report.kind, report.rows, report.imported, len(report.errors))

    def commit_hook(self, job_id: str, owner: str) -> OnCommit:
        """Marks the job done inside the import's transaction: done exactly when the rows are
        saved, and no rows at all if the job is no longer this owner's."""
        def done(s: Session, count: int) -> None:
            if not _owned(s, job_id, owner, status="done", imported=count, message="",
                          content=None, finished_at=self.clock(), lease_owner=None,
                          lease_until=None):
                raise LeaseLost(job_id)
            record(s, "import.done", "import", job_id, after={"imported": count})
        return done

    def _finish(self, job_id: str, owner: str, **values: Any) -> None:
        with transaction(self.sessions) as s:
            _owned(s, job_id, owner, content=None, finished_at=self.clock(), lease_owner=None,
                   lease_until=None, **values)

    def write_progress(self, job_id: str, owner: str, stage: str, rows_read: int,
                       rows_total: int | None) -> None:
        with transaction(self.sessions) as s:
            if not _owned(s, job_id, owner, status=stage, rows_read=rows_read,
                          rows_total=rows_total, lease_until=self.clock() + LEASE):
                raise LeaseLost(job_id)


def _owned(s: Session, job_id: str, owner: str, **values: Any) -> bool:
    """Update the job only while `owner` still runs it."""
    result = s.execute(update(ImportJob).where(
        ImportJob.id == job_id, ImportJob.lease_owner == owner,
        ImportJob.status.in_(ACTIVE)).values(**values))
    return bool(getattr(result, "rowcount", 0))


class _ProgressWriter:
    """The importer's progress, written to the job at most twice a second and on each stage."""

    def __init__(self, jobs: ImportJobs, job_id: str, owner: str) -> None:
        self.jobs, self.job_id, self.owner = jobs, job_id, owner
        self.stage, self.rows_read, self.written_at = "reading", 0, 0.0

    def __call__(self, stage: str, rows_read: int, rows_total: int | None) -> None:
        self.rows_read = rows_read
        now = time.monotonic()
        if stage == self.stage and now - self.written_at < PROGRESS_INTERVAL_S:
            return
        self.stage, self.written_at = stage, now
        self.jobs.write_progress(self.job_id, self.owner, stage, rows_read, rows_total)


class ImportJobRunner:
    """The scheduler's side: each tick renews the running job's lease or starts the next one.

    A job runs on a thread of its own so that a tick never waits for an import: the scheduler's
    other jobs keep their pace, and one import at a time per process bounds its memory.
    """

    def __init__(self, jobs: ImportJobs, owner: str | None = None) -> None:
        self.jobs = jobs
        self.owner = owner or process_owner()
        self._running: tuple[str, threading.Thread] | None = None

    def tick(self) -> None:
        if self._running is not None and self._running[1].is_alive():
            self.jobs.heartbeat(self._running[0], self.owner)
            return
        job_id = self.jobs.claim(self.owner)
        if job_id is None:
            self._running = None
            return
        thread = threading.Thread(target=self.jobs.run, args=(job_id, self.owner),
                                  name=f"import-{job_id[:8]}", daemon=True)
        self._running = (job_id, thread)
        thread.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the running job (tests, and a scheduler that stops)."""
        if self._running is not None:
            self._running[1].join(timeout)
