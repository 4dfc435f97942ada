"""Gateway benchmark: PouchDB push/pull through `fieldsync serve` versus straight to the store,
idle live feeds held by one server process, and push-to-receipt latency on a live phone."""

from __future__ import annotations

import base64
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from server.accounts.service import create_user
from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.sql.migrate import upgrade
from sync.embedded import EmbeddedStore, StoreEndpoint, free_port
from tests.support.gateway_docs import todo
from tests.support.phone import Phone

DOCS = 10_000
BATCH = 500
# Feeds: up to FEED_TRIES against one process, from FEED_USERS engineers with the per-user
# cap raised to match (a depot of phones per engineer is not the point here).
FEED_TRIES = 10_000
FEED_USERS = 100
HEARTBEAT_MS = 5_000
LATENCY_SAMPLES = 20
PASSWORD = "bench password 1"


def run(parts: tuple[str, ...] = ("throughput", "feeds", "latency")) -> dict[str, float]:
    # As a deployment would: 10,000 feeds are 10,000 sockets in the server and here.
    resource.setrlimit(resource.RLIMIT_NOFILE, (20_000, max(20_000, resource.getrlimit(
        resource.RLIMIT_NOFILE)[1])))
    with tempfile.TemporaryDirectory() as tmp, EmbeddedStore(Path(tmp) / "store",
                                                             in_memory=True) as store:
        settings = _settings(Path(tmp), store.endpoint)
        services = bootstrap(settings)
        upgrade(services.engine)
        try:
            with _gateway(settings) as (url, pid):
                figures: dict[str, float] = {}
                create_user(services.sessions, services.store, settings, "pusher", PASSWORD,
                            "engineer")
                if "throughput" in parts:
                    figures.update(_throughput(services, url, store.endpoint))
                if "feeds" in parts:
                    figures.update(_live_feeds(services, url, pid))
                if "latency" in parts:
                    figures["push_to_receipt_p95_ms"] = _push_to_receipt(services, url)
        finally:
            services.close()
    return figures


