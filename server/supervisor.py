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
from pathlib import Path
from types import FrameType

from server.bootstrap import bootstrap
from server.config import Settings
from server.sql.migrate import upgrade
from sync.embedded import EmbeddedStore, StoreEndpoint

log = logging.getLogger("fieldsync.run")
PROCESSES = ("serve", "worker", "scheduler")


class Supervisor:
    """Owns every process it starts; Ctrl-C or SIGTERM stops them in order and leaves none."""

    def __init__(self, settings: Settings, *, load_demo: bool = True) -> None:
        self.settings = settings
        self.load_demo = load_demo
        self.store: EmbeddedStore | None = None
        self.children: dict[str, subprocess.Popen[bytes]] = {}
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
        for name in PROCESSES:
            self.children[name] = subprocess.Popen(
                [sys.executable, "-m", "server.cli", name], env=env,
                start_new_session=True)  # a terminal's Ctrl-C reaches only us; we stop them

    def _announce(self) -> None:
        print(f"\nFieldSync is running at {self.settings.base_url}/", flush=True)
        print("  demo logins: admin / admin-demo, priya / head-demo (head), "
              "asha, ravi, meera / engineer-demo (engineers)", flush=True)
        print("  API docs: /api/docs   health: /healthz   Ctrl-C stops everything\n", flush=True)

    def _watch(self) -> int:
        while not self.stopping:
            for name, child in self.children.items():
                if child.poll() is not None:
                    log.error("%s exited with code %s; stopping FieldSync", name, child.returncode)
                    return 1
            if self.store is not None and not self.store.alive():
                log.error("the embedded store died; see %s", self.store.work_dir / "stderr.txt")
                return 1
            time.sleep(0.2)
        return 0

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
