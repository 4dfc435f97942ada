"""`fieldsync run` (what `make run` starts): it comes up with demo data; Ctrl-C ends it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from sync.embedded import free_port

REPO = Path(__file__).resolve().parents[2]


def processes_with(marker: str) -> list[int]:
    """Processes whose environment names this run's var directory (the store, gunicorn, …)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def wait_for(url: str, seconds: float) -> requests.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = requests.get(url, timeout=2)
            if response.ok:
                return response
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer within {seconds} s")
        time.sleep(0.25)


def test_run_serves_demo_data_and_ctrl_c_leaves_nothing(tmp_path: Path) -> None:
    port = free_port()
    var_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSYNC_")}
    env.update(FIELDSYNC_VAR_DIR=str(var_dir), FIELDSYNC_HTTP_PORT=str(port))
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "run"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        health = wait_for(base + "/healthz", 60).json()
        assert health["store"] and health["sql"]
        login = requests.post(base + "/api/v1/auth/login", timeout=10,
                              json={"username": "asha", "password": "engineer-demo"})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        catalog = requests.get(base + "/sync/catalog/_all_docs", timeout=10,
                               headers={"Authorization": f"Bearer {token}"})
        assert catalog.status_code == 200 and catalog.json()["total_rows"] >= 10
        assert processes_with(f"FIELDSYNC_VAR_DIR={var_dir}")
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
        output = proc.communicate(timeout=60)[0].decode()
    assert proc.returncode == 0, output[-3000:]
    assert "FieldSync is running at" in output and "asha" in output
    time.sleep(0.5)
    assert processes_with(f"FIELDSYNC_VAR_DIR={var_dir}") == []
    assert (var_dir / "fieldsync.db").exists() and (var_dir / "store" / "data").is_dir()
