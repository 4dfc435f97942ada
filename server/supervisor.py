"""`fieldsync run`: starts the embedded store and the three processes, and stops them all."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from server.bootstrap import bootstrap
from server.config import Settings
from server.sql.migrate import upgrade
from sync.embedded import EmbeddedStore, StoreEndpoint

log = logging.getLogger("fieldsync.run")
PROCESSES = ("serve", "worker", "scheduler")
# A crashed child is started again after 1, 2, 4 … seconds, at most RESTART_CAP_S; a child that
# ran for RESTART_RESET_S before it crashed starts again after the shortest wait.
RESTART_BASE_S = 1.0
RESTART_CAP_S = 30.0
RESTART_RESET_S = 60.0


@dataclass
class Restarts:
    """When each child started and how many times in a row it crashed."""

    started_at: dict[str, float] = field(default_factory=dict)
    crashes: dict[str, int] = field(default_factory=dict)
    due: dict[str, float] = field(default_factory=dict)  # child -> when to start it again

    def crashed(self, name: str, now: float) -> float:
        """Record a crash; returns the wait before the restart."""
        if now - self.started_at.get(name, now) >= RESTART_RESET_S:
            self.crashes[name] = 0
        self.crashes[name] = self.crashes.get(name, 0) + 1
        delay = min(RESTART_CAP_S, RESTART_BASE_S * 2 ** (self.crashes[name] - 1))
        self.due[name] = now + delay
        return delay


class Supervisor:
    """Owns every process it starts; Ctrl-C or SIGTERM stops them in order and leaves none."""

    def __init__(self, settings: Settings, *, load_demo: bool = True) -> None:
        self.settings = settings
        self.load_demo = load_demo
        self.store: EmbeddedStore | None = None
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts = Restarts()
        self.env: dict[str, str] = {}
        self.stopping = False

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            env = self._prepare()
            self._start_children(env)
            self._announce()
            return self._watch()
        finally:
            self._stop_all()

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def _prepare(self) -> dict[str, str]:
        var = self.settings.var_dir.resolve()
        var.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, FIELDSYNC_VAR_DIR=str(var))
        settings = self.settings.with_overrides(var_dir=var)
        if not settings.store_url:
            endpoint = self._start_embedded_store(var / "store")
            env.update(FIELDSYNC_STORE_URL=endpoint.url, FIELDSYNC_STORE_USERNAME=endpoint.username,
                       FIELDSYNC_STORE_PASSWORD=endpoint.password)
            settings = settings.with_overrides(store_url=endpoint.url,
                                               store_username=endpoint.username,
                                               store_password=endpoint.password)
        metrics_dir = var / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        self._migrate_and_seed(settings)
        return env

    def _start_embedded_store(self, work_dir: Path) -> StoreEndpoint:
        self.store = EmbeddedStore(work_dir, in_memory=self.settings.store_in_memory)
        endpoint = self.store.start()
        announced = work_dir / "endpoint.json"
        announced.write_text(json.dumps(endpoint.__dict__))
        announced.chmod(0o600)
        log.info("embedded store (PouchDB Server) on %s, data in %s", endpoint.url, work_dir)
        return endpoint

    def _migrate_and_seed(self, settings: Settings) -> None:
        services = bootstrap(settings)
        try:
            upgrade(services.engine)
            if self.load_demo:
                from server.demo import load_demo

                for line in load_demo(services):
                    log.info("%s", line)
        finally:
            services.close()

    def _start_children(self, env: dict[str, str]) -> None:
        self.env = env
        for name in PROCESSES:
            self._start_child(name)

    def _start_child(self, name: str) -> None:
        self.children[name] = subprocess.Popen(
            [sys.executable, "-m", "server.cli", name], env=self.env,
            start_new_session=True)  # a terminal's Ctrl-C reaches only us; we stop them
        self.restarts.started_at[name] = time.monotonic()
        self.restarts.due.pop(name, None)

    def _announce(self) -> None:
        print(f"\nFieldSync is running at {self.settings.base_url}/", flush=True)
        print("  demo logins: admin / admin-demo, priya / head-demo (head), "
              "asha, ravi, meera / engineer-demo (engineers)", flush=True)
        print("  API docs: /api/docs   health: /healthz   Ctrl-C stops everything\n", flush=True)

    def _watch(self) -> int:
        """Only Ctrl-C or SIGTERM stops FieldSync: a child that exits is started again."""
        while not self.stopping:
            self._restart_crashed(time.monotonic())
            if self.store is not None and not self.store.alive():
                log.error("the embedded store died; see %s", self.store.work_dir / "stderr.txt")
                return 1
            time.sleep(0.2)
        return 0

    def _restart_crashed(self, now: float) -> None:
        for name, child in list(self.children.items()):
            if name in self.restarts.due:
                if now >= self.restarts.due[name] and not self.stopping:
                    log.warning("starting %s again", name)
                    self._start_child(name)
            elif child.poll() is not None:
                self._reap(child)
                delay = self.restarts.crashed(name, now)
                log.error("%s exited with code %s; starting it again in %.0f s", name,
                          child.returncode, delay)

    @staticmethod
    def _reap(child: subprocess.Popen[bytes]) -> None:
        """Anything the dead child left in its process group (gunicorn's workers) goes too."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)

    def _stop_all(self) -> None:
        # The worker first, so it can finish its batch while the store is still up.
        for name in ("worker", "scheduler", "serve"):
            child = self.children.get(name)
            if child is not None and child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children.values():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            # Anything the child left in its process group (gunicorn's workers).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
        if self.store is not None:
            self.store.stop()
