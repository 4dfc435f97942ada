"""The worker survives SIGKILL at random points and a store that goes away mid-feed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.demo import load_master_data
from server.rebuild import rebuild_projection
from server.sql.migrate import upgrade
from server.sql.models.sync_state import DocumentStatus
from sync.dirty import DirtySet
from sync.embedded import EmbeddedStore
from sync.provisioning import provision_engineer
from sync.store import chunks
from tests.factories import make_lead, make_todo, make_visit
from tests.support.projection import projection_snapshot
from tests.support.waiting import wait_for

Doc = dict[str, Any]
REPO = Path(__file__).resolve().parents[2]


def corpus(owner: str, n: int) -> list[Doc]:
    makers = [lambda: make_todo(owner), lambda: make_lead(owner, customer_id="C-1002"),
              lambda: make_visit(owner, customer_id="C-1001")]
    return [makers[i % 3]() for i in range(n)]


def fill(services: Services, owners: list[str], per_owner: int) -> list[str]:
    dbs = []
    for owner in owners:
        db = provision_engineer(services.store, services.sessions,
                                services.settings.db_prefix, owner)
        for batch in chunks(corpus(owner, per_owner), 500):
            services.store.bulk_docs(db, batch)
        dbs.append(db)
    DirtySet(services.sessions).mark(dbs)
    return dbs


def settled(services: Services, expected: int) -> bool:
    with services.sessions() as s:
        done = s.scalar(select(func.count()).select_from(DocumentStatus)
                        .where(DocumentStatus.receipt_pending.is_(False)))
    return done == expected


def worker_env(settings: Settings) -> dict[str, str]:
    return dict(os.environ, FIELDSYNC_DATABASE_URL=settings.sqlalchemy_url,
                FIELDSYNC_STORE_URL=settings.store_url,
                FIELDSYNC_STORE_USERNAME=settings.store_username,
                FIELDSYNC_STORE_PASSWORD=settings.store_password,
                FIELDSYNC_DB_PREFIX=settings.db_prefix, FIELDSYNC_VAR_DIR=str(settings.var_dir),
                FIELDSYNC_WORKER_BATCH_SIZE="100", FIELDSYNC_WORKER_POLL_INTERVAL_S="0.05",
                # A killed worker's partitions go to the next one after this lease, not 15 s.
                FIELDSYNC_WORKER_LEASE_TTL_S="2", FIELDSYNC_LOG_LEVEL="WARNING")


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "server.cli", "worker"], cwd=REPO,
                            env=worker_env(settings))


def receipts_match(services: Services, dbs: list[str]) -> None:
    for db in dbs:
        rows = services.store.all_docs(db, include_docs=True)
        docs = {r["id"]: r["doc"] for r in rows if not r["id"].startswith("receipt:")}
        receipts = {r["doc"]["doc_id"]: r["doc"] for r in rows if r["id"].startswith("receipt:")}
        assert set(receipts) == set(docs)
        assert all(receipts[i]["doc_rev"] == d["_rev"] for i, d in docs.items())


@pytest.mark.slow
def test_sigkill_at_random_points_ends_like_one_clean_run(services: Services) -> None:
    load_master_data(services)
    dbs = fill(services, [f"eng{i}" for i in range(5)], 1000)
    rng = random.Random(2026)
    progress = []
    for _ in range(5):
        before = _judged(services)
        proc = start_worker(services.settings)
        # Killed at a random point once it is ingesting: how long a worker takes to start (and to
        # take over a killed one's partitions) depends on the machine's load, not on the worker.
        wait_for(lambda before=before: _judged(services) > before or before == 5000, 90,
                 "the worker ingesting")
        time.sleep(rng.uniform(0.0, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        progress.append(_judged(services))
    assert any(0 < n < 5000 for n in progress), f"no kill landed mid-ingest: {progress}"
    proc = start_worker(services.settings)
    try:
        time.sleep(3)  # past start-up, so SIGTERM meets the worker's own handler
        deadline = time.monotonic() + 120
        while not settled(services, 5000) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0  # SIGTERM: finish the batch, exit cleanly
    assert settled(services, 5000)
    after_chaos = projection_snapshot(services)
    assert len(after_chaos["document_status"]) == 5000
    receipts_match(services, dbs)
    rebuild_projection(services)
    assert projection_snapshot(services) == after_chaos


@pytest.mark.slow
def test_store_stopped_and_restarted_mid_feed(tmp_path: Path, sql_url: str) -> None:
    store = EmbeddedStore(tmp_path / "store", in_memory=False)
    endpoint = store.start()
    settings = Settings(var_dir=tmp_path / "var", database_url=sql_url, store_url=endpoint.url,
                        store_username=endpoint.username, store_password=endpoint.password,
                        worker_batch_size=50, worker_poll_interval_s=0.02)
    services = bootstrap(settings)
    upgrade(services.engine)
    worker = services.worker()
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    try:
        load_master_data(services)
        dbs = fill(services, ["asha", "ravi"], 1000)
        thread.start()
        wait_for(lambda: _judged(services) > 0, 60, "the worker starts on the feeds")
        store.stop()
        # Mid-feed: some documents judged, the rest still behind the open feeds.
        assert 0 < _judged(services) < 2000
        wait_for(lambda: worker.backoff.attempt > 0, 30, "the worker meets the stopped store")
        assert _judged(services) < 2000
        store.start()
        wait_for(lambda: settled(services, 2000), 90, "every document judged after the restart")
        wait_for(lambda: worker.backoff.attempt == 0, 30, "the worker recovers from the outage")
        receipts_match(services, dbs)
    finally:
        worker.stop()
        thread.join(timeout=30)
        store.stop()
        services.close()


def _judged(services: Services) -> int:
    with services.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(DocumentStatus)) or 0)

