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
from sync.worker import Worker
from tests.support.gateway_docs import todo
from tests.support.phone import Phone

DOCS = 10_000
BATCH = 500
FEED_USERS = 100
FEEDS_PER_USER = 10
LATENCY_SAMPLES = 20
PASSWORD = "bench password 1"


def run() -> dict[str, float]:
    resource.setrlimit(resource.RLIMIT_NOFILE, (20_000, max(20_000, resource.getrlimit(
        resource.RLIMIT_NOFILE)[1])))
    with tempfile.TemporaryDirectory() as tmp, EmbeddedStore(Path(tmp) / "store",
                                                             in_memory=True) as store:
        settings = _settings(Path(tmp), store.endpoint)
        services = bootstrap(settings)
        upgrade(services.engine)
        try:
            with _gateway(settings) as (url, pid):
                figures = _throughput(services, url, store.endpoint)
                figures.update(_live_feeds(services, url, pid))
                figures["push_to_receipt_p95_ms"] = _push_to_receipt(services, url)
        finally:
            services.close()
    return figures


def _settings(tmp: Path, endpoint: StoreEndpoint) -> Settings:
    return Settings(var_dir=tmp / "var", database_url=f"sqlite:///{tmp / 'fieldsync.db'}",
                    store_url=endpoint.url, store_username=endpoint.username,
                    store_password=endpoint.password, db_prefix="bench-",
                    jwt_secret="bench-secret-0123456789-0123456789", http_port=free_port(),
                    worker_poll_interval_s=0.02, log_level="WARNING")


@contextmanager
def _gateway(settings: Settings) -> Iterator[tuple[str, int]]:
    """`serve(settings)` with one gevent worker, in its own process."""
    env = {**os.environ, **{f"FIELDSYNC_{k.upper()}": str(v) for k, v in {
        "var_dir": settings.var_dir, "database_url": settings.database_url,
        "store_url": settings.store_url, "store_username": settings.store_username,
        "store_password": settings.store_password, "db_prefix": settings.db_prefix,
        "jwt_secret": settings.jwt_secret, "http_port": settings.http_port,
        "log_level": settings.log_level}.items()}}
    code = ("from server.config import Settings; from sync.gateway.serving import serve; "
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
    create_user(services.sessions, services.store, s, "pusher", PASSWORD, "engineer")
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
    """Open idle longpoll feeds (many engineers, a few devices each) and count those held."""
    port = int(url.rsplit(":", 1)[1])
    socks: list[socket.socket] = []
    tokens = []
    for u in range(FEED_USERS):
        name = f"feed{u:04d}"
        user = create_user(services.sessions, services.store, services.settings, name,
                           PASSWORD, "engineer")
        # Signed directly: a thousand argon2 logins would only measure the hashing.
        tokens.append(services.accounts.signer.issue(user.user_id, name, "engineer",
                                                     services.accounts.clock()))
    try:
        # All feeds open within seconds, well inside their 60 s longpoll timeout.
        for tok in tokens:
            for _ in range(FEEDS_PER_USER):
                socks.append(_open_feed(port, tok))
        time.sleep(3.0)
        held = _count_held(socks)
        alive = requests.get(url + "/sync/", timeout=10,
                             headers={"Authorization": f"Bearer {_token(url, 'pusher')}"}).ok
        rss_mb = _rss_mb(pid)
    finally:
        for s in socks:
            s.close()
    return {"live_feeds_held": float(held if alive else 0), "live_feeds_rss_mb": rss_mb}


def _open_feed(port: int, token: str) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall((f"GET /sync/me/_changes?feed=longpoll&since=now&heartbeat=10000&timeout=60000 "
               f"HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
               ).encode())
    return s


def _count_held(socks: list[socket.socket]) -> int:
    """Feeds still open that got a 200 and no answer yet (headers and heartbeat chunks only)."""
    held = 0
    for s in socks:
        received = b""
        s.setblocking(False)
        closed = False
        while True:
            try:
                data = s.recv(65536)
            except BlockingIOError:
                break
            if not data:
                closed = True
                break
            received += data
        s.setblocking(True)
        answered = b'"results"' in received or b'"error"' in received
        if not closed and not answered and (not received or received.startswith(
                b"HTTP/1.1 200")):
            held += 1
    return held


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _push_to_receipt(services: Services, url: str) -> float:
    create_user(services.sessions, services.store, services.settings, "live", PASSWORD,
                "engineer")
    worker = Worker(services)
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
