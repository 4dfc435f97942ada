"""The embedded store manager: starts, says clearly what is wrong, never outlives its owner."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync import embedded
from sync.embedded import EmbeddedStore, EmbeddedStoreError
from sync.store import CouchStore

REPO = Path(__file__).resolve().parents[2]
OWNER = """
import sys, time
from pathlib import Path
from sync.embedded import EmbeddedStore
store = EmbeddedStore(Path(sys.argv[1]), in_memory=True)
store.start()
print(store._process.pid, flush=True)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text().split()
    return stat[2] != "Z"


def test_the_store_dies_with_the_process_that_started_it(tmp_path: Path) -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(tmp_path)], cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    store_pid = int(owner.stdout.readline())
    assert alive(store_pid)
    owner.send_signal(signal.SIGKILL)  # no clean-up code runs
    owner.wait()
    deadline = time.monotonic() + 10
    while alive(store_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(store_pid)


def test_a_busy_port_is_reported_not_ignored(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        store = EmbeddedStore(tmp_path, in_memory=True, port=taken.getsockname()[1])
        with pytest.raises(EmbeddedStoreError, match=r"exited|did not answer"):
            store.start(timeout_s=10)
        store.stop()


def test_missing_node_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded.shutil, "which", lambda _name: None)
    with pytest.raises(EmbeddedStoreError, match=r"Node\.js 20"):
        embedded.check_node_available()


def test_a_leveldb_store_keeps_its_data_and_password_across_restarts(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path, in_memory=False)
    with first:
        ep = first.endpoint
        store = CouchStore(ep.url, ep.username, ep.password)
        store.ensure_db("kept")
        store.put_doc("kept", {"_id": "todo:1", "title": "still here"})
    second = EmbeddedStore(tmp_path, in_memory=False)
    with second:
        ep2 = second.endpoint
        assert ep2.password == ep.password
        again = CouchStore(ep2.url, ep2.username, ep2.password)
        assert again.get_doc("kept", "todo:1")["title"] == "still here"
