"""Workers cover for each other: leased partitions, takeover, fencing, rebalancing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bootstrap import Services
from server.config import Settings
from server.sql.models.sync_state import Checkpoint, DocumentStatus, WorkerLease
from sync.dirty import DirtySet
from sync.leases import LeaseKeeper, LeaseLost
from sync.partitions import PartitionCountMismatch, WorkersStillRunning, partition_of
from sync.provisioning import provision_engineer
from sync.receipt_writer import ReceiptWriter
from sync.store import ChangesPage, chunks
from sync.worker import Worker
from tests.factories import make_todo
from tests.support.waiting import wait_for

Doc = dict[str, Any]
REPO = Path(__file__).resolve().parents[2]
TTL_S = 2.0  # short leases keep the takeover tests quick; the rules are the same at 15 s


def leased(settings: Settings, **overrides: Any) -> Settings:
    return settings.with_overrides(**{"worker_lease_ttl_s": TTL_S, **overrides})


def fill(services: Services, owners: list[str], per_owner: int) -> list[str]:
    dbs = []
    for owner in owners:
        db = provision_engineer(services.store, services.sessions,
                                services.settings.db_prefix, owner)
        for batch in chunks([make_todo(owner, title=f"to-do {i}") for i in range(per_owner)],
                            500):
            services.store.bulk_docs(db, batch)
        dbs.append(db)
    DirtySet(services.sessions).mark(dbs)
    return dbs


def judged(services: Services) -> int:
    with services.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(DocumentStatus)
                            .where(DocumentStatus.receipt_pending.is_(False))) or 0)


def owners(services: Services) -> dict[int, str | None]:
    with services.sessions() as s:
        return {int(p): o for p, o in s.execute(select(WorkerLease.partition, WorkerLease.owner))}


def receipts_written_once(services: Services, dbs: list[str]) -> int:
    """Every document has exactly one receipt, at its first revision (written once)."""
    count = 0
    for db in dbs:
        rows = services.store.all_docs(db, include_docs=True)
        docs = {r["id"] for r in rows if not r["id"].startswith("receipt:")}
        receipts = {r["doc"]["doc_id"]: r["doc"] for r in rows if r["id"].startswith("receipt:")}
        assert set(receipts) == docs, db
        twice = [r["_id"] for r in receipts.values() if not r["_rev"].startswith("1-")]
        assert not twice, f"receipts written more than once: {twice[:3]}"
        count += len(receipts)
    return count


# --- in one process: the rules ----------------------------------------------------------------
def test_a_joining_worker_gets_its_fair_share(services: Services) -> None:
    settings = leased(services.settings)
    first, second = LeaseKeeper(services.sessions, settings), LeaseKeeper(services.sessions,
                                                                          settings)
    first.heartbeat()
    assert len(first.held) == 64
    second.heartbeat()  # joins: nothing free yet
    assert second.held == {}
    first.heartbeat()  # sees two members: gives half back
    second.heartbeat()
    assert len(first.held) == len(second.held) == 32
    assert set(first.held).isdisjoint(second.held)
    second.release()  # leaves cleanly: the first takes everything back at its next beat
    first.heartbeat()
    assert len(first.held) == 64


def test_two_workers_with_the_same_name_never_share_a_lease(services: Services) -> None:
    settings = leased(services.settings, worker_name="worker-a")
    one, two = LeaseKeeper(services.sessions, settings), LeaseKeeper(services.sessions, settings)
    assert one.name == two.name and one.owner != two.owner
    for keeper in (one, two, one, two):
        keeper.heartbeat()
    assert len(one.held) == len(two.held) == 32 and set(one.held).isdisjoint(two.held)


def test_a_commit_fenced_out_by_the_successor_writes_nothing(
        build_services: Callable[..., Services]) -> None:
    services = build_services(worker_lease_ttl_s=1.5)
    settings = services.settings
    (db,) = fill(services, ["asha"], 5)
    stale = services.worker()
    stale.ownership.refresh()
    fence = stale.ownership.fence(db)
    assert fence is not None
    page = services.store.changes(db, "0", include_docs=True, conflicts=True)
    time.sleep(1.6)  # "paused" past its lease
    successor = LeaseKeeper(services.sessions, settings)
    successor.heartbeat()
    assert partition_of(db, 64) in successor.held
    stale.batches.fence = lambda _db: fence  # commit with what it held before the pause
    with pytest.raises(LeaseLost):
        stale.batches.process(db, ChangesPage(page.results, page.last_seq))
    with services.sessions() as s:
        assert s.get(Checkpoint, db) is None
        assert not s.scalar(select(func.count()).select_from(DocumentStatus))
    assert stale.ownership.holds(db) is False  # and by its own clock it knows


def test_receipts_flushed_by_the_successor_are_not_written_again(services: Services) -> None:
    """A worker paused between reading its pending receipts and writing them resumes after its
    successor wrote them: its write finds them as it would write them and adds no revision."""
    (db,) = fill(services, ["asha"], 3)
    worker = services.worker(write_receipts=False)
    worker.run_until_idle()
    paused, successor = ReceiptWriter(services.store, services.sessions), ReceiptWriter(
        services.store, services.sessions)
    rows, extras = paused._pending(db)
    assert len(rows) == 3
    assert successor.flush(db) == 3
    paused._mark_written(db, rows, paused._write(db, rows, extras))
    assert receipts_written_once(services, [db]) == 3


def test_a_changed_partition_count_is_refused_with_the_fix(services: Services) -> None:
    LeaseKeeper(services.sessions, leased(services.settings)).heartbeat()
    other = LeaseKeeper(services.sessions, leased(services.settings, worker_partitions=32))
    with pytest.raises(PartitionCountMismatch, match="FIELDSYNC_WORKER_PARTITIONS=64"):
        other.heartbeat()
    with pytest.raises(WorkersStillRunning):
        other.repartition()


def test_repartition_once_no_worker_runs(services: Services) -> None:
    first = LeaseKeeper(services.sessions, leased(services.settings))
    first.heartbeat()
    first.release()
    other = LeaseKeeper(services.sessions, leased(services.settings, worker_partitions=32))
    other.repartition()
    other.heartbeat()
    assert len(other.held) == 32 and len(owners(services)) == 32


# --- one worker run again: it takes back the leases it gave back ----------------------------------
def push(services: Services, dbs: list[str], title: str) -> None:
    """One more document in each database, as a phone's push leaves it: stored and marked."""
    for db in dbs:
        services.store.bulk_docs(db, [make_todo(db.rsplit("-", 1)[-1], title=title)])
    DirtySet(services.sessions).mark(dbs)


