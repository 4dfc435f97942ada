"""`fieldsync run` starts a crashed process again instead of stopping the installation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from sync.embedded import free_port
from tests.support.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]


def child_pid(parent: int, command: str) -> int | None:
    """The supervisor's child running `server.cli <command>`, if there is one."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"server.cli" in argv and command.encode() in argv:
            return int(entry.name)
    return None


def healthy(base: str) -> bool:
    try:
        body = requests.get(base + "/healthz", timeout=2).json()
    except (requests.RequestException, ValueError):
        return False
    return bool(body["ok"] and body["worker"]["processes"])


def test_run_starts_a_killed_worker_and_server_again(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSYNC_")}
    env.update(FIELDSYNC_VAR_DIR=str(tmp_path / "var"), FIELDSYNC_HTTP_PORT=str(port),
               FIELDSYNC_STORE_IN_MEMORY="1", FIELDSYNC_LOG_LEVEL="WARNING")
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "run", "--no-demo"], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(base), 90, "fieldsync run did not come up")
        for command in ("worker", "serve"):
            first = child_pid(proc.pid, command)
            assert first is not None
            os.kill(first, signal.SIGKILL)
            wait_for(lambda c=command, f=first: child_pid(proc.pid, c) not in (None, f), 10,
                     f"{command} was not started again")
            assert proc.poll() is None, "the supervisor stopped FieldSync"
            wait_for(lambda: healthy(base), 60, f"not healthy after {command} restarted")
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C still stops everything
        output = proc.communicate(timeout=60)[0].decode()
    assert proc.returncode == 0, output[-3000:]
    assert "worker exited with code -9; starting it again" in output
    assert child_pid(proc.pid, "worker") is None
