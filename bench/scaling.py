"""Worker scaling: the same 20,000 documents in 50 databases, one worker process, then two.

Each run has its own PostgreSQL database and its own databases in one LevelDB store. The
workers are real `fieldsync worker` processes sharing the partitions through leases; the clock
starts once they have split the partitions (start-up is not throughput) and stops when the last
receipt is written. `worker_scaling_ratio` = time with one worker / time with two.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.worker import DOCS_PER_ENGINEER, ENGINEERS, _corpus, write_documents
from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.demo import load_master_data
from server.sql.migrate import upgrade
from server.sql.models.sync_state import DocumentStatus, WorkerLease
from sync.dirty import DirtySet
from sync.embedded import EmbeddedStore, StoreEndpoint
from sync.provisioning import engineer_db_name, provision_engineer
from tests.support.postgres import create_database, drop_database, postgres_server

REPO = Path(__file__).resolve().parent.parent
TOTAL = ENGINEERS * DOCS_PER_ENGINEER


def _prepare(root: Path, name: str, store: StoreEndpoint, sql_url: str) -> Services:
    settings = Settings(var_dir=root / name, database_url=sql_url, store_url=store.url,
                        store_username=store.username, store_password=store.password,
                        db_prefix=f"{name}-")
    services = bootstrap(settings)
    upgrade(services.engine)
    load_master_data(services)
    # In the store only: workers learn of them (SQL rows, dirty marks) when the clock starts.
    dbs = {engineer_db_name(settings.db_prefix, owner): docs for owner, docs in _corpus()}
    for db in dbs:
        services.store.ensure_db(db)
    write_documents(services.store, dbs)
    return services


def _count(services: Services, query: object) -> int:
    with services.sessions() as session:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def _env(services: Services) -> dict[str, str]:
    s = services.settings
    return dict(os.environ, FIELDSYNC_DATABASE_URL=s.sqlalchemy_url,
                FIELDSYNC_STORE_URL=s.store_url, FIELDSYNC_STORE_USERNAME=s.store_username,
                FIELDSYNC_STORE_PASSWORD=s.store_password, FIELDSYNC_DB_PREFIX=s.db_prefix,
                FIELDSYNC_VAR_DIR=str(s.var_dir), FIELDSYNC_LOG_LEVEL="WARNING")


def _timed_run(services: Services, workers: int) -> float:
    procs = [subprocess.Popen([sys.executable, "-m", "server.cli", "worker"], cwd=REPO,
                              env=_env(services)) for _ in range(workers)]
    owned = select(func.count(func.distinct(WorkerLease.owner)))
    try:
        deadline = time.monotonic() + 120
        while _count(services, owned) < workers:  # every worker holds its share
            assert time.monotonic() < deadline, "the workers did not split the partitions"
            time.sleep(0.2)
        done = (select(func.count()).select_from(DocumentStatus)
                .where(DocumentStatus.receipt_pending.is_(False)))
        started = time.perf_counter()
        dbs = [provision_engineer(services.store, services.sessions,
                                  services.settings.db_prefix, f"eng{i:02d}")
               for i in range(ENGINEERS)]
        DirtySet(services.sessions).mark(dbs)
        while _count(services, done) < TOTAL:
            assert time.perf_counter() - started < 600, "the workers did not finish"
            time.sleep(0.1)
        return time.perf_counter() - started
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)


def run() -> dict[str, float | int]:
    with tempfile.TemporaryDirectory(prefix="fieldsync-scaling-") as tmp, \
            postgres_server() as admin_url:
        root = Path(tmp)
        store = EmbeddedStore(root / "store", in_memory=False)
        created = [create_database(admin_url) for _ in range(2)]
        try:
            with store:
                one = _prepare(root, "one", store.endpoint, created[0][0])
                two = _prepare(root, "two", store.endpoint, created[1][0])
                one_s, two_s = _timed_run(one, 1), _timed_run(two, 2)
                one.close()
                two.close()
        finally:
            for _url, name in created:
                drop_database(admin_url, name)
    return {"worker_scaling_cores": os.cpu_count() or 1,
            "worker_scaling_one_docs_per_s": TOTAL / one_s,
            "worker_scaling_two_docs_per_s": TOTAL / two_s,
            "worker_scaling_ratio": one_s / two_s}