def test_a_worker_run_until_idle_again_processes_what_came_since(services: Services) -> None:
    """The first run gives its leases back at the end; the second takes them again at once
    rather than finding nothing held until the next heartbeat falls due."""
    dbs = fill(services, ["asha", "ravi"], 3)
    worker = services.worker()
    assert worker.run_until_idle() == 6
    push(services, dbs, "after the first run")
    assert worker.run_until_idle() == 2
    assert judged(services) == 8
    assert DirtySet(services.sessions).snapshot() == {}


@contextmanager
def running(worker: Worker) -> Iterator[Worker]:
    """The worker's `run_forever` in a thread, stopped (its batch finished) when the test ends."""
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(timeout=60)
        assert not thread.is_alive(), "the worker did not stop"


def test_run_forever_after_run_until_idle_takes_the_leases_back_at_once(
        build_services: Callable[..., Services]) -> None:
    """The same worker run forever after a run until idle (the benchmark does this) works at
    once, not only when the heartbeat planned before the leases were given back falls due
    (a third of a lease: 20 s here)."""
    services = build_services(worker_lease_ttl_s=60.0)
    dbs = fill(services, ["asha", "ravi"], 3)
    worker = services.worker()
    assert worker.run_until_idle() == 6
    with running(worker):
        push(services, dbs, "while running")
        took = wait_for(lambda: judged(services) == 8, 10, "the push after the idle run")
    print(f"push_to_judged_s: {took:.2f}")


