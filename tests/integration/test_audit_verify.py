"""`fieldsync audit verify` finds an edited, a deleted and a swapped row (the real command, on
SQLite and PostgreSQL); concurrent recorders never fork the chain; a row commits with its change."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from server.audit import Actor, record, verify_chain
from server.bootstrap import Services
from server.sql.models.audit import AuditEntry, AuditHead
from server.sql.session import transaction

pytestmark = pytest.mark.timeout(300)
REPO = Path(__file__).resolve().parents[2]

TAMPERING = {
    "edited": ["UPDATE audit_entries SET after = '{\"city\":\"forged\"}' WHERE seq = 3"],
    "deleted": ["DELETE FROM audit_entries WHERE seq = 3"],
    "swapped": ["UPDATE audit_entries SET seq = -2 WHERE seq = 2",
                "UPDATE audit_entries SET seq = 2 WHERE seq = 3",
                "UPDATE audit_entries SET seq = 3 WHERE seq = -2"],
    "last deleted": ["DELETE FROM audit_entries WHERE seq = 5"],
}
FIRST_BROKEN = {"edited": 3, "deleted": 3, "swapped": 2, "last deleted": 5}


def recorded(services: Services, count: int) -> None:
    for n in range(count):
        with transaction(services.sessions) as s:
            record(s, "customer.update", "customer", f"C-{n}", before={"city": "Mysuru"},
                   after={"city": f"Town {n}"}, actor=Actor("adam", "admin", "10.0.0.7"))


def verify(services: Services, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FIELDSYNC_DATABASE_URL=services.settings.database_url,
               FIELDSYNC_VAR_DIR=str(tmp_path / "cli-var"))
    return subprocess.run([sys.executable, "-m", "server.cli", "audit", "verify"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)


def test_an_intact_trail_verifies_with_its_count(services: Services, tmp_path: Path) -> None:
    recorded(services, 5)
    done = verify(services, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "audit trail intact: 5 rows" in done.stdout


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_tampering_is_found_by_the_command(services: Services, tmp_path: Path,
                                           kind: str) -> None:
    recorded(services, 5)
    with transaction(services.sessions) as s:
        for statement in TAMPERING[kind]:
            s.execute(text(statement))
    done = verify(services, tmp_path)
    assert done.returncode == 1, done.stdout
    assert f"audit trail BROKEN at row {FIRST_BROKEN[kind]}:" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_row_commits_or_rolls_back_with_the_change_it_records(services: Services) -> None:
    recorded(services, 1)
    with pytest.raises(RuntimeError), transaction(services.sessions) as s:
        record(s, "customer.update", "customer", "C-9", after={"city": "lost"})
        raise RuntimeError("the change failed")
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 1
        head = s.get(AuditHead, 1)
        assert head is not None and head.seq == 1
    recorded(services, 1)
    with services.sessions() as s:
        assert verify_chain(s).broken is None


def test_concurrent_recorders_keep_one_chain(services: Services) -> None:
    writers, each = 2, 15
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(name: str) -> None:
        try:
            start.wait(timeout=30)
            for n in range(each):
                with transaction(services.sessions) as s:
                    record(s, "target.set", "target", f"{name}/{n}", after={"n": n},
                           actor=Actor(name, "head"))
                    time.sleep(0.005)  # hold the transaction open: the other writer must wait
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(f"head{i}",)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    with services.sessions() as s:
        seqs = list(s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))
        actors = set(s.scalars(select(AuditEntry.actor)))
        report = verify_chain(s)
    assert seqs == list(range(1, writers * each + 1)) and actors == {"head0", "head1"}
    assert report.broken is None and report.rows == writers * each
