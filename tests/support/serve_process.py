"""`fieldsync serve` (gunicorn + gevent) in a process of its own on 127.0.0.1, for tests whose
subject is the real HTTP server: read timeouts, connection slots, per-process caps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from server.config import Settings

REPO = Path(__file__).resolve().parents[2]
# What `fieldsync serve` runs, with one worker process so that per-process caps are exact.
CODE = ("from server.cli import setup_logging; from server.config import Settings; "
        "from server.serving import serve; s = Settings.from_env(); "
        "setup_logging(s.log_level); serve(s, workers=1)")
PASSED = ("var_dir", "database_url", "store_url", "store_username", "store_password",
          "db_prefix", "jwt_secret", "http_host", "http_port", "log_level",
          "http_header_timeout_s", "http_body_timeout_s", "http_body_min_rate",
          "gateway_max_batch_docs", "gateway_max_batch_bytes", "gateway_live_feeds_per_user")


class ServeProcess:
    """One gunicorn master and its worker; `stop()` ends both."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    def start(self) -> ServeProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSYNC_")}
        env.update({f"FIELDSYNC_{name.upper()}": str(getattr(self.settings, name))
                    for name in PASSED})
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen([sys.executable, "-c", CODE], cwd=REPO, env=env,
                                          stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        self._wait_up(30.0)
        return self

    def _wait_up(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self._proc is not None and self._proc.poll() is None, self.log()
            try:
                requests.get(self.url + "/healthz", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError(f"fieldsync serve did not answer within {seconds} s\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self._proc is None:
            return
        if self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)  # the master and its worker
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(timeout=10)
        self._proc = None

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