def test_run_forever_takes_back_what_a_worker_that_left_held(
        build_services: Callable[..., Services]) -> None:
    """A rebalance gives half the partitions to a worker that joins; when it leaves, the one
    still running takes them back and processes what waited there, with no restart."""
    services = build_services(worker_lease_ttl_s=TTL_S)
    dbs = fill(services, [f"eng{i}" for i in range(12)], 1)
    with running(services.worker()):
        wait_for(lambda: judged(services) == 12, 30, "the first documents")
        joining = LeaseKeeper(services.sessions, services.settings)

        def split() -> bool:
            joining.heartbeat()  # keeps its membership alive while the other gives back half
            return len(joining.held) == 32

        wait_for(split, 3 * TTL_S + 10, "half the partitions for the worker that joined")
        waiting = [db for db in dbs if partition_of(db, 64) in joining.held]
        assert waiting, "databases in the partitions given to the worker that joined"
        push(services, dbs, "while split")
        wait_for(lambda: judged(services) == 12 + len(dbs) - len(waiting), 30,
                 "the running worker's own partitions")
        joining.release()  # leaves cleanly: nobody processes its databases until retaken
        took = wait_for(lambda: judged(services) == 12 + len(dbs), TTL_S + 10,
                        "the partitions of the worker that left")
    assert receipts_written_once(services, dbs) == 12 + len(dbs)
    print(f"retaken_and_judged_s: {took:.2f}")


# --- real worker processes ----------------------------------------------------------------------
def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    return dict(os.environ, FIELDSYNC_DATABASE_URL=settings.sqlalchemy_url,
                FIELDSYNC_STORE_URL=settings.store_url,
                FIELDSYNC_STORE_USERNAME=settings.store_username,
                FIELDSYNC_STORE_PASSWORD=settings.store_password,
                FIELDSYNC_DB_PREFIX=settings.db_prefix, FIELDSYNC_VAR_DIR=str(settings.var_dir),
                FIELDSYNC_WORKER_BATCH_SIZE="50", FIELDSYNC_WORKER_POLL_INTERVAL_S="0.05",
                FIELDSYNC_WORKER_LEASE_TTL_S=str(TTL_S), FIELDSYNC_LOG_LEVEL="INFO", **extra)


