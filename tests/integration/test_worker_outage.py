"""The worker and the scheduler outlive SQL going away: PostgreSQL stopped, SQLite's disk full.

A real worker process (and a scheduler) runs against a private PostgreSQL cluster or a SQLite
file on a small tmpfs, while documents keep arriving in the store the way a phone's push ends
there (stored, then the database marked dirty when SQL lets us). During the fault /healthz
says not ok and the processes keep running; afterwards the worker resumes by itself and every
document ends with one receipt and exactly one row.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.app import create_app
from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.demo import load_master_data
from server.sql.migrate import upgrade
from server.sql.models.documents import Todo
from server.sql.models.sync_state import DocumentStatus
from sync.dirty import DirtySet
from sync.embedded import StoreEndpoint
from sync.provisioning import provision_engineer
from tests.factories import make_todo
from tests.support.postgres import PostgresCluster, create_database
from tests.support.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]
OUTAGE_S = 30.0


class PhonePushes:
    """Stores a to-do every 50 ms as the gateway does for a phone's push, and marks the
    database dirty; while SQL is away the mark fails and the worker's sweep finds the write."""

    def __init__(self, services: Services, db: str) -> None:
        self.services, self.db = services, db
        self.revs: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PhonePushes:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            doc = make_todo("asha")
            (result,) = self.services.store.bulk_docs(self.db, [doc])
            self.revs[doc["_id"]] = result["rev"]
            with contextlib.suppress(Exception):  # SQL away: nothing marks it
                DirtySet(self.services.sessions).mark([self.db])


def process_env(settings: Settings) -> dict[str, str]:
    return dict(os.environ, FIELDSYNC_DATABASE_URL=settings.sqlalchemy_url,
                FIELDSYNC_STORE_URL=settings.store_url,
                FIELDSYNC_STORE_USERNAME=settings.store_username,
                FIELDSYNC_STORE_PASSWORD=settings.store_password,
                FIELDSYNC_DB_PREFIX=settings.db_prefix, FIELDSYNC_VAR_DIR=str(settings.var_dir),
                FIELDSYNC_WORKER_POLL_INTERVAL_S="0.05", FIELDSYNC_WORKER_SWEEP_INTERVAL_S="2",
                FIELDSYNC_LOG_LEVEL="WARNING")


@contextlib.contextmanager
def running(settings: Settings, *names: str) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    procs = {name: subprocess.Popen([sys.executable, "-m", "server.cli", name], cwd=REPO,
                                    env=process_env(settings)) for name in names}
    try:
        yield procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


_apps: dict[int, Any] = {}


def health(services: Services) -> dict[str, Any]:
    """What /healthz answers, through the real Flask app on these services."""
    app = _apps.setdefault(id(services), create_app(services=services))
    response = app.test_client().get("/healthz")
    body: dict[str, Any] = response.get_json()
    assert (response.status_code == 200) == body["ok"]
    return body


def worker_healthy(services: Services) -> bool:
    body = health(services)
    return bool(body["ok"] and body["worker"]["processes"])


def settled(services: Services, revs: dict[str, str]) -> bool:
    """Every document judged at its latest revision with its receipt written."""
    with services.sessions() as s:
        done = dict(s.execute(select(DocumentStatus.doc_id, DocumentStatus.rev)
                              .where(DocumentStatus.receipt_pending.is_(False))).all())
    return bool(revs) and all(done.get(doc_id) == rev for doc_id, rev in revs.items())


def one_receipt_and_one_row_each(services: Services, db: str, revs: dict[str, str]) -> None:
    rows = services.store.all_docs(db, include_docs=True)
    receipts = [r["doc"] for r in rows if r["id"].startswith("receipt:")]
    assert sorted(r["doc_id"] for r in receipts) == sorted(revs)  # one each, none extra
    assert all(r["status"] == "accepted" and r["doc_rev"] == revs[r["doc_id"]]
               for r in receipts)
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(DocumentStatus)) == len(revs)
        assert set(s.scalars(select(Todo.doc_id))) == set(revs)
        assert s.scalar(select(func.count()).select_from(Todo)) == len(revs)