def _settings(tmp: Path, endpoint: StoreEndpoint) -> Settings:
    return Settings(var_dir=tmp / "var", database_url=f"sqlite:///{tmp / 'fieldsync.db'}",
                    store_url=endpoint.url, store_username=endpoint.username,
                    store_password=endpoint.password, db_prefix="bench-",
                    jwt_secret="bench-secret-0123456789-0123456789", http_port=free_port(),
                    worker_poll_interval_s=0.02, log_level="WARNING",
                    gateway_live_feeds_per_user=FEED_TRIES // FEED_USERS)


@contextmanager
def _gateway(settings: Settings) -> Iterator[tuple[str, int]]:
    """`serve(settings)` with one gevent worker, in its own process."""
    env = {**os.environ, **{f"FIELDSYNC_{k.upper()}": str(v) for k, v in {
        "var_dir": settings.var_dir, "database_url": settings.database_url,
        "store_url": settings.store_url, "store_username": settings.store_username,
        "store_password": settings.store_password, "db_prefix": settings.db_prefix,
        "jwt_secret": settings.jwt_secret, "http_port": settings.http_port,
        "log_level": settings.log_level,
        "gateway_live_feeds_per_user": settings.gateway_live_feeds_per_user}.items()}}
    code = ("from server.config import Settings; from server.serving import serve; "
            "serve(Settings.from_env(), workers=1)")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{settings.http_port}"
    try:
        _wait_up(url)
        yield url, _worker_pid(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/healthz", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("the gateway did not start")


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else master


def _token(url: str, username: str) -> str:
    r = requests.post(url + "/api/v1/auth/login",
                      json={"username": username, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return str(r.json()["access_token"])


def _rate(phone: Phone, op: str, **args: Any) -> float:
    started = time.perf_counter()
    result = phone.call(op, batch_size=BATCH, **args)
    if result["docs_written"] != DOCS:
        raise RuntimeError(f"{op} wrote {result['docs_written']} of {DOCS} documents")
    return DOCS / (time.perf_counter() - started)


def _throughput(services: Services, url: str, endpoint: StoreEndpoint) -> dict[str, float]:
    s = services.settings
    # Not an engineer database: the worker must not spend the latency run reading it.
    direct_db = f"{s.db_prefix}direct"
    services.store.ensure_db(direct_db)
    basic = "Basic " + base64.b64encode(f"{endpoint.username}:{endpoint.password}".encode()
                                        ).decode()
    direct = {"direct": f"{endpoint.url}/{direct_db}", "authorization": basic}
    docs = [todo("pusher", f"b{i:05d}") for i in range(DOCS)]
    direct_docs = [dict(d, owner="direct") for d in docs]
    with Phone(url, _token(url, "pusher")) as phone:
        phone.call("bulk", db="gw", docs=docs)
        phone.call("bulk", db="dir", docs=direct_docs)
        push_gw = _rate(phone, "push", db="gw", remote="me")
        push_direct = _rate(phone, "push", db="dir", **direct)
        pull_gw = _rate(phone, "pull", db="gw-pull", remote="me")
        pull_direct = _rate(phone, "pull", db="dir-pull", **direct)
    return {"gateway_push_docs_per_s": push_gw, "direct_push_docs_per_s": push_direct,
            "gateway_push_ratio": push_gw / push_direct,
            "gateway_pull_docs_per_s": pull_gw, "direct_pull_docs_per_s": pull_direct,
            "gateway_pull_ratio": pull_gw / pull_direct}


def _live_feeds(services: Services, url: str, pid: int) -> dict[str, float]:
    """Open up to FEED_TRIES idle longpoll feeds (many engineers, many devices each) against one
    serve process and count those it holds once the number stops growing: its ceiling."""
    port = int(url.rsplit(":", 1)[1])
    tokens = []
    for u in range(FEED_USERS):
        name = f"feed{u:04d}"
        user = create_user(services.sessions, services.store, services.settings, name,
                           PASSWORD, "engineer")
        # Signed directly: a hundred argon2 logins would only measure the hashing.
        tokens.append(services.accounts.signer.issue(user.user_id, name, "engineer",
                                                     services.accounts.clock()))
    feeds: list[_Feed] = []
    try:
        started = time.monotonic()
        for i in range(FEED_TRIES):
            try:
                feeds.append(_Feed(port, tokens[i % FEED_USERS]))
            except OSError:
                break  # the process accepts no more connections: its ceiling is below
        held = _settle(feeds, started)
        rss_mb = _rss_mb(pid)
        answered = _answers(url)
    finally:
        for feed in feeds:
            feed.sock.close()
    return {"live_feeds_tried": float(len(feeds)), "live_feeds_held": float(held),
            "live_feeds_rss_mb": rss_mb, "live_feeds_server_answered": float(answered)}


def _answers(url: str) -> bool:
    """Whether the process still serves another request while it holds its feeds."""
    try:
        return requests.get(url + "/healthz", timeout=10).ok
    except requests.RequestException:
        return False


class _Feed:
    """One idle `_changes` longpoll on a raw socket, and what came back on it so far."""

    def __init__(self, port: int, token: str) -> None:
        # A short connect timeout: past the ceiling the listen backlog fills and SYNs wait.
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        self.sock.sendall((
            f"GET /sync/me/_changes?feed=longpoll&since=now&heartbeat={HEARTBEAT_MS}"
            f"&timeout=60000 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}"
            f"\r\n\r\n").encode())
        self.sock.setblocking(False)
        self.received = b""
        self.closed = False

    def read(self) -> None:
        while not self.closed:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.closed = True
            self.received += data

    @property
    def held(self) -> bool:
        """Open, answered 200 with its headers, and no results or error yet: a waiting feed
        (one still in the listen backlog has received nothing and does not count)."""
        answered = b'"results"' in self.received or b'"error"' in self.received
        return (not self.closed and not answered
                and self.received.startswith(b"HTTP/1.1 200"))


def _settle(feeds: list[_Feed], started: float) -> int:
    """The feeds held once two readings a heartbeat apart agree; all well inside the 60 s
    longpoll timeout, after which a held feed answers and would no longer count."""
    last = -1
    while True:
        time.sleep(HEARTBEAT_MS / 1000 + 1)
        for feed in feeds:
            feed.read()
        held = sum(1 for feed in feeds if feed.held)
        if held == last or time.monotonic() - started > 50:
            return held
        last = held


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _push_to_receipt(services: Services, url: str) -> float:
    create_user(services.sessions, services.store, services.settings, "live", PASSWORD,
                "engineer")
    worker = services.worker()
    worker.run_until_idle()  # the throughput run's 10,000 documents are not part of this
    runner = threading.Thread(target=worker.run_forever, daemon=True)
    runner.start()
    samples: list[float] = []
    try:
        with Phone(url, _token(url, "live")) as phone:
            phone.call("live_push", db="me", key="up")
            phone.call("live_pull", db="me", key="down")
            for i in range(LATENCY_SAMPLES):
                started = time.perf_counter()
                phone.call("put", db="me", doc=todo("live", f"l{i}"))
                phone.call("wait_doc", db="me", id=f"receipt:todo:l{i}", timeout_ms=10_000)
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        worker.stop()
        runner.join(timeout=10)
    return statistics.quantiles(samples, n=20)[-1]


if __name__ == "__main__":
    # `python -m bench.gateway feeds` runs the named parts only.
    for key, value in run(tuple(sys.argv[1:]) or ("throughput", "feeds", "latency")).items():
        print(f"{key}: {value:.3f}", flush=True)
