"""A PostgreSQL server for the tests: the one CI started, or a private throwaway cluster."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from sync.embedded import free_port

ENV_URL = "FIELDSYNC_TEST_POSTGRES_URL"


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres_user(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; the Debian package brings a `postgres` user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PostgresCluster:
    """A private throwaway cluster from the installed binaries; it can be stopped and started
    again on the same port and data (the outage tests), and removed at the end."""

    def __init__(self) -> None:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError(f"PostgreSQL is not installed: install it or set {ENV_URL}")
        self.pg_ctl = pg_ctl
        self.root = Path(tempfile.mkdtemp(prefix="fieldsync-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.data, self.port = self.root / "data", free_port()
        subprocess.run(_as_postgres_user([initdb, "-D", str(self.data), "-A", "trust", "-U",
                                          "postgres", "--no-sync"]),
                       check=True, capture_output=True)

    @property
    def url(self) -> str:
        """The admin URL (database `postgres`)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_postgres_user([self.pg_ctl, "-D", str(self.data), "-o", opts, "-w",
                                          "-l", str(self.root / "log.txt"), "start"]),
                       check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run(_as_postgres_user([self.pg_ctl, "-D", str(self.data), "-m", "immediate",
                                          "stop"]), capture_output=True)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields an admin URL (database `postgres`)."""
    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL]
        return
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield cluster.url
    finally:
        cluster.remove()


def create_database(admin_url: str, template: str | None = None) -> tuple[str, str]:
    """A fresh database, empty or a copy of `template`; returns (its URL, its name)."""
    name = "fs_test_" + uuid.uuid4().hex[:12]
    clause = f' TEMPLATE "{template}"' if template else ""
    for _ in range(50):
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"{clause}')
            break
        except psycopg.OperationalError:
            time.sleep(0.1)
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}", name


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