def ride_out(services: Services, procs: dict[str, subprocess.Popen[bytes]],
             seconds: float) -> list[dict[str, Any]]:
    """Health reports through the fault; the processes must stay up all along."""
    reports = []
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        reports.append(health(services))
        assert all(p.poll() is None for p in procs.values()), "a process died during the fault"
        time.sleep(1.0)
    return reports


def prepare(settings: Settings) -> tuple[Services, str]:
    services = bootstrap(settings)
    upgrade(services.engine)
    load_master_data(services)
    db = provision_engineer(services.store, services.sessions, settings.db_prefix, "asha")
    return services, db


@pytest.mark.slow
def test_postgres_stopped_30_s_under_a_running_worker(tmp_path: Path,
                                                      store_endpoint: StoreEndpoint,
                                                      db_prefix: str) -> None:
    cluster = PostgresCluster()  # our own: the shared server is never stopped
    cluster.start()
    services: Services | None = None
    try:
        url, _ = create_database(cluster.url)
        settings = Settings(var_dir=tmp_path / "var", database_url=url,
                            store_url=store_endpoint.url, store_username=store_endpoint.username,
                            store_password=store_endpoint.password, db_prefix=db_prefix)
        services, db = prepare(settings)
        with running(settings, "worker", "scheduler") as procs:
            with PhonePushes(services, db) as phone:
                wait_for(lambda: len(phone.revs) > 20 and worker_healthy(services), 60,
                         "the worker did not start")
                cluster.stop()
                during = ride_out(services, procs, OUTAGE_S)
                cluster.start()
                resumed = wait_for(lambda: worker_healthy(services), 30, "healthy again")
            wait_for(lambda: settled(services, phone.revs), 60, "every document judged")
        assert not any(report["ok"] for report in during)
        assert all(p.returncode == 0 for p in procs.values())  # alive until asked to stop
        print(f"postgres: healthy {resumed:.1f} s after PostgreSQL came back")
        assert resumed < 15, f"the worker took {resumed:.1f} s to resume"
        one_receipt_and_one_row_each(services, db, phone.revs)
    finally:
        if services is not None:
            services.close()
        cluster.remove()


@contextlib.contextmanager
def small_disk(path: Path, size_mb: int) -> Iterator[Path]:
    """A tmpfs of its own, unmounted at the end whatever happens."""
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)],
                   check=True, capture_output=True)
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(disk: Path, db_file: Path) -> Path:
    """Empty the SQLite WAL into the database file, then take every free byte of the disk."""
    with sqlite3.connect(db_file, timeout=30) as conn:
        while conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
            time.sleep(0.05)  # busy: a writer was in the middle of a transaction
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError:  # ENOSPC: full; smaller writes take the last blocks
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 512)
    finally:
        os.close(fd)
    return filler


@pytest.mark.slow
def test_sqlite_disk_full_under_a_running_worker(tmp_path: Path, store_endpoint: StoreEndpoint,
                                                 db_prefix: str, sqlite_template: Path) -> None:
    with small_disk(tmp_path / "disk", 64) as disk:
        db_file = disk / "fieldsync.db"
        shutil.copyfile(sqlite_template, db_file)
        settings = Settings(var_dir=tmp_path / "var", database_url=f"sqlite:///{db_file}",
                            store_url=store_endpoint.url, store_username=store_endpoint.username,
                            store_password=store_endpoint.password, db_prefix=db_prefix)
        services, db = prepare(settings)
        try:
            with running(settings, "worker") as procs:
                with PhonePushes(services, db) as phone:
                    wait_for(lambda: len(phone.revs) > 20 and worker_healthy(services), 60,
                             "the worker did not start")
                    filler = fill(disk, db_file)
                    during = ride_out(services, procs, 25)
                    filler.unlink()
                    resumed = wait_for(lambda: worker_healthy(services), 30, "healthy again")
                wait_for(lambda: settled(services, phone.revs), 60, "every document judged")
            # SQLite still reads: /healthz learns of the refused writes from the worker's beat.
            assert all(report["sql"] for report in during)
            assert not during[-1]["ok"] and not during[-1]["worker"]["ok"]
            assert procs["worker"].returncode == 0
            print(f"sqlite: healthy {resumed:.1f} s after the disk had room again")
            assert resumed < 15, f"the worker took {resumed:.1f} s to resume"
            one_receipt_and_one_row_each(services, db, phone.revs)
        finally:
            services.close()
