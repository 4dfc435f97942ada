"""Starts and stops the embedded document store (PouchDB Server) as a child process."""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
STORE_PACKAGE_DIR = REPO_ROOT / "embedded_store"
SERVER_SCRIPT = STORE_PACKAGE_DIR / "node_modules" / "pouchdb-server" / "bin" / "pouchdb-server"
# Preloaded into the store: it answers 401 to any request without the admin's credentials.
ADMIN_ONLY_SCRIPT = STORE_PACKAGE_DIR / "admin-only.js"
ADMIN_USER = "fieldsync"
PR_SET_PDEATHSIG = 1


class EmbeddedStoreError(RuntimeError):
    """The embedded store could not be installed, started or kept running."""


@dataclass(frozen=True)
class StoreEndpoint:
    """Where a CouchDB-compatible store answers, with its admin credentials."""

    url: str
    username: str
    password: str


def _die_with_parent() -> None:
    """Linux: the store gets SIGTERM when the thread that started it dies, even by SIGKILL,
    so a killed `fieldsync run` or test session never leaves a store behind."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_node_available() -> str:
    node = shutil.which("node")
    if node is None:
        raise EmbeddedStoreError(
            "Node.js 20+ is needed for the embedded store but `node` is not on PATH; "
            "install Node.js or set FIELDSYNC_STORE_URL to an external CouchDB/Cloudant."
        )
    if not SERVER_SCRIPT.exists():
        raise EmbeddedStoreError(
            f"The embedded store is not installed: run `npm ci --ignore-scripts` in "
            f"{STORE_PACKAGE_DIR} (make does this), or set FIELDSYNC_STORE_URL."
        )
    return node


class EmbeddedStore:
    """One PouchDB Server process with its own work directory, port and admin password.

    The password of a LevelDB store persists in its work directory so that restarts of
    `make run` keep working against the same data.
    """

    def __init__(self, work_dir: Path, *, in_memory: bool, port: int | None = None) -> None:
        self.work_dir = work_dir.resolve()
        self.in_memory = in_memory
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._password = ""

    @property
    def endpoint(self) -> StoreEndpoint:
        return StoreEndpoint(f"http://127.0.0.1:{self.port}", ADMIN_USER, self._password)

    def start(self, timeout_s: float = 20.0) -> StoreEndpoint:
        node = check_node_available()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._password = self._load_or_create_password()
        self._write_config()
        self._process = subprocess.Popen(
            self._command(node),
            cwd=self.work_dir,
            env={**os.environ, "NODE_OPTIONS": "--unhandled-rejections=warn",
                 "FIELDSYNC_STORE_ADMIN": f"{ADMIN_USER}:{self._password}"},
            stdout=subprocess.DEVNULL,
            stderr=(self.work_dir / "stderr.txt").open("ab"),
            start_new_session=True,  # Ctrl-C in a terminal goes to us; we stop it ourselves
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        self._wait_ready(timeout_s)
        return self.endpoint

    def _command(self, node: str) -> list[str]:
        cmd = [node, "-r", str(ADMIN_ONLY_SCRIPT), str(SERVER_SCRIPT), "-p", str(self.port),
               "-o", "127.0.0.1", "-c", str(self.work_dir / "config.json"), "-n", "--no-color"]
        if self.in_memory:
            cmd.append("--in-memory")
        else:
            data = self.work_dir / "data"
            data.mkdir(exist_ok=True)
            cmd += ["--dir", str(data) + os.sep]
        return cmd

    def _load_or_create_password(self) -> str:
        secret_file = self.work_dir / "admin-password"
        if secret_file.exists() and not self.in_memory:
            return secret_file.read_text().strip()
        password = secrets.token_urlsafe(24)
        secret_file.write_text(password)
        secret_file.chmod(0o600)
        return password

    def _write_config(self) -> None:
        # PouchDB Server hashes plain admin passwords in place on start.
        config = {"admins": {ADMIN_USER: self._password}, "log": {"level": "warning"}}
        (self.work_dir / "config.json").write_text(json.dumps(config))

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise EmbeddedStoreError(
                    f"The embedded store exited (code {self._process.returncode}) on port "
                    f"{self.port}; see {self.work_dir / 'stderr.txt'} and log.txt there."
                )
            if self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedStoreError(f"The embedded store did not answer within {timeout_s:.0f} s")

    def _answers(self) -> bool:
        try:
            r = requests.get(self.endpoint.url + "/", timeout=1,
                             auth=(ADMIN_USER, self._password))
        except requests.RequestException:
            return False
        return r.ok and "express-pouchdb" in r.text

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        proc, self._process = self._process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> EmbeddedStore:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