class Workers:
    """Worker processes started by one test, each logging to its own file; all stopped after."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.settings, self.logs = settings, logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, **extra: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen([sys.executable, "-m", "server.cli", "worker"], cwd=REPO,
                                env=worker_env(self.settings, **extra), stdout=log,
                                stderr=subprocess.STDOUT)
        log.close()
        self.procs.append(proc)
        return proc

    def log(self, index: int) -> str:
        return (self.logs / f"worker-{index}.log").read_text()

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def workers(services: Services, tmp_path: Path) -> Iterator[Workers]:
    running = Workers(services.settings, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


def held_by(services: Services, owner_prefix: str) -> set[int]:
    return {p for p, o in owners(services).items() if o and o.startswith(owner_prefix)}


@pytest.mark.slow
def test_two_workers_share_the_work_and_take_over_from_a_killed_one(
        services: Services, workers: Workers) -> None:
    names = [f"eng{i}" for i in range(12)]
    dbs = fill(services, names, 40)
    first, second = workers.start(FIELDSYNC_WORKER_NAME="w1"), workers.start(
        FIELDSYNC_WORKER_NAME="w2")
    wait_for(lambda: judged(services) == 480, 90, "the first 480 receipts")
    wait_for(lambda: len(held_by(services, "w1/")) == len(held_by(services, "w2/")) == 32,
             3 * TTL_S + 10, "an even split")
    # Once split, both work: on a busy machine the first to start may have judged the first
    # 480 alone before the second was up, so each database gets more work after the split.
    for db in dbs:
        services.store.bulk_docs(db, [make_todo(db.rsplit("-", 1)[-1], title="after the split")])
    DirtySet(services.sessions).mark(dbs)
    wait_for(lambda: judged(services) == 480 + len(dbs), 60, "receipts after the split")
    assert "event=accepted" in workers.log(0) and "event=accepted" in workers.log(1)

    lost = held_by(services, "w1/")
    orphaned = [db for db in dbs if partition_of(db, 64) in lost]
    assert orphaned, "the databases of the killed worker"
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    for db in orphaned:  # work that only a takeover can do
        services.store.bulk_docs(db, [make_todo(db.rsplit("-", 1)[-1], title="after the kill")])
    DirtySet(services.sessions).mark(orphaned)
    total = 480 + len(dbs) + len(orphaned)
    wait_for(lambda: judged(services) == total, 60, "receipts for the killed worker's work")
    takeover_s = time.monotonic() - killed_at
    # A lease runs out after its time to live; the survivor looks every third of it.
    assert takeover_s < TTL_S + TTL_S / 3 + 5, takeover_s
    assert len(held_by(services, "w2/")) == 64
    assert second.poll() is None
    assert receipts_written_once(services, dbs) == total
    print(f"takeover_s: {takeover_s:.2f}")


@pytest.mark.slow
def test_a_paused_worker_notices_on_resume_and_commits_nothing(
        services: Services, workers: Workers) -> None:
    dbs = fill(services, [f"eng{i}" for i in range(6)], 400)
    paused = workers.start(FIELDSYNC_WORKER_NAME="paused")
    wait_for(lambda: judged(services) > 0, 60, "the first receipts")
    paused.send_signal(signal.SIGSTOP)
    stopped_at = judged(services)
    assert stopped_at < 2400, "paused mid-ingest"
    time.sleep(TTL_S + 0.5)  # past its lease
    workers.start(FIELDSYNC_WORKER_NAME="successor")
    wait_for(lambda: judged(services) == 2400, 90, "the successor finishing")
    resumed_log = len(workers.log(0))
    paused.send_signal(signal.SIGCONT)
    time.sleep(TTL_S * 2)  # it notices, heartbeats, and may rejoin with a fair share
    after_resume = workers.log(0)[resumed_log:]
    assert "event=lease_lost" in after_resume
    # Each document accepted by exactly one of the two: the paused one's batch in flight was
    # given up (or fenced out), not committed over its successor's.
    paused_ids, successor_ids = accepted_ids(workers.log(0)), accepted_ids(workers.log(1))
    assert not paused_ids & successor_ids
    assert len(paused_ids) + len(successor_ids) == 2400
    assert receipts_written_once(services, dbs) == 2400
    # The successor leaves: the worker that lost its leases in the pause takes every partition
    # back and processes what comes next, with no restart.
    successor = workers.procs[1]
    successor.send_signal(signal.SIGTERM)
    assert successor.wait(timeout=30) == 0
    push(services, dbs, "after the successor left")
    wait_for(lambda: judged(services) == 2400 + len(dbs), TTL_S + 30,
             "the resumed worker processing again")
    assert len(accepted_ids(workers.log(0))) == len(paused_ids) + len(dbs)
    assert receipts_written_once(services, dbs) == 2400 + len(dbs)


def accepted_ids(log: str) -> set[str]:
    return set(re.findall(r"event=accepted db=\S+ doc=(\S+)", log))


@pytest.mark.slow
def test_a_worker_with_another_partition_count_refuses_to_start(
        services: Services, workers: Workers) -> None:
    LeaseKeeper(services.sessions, leased(services.settings)).heartbeat()
    refused = workers.start(FIELDSYNC_WORKER_PARTITIONS="16")
    assert refused.wait(timeout=60) == 1
    assert "FIELDSYNC_WORKER_PARTITIONS=64" in workers.log(0)
