"""Load test: PouchDB phones against two `fieldsync serve` behind nginx and three workers.

Everything runs on 127.0.0.1: the embedded store, a private PostgreSQL cluster, two serve
processes behind one nginx (upstream with max_fails and proxy_next_upstream, as a deployment
would put them), three `fieldsync worker` processes sharing the partitions through leases, and
LOADTEST_PHONES Node PouchDB phones (one engineer each) that work for LOADTEST_SECONDS: a track
every scaled minute (LOADTEST_MINUTE_S), offers and orders now and then, live push and pull
feeds open throughout. Midway one worker and one serve are killed with SIGKILL.

It prints `name: value` lines and exits 1 when a document was lost or a row duplicated.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from server.accounts.service import create_user
from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.demo import load_master_data
from server.sql.migrate import upgrade
from server.sql.models.documents import GpsPoint, Offer, Order
from server.sql.models.sync_state import DocumentStatus, WorkerLease
from sync.embedded import EmbeddedStore, free_port
from tests.factories import make_approval, make_offer, make_order, make_track
from tests.support.phone import Phone, PhoneError
from tests.support.postgres import create_database, drop_database, postgres_server

REPO = Path(__file__).resolve().parent.parent
PHONES = int(os.environ.get("LOADTEST_PHONES", "50"))
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "120"))
# One field minute lasts this long: a phone sends its track once per scaled minute.
MINUTE_S = float(os.environ.get("LOADTEST_MINUTE_S", "5"))
SALE_CHANCE = 0.3  # per minute: an offer, its customer's approval and the order
WORKERS = 3
RECEIPT_WAIT_MS = 60_000  # a receipt may wait out a dead worker's lease (15 s) and more
DRAIN_S = 120.0
PASSWORD = "loadtest password 1"
CUSTOMERS = ["C-1001", "C-1002", "C-1003", "C-1004", "C-1005"]


@dataclass
class Written:
    """What one phone wrote, and how long each receipt took to come back to it."""

    doc_ids: list[str] = field(default_factory=list)
    track_points: dict[str, int] = field(default_factory=dict)
    written_ms: dict[str, int] = field(default_factory=dict)  # wall clock, for the verdicts
    # (when the document was written, monotonic; its push-to-receipt time in ms)
    latencies_ms: list[tuple[float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _sale(owner: str, rng: random.Random) -> list[dict[str, Any]]:
    lines = [(rng.choice(["P-100", "P-102", "P-400"]), rng.randint(1, 5), "6400.00", "0", "18")
             for _ in range(rng.randint(1, 3))]
    offer = make_offer(owner, rng.choice(CUSTOMERS), lines=lines, status="approved")
    approval = make_approval(offer)
    return [offer, approval, make_order(offer, approval)]


def _track(owner: str, minute: int) -> dict[str, Any]:
    # One fix every ten seconds of the field minute, moving slowly north-east.
    return make_track([(12.97 + (minute * 6 + i) * 1e-4, 77.59 + (minute * 6 + i) * 1e-4)
                       for i in range(6)], owner=owner)


def _phone_loop(phone: Phone, owner: str, stop: threading.Event, out: Written,
                seed: int) -> None:
    rng = random.Random(seed)
    stop.wait(rng.uniform(0, MINUTE_S))  # phones do not all send on the same second
    minute = 0
    while not stop.is_set():
        tick = time.monotonic()
        docs = [_track(owner, minute)]
        if rng.random() < SALE_CHANCE:
            docs += _sale(owner, rng)
        started_ms, written_at = int(time.time() * 1000), time.monotonic()
        try:
            phone.call("bulk", db="me", docs=docs)
        except (PhoneError, RuntimeError) as exc:
            out.errors.append(str(exc))
            return
        out.doc_ids += [d["_id"] for d in docs]
        out.written_ms.update((d["_id"], started_ms) for d in docs)
        out.track_points[docs[0]["_id"]] = len(docs[0]["points"])
        for doc in docs:
            # The phone's own clock: from its local write to the receipt in its database.
            answer = phone.try_call("wait_doc", db="me", id=f"receipt:{doc['_id']}",
                                    started=started_ms, timeout_ms=RECEIPT_WAIT_MS, every_ms=50)
            if answer["ok"]:
                out.latencies_ms.append((written_at, float(answer["result"]["waited_ms"])))
        minute += 1
        stop.wait(max(0.0, MINUTE_S - (time.monotonic() - tick)))


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSYNC_")}
    env.update({f"FIELDSYNC_{k.upper()}": str(getattr(settings, k)) for k in (
        "var_dir", "database_url", "store_url", "store_username", "store_password",
        "db_prefix", "jwt_secret", "http_host", "log_level")})
    env.update(extra)
    return env


class Processes:
    """Every child process this run started, each in its own process group; all stopped at
    the end, whatever happened."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _wait_http(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            requests.get(url + "/healthz", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def _nginx_conf(root: Path, port: int, upstreams: list[int]) -> Path:
    """deploy/nginx.conf's proxying, with two upstreams: a dead one is marked failed after one
    refused connection for 10 s, and the request that found it dead is retried on the other.
    non_idempotent lets a POST be retried too: a replicator's `_bulk_docs` carries
    new_edits=false, so sending the same revisions twice stores nothing new."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;"
                        for p in upstreams)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = root / "nginx.conf"
    conf.write_text(f"""
{user}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 32m;
    upstream fieldsync {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_connect_timeout 2s;
        proxy_next_upstream error timeout http_502 http_503 non_idempotent;
        proxy_next_upstream_tries 2;
        location /sync/ {{
            proxy_pass http://fieldsync;
            proxy_buffering off;
            proxy_read_timeout 90s;
        }}
        location / {{
            proxy_pass http://fieldsync;
        }}
    }}
}}
""")
    return conf


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if not found:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    return found


def _count(services: Services, query: Any) -> int:
    with services.sessions() as session:
        return int(session.scalar(query) or 0)


def _wait_owners(services: Services, owners: int, seconds: float = 120) -> None:
    query = select(func.count(func.distinct(WorkerLease.owner)))
    deadline = time.monotonic() + seconds
    while _count(services, query) < owners:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the {owners} workers did not split the partitions")
        time.sleep(0.2)


def _takeover(services: Services, pid: int, killed_at: float, out: dict[str, float],
              stop: threading.Event) -> None:
    """Seconds from the SIGKILL until no partition is held by the dead worker or nobody."""
    dead = select(func.count()).select_from(WorkerLease).where(
        WorkerLease.owner.like(f"%/{pid}-%") | WorkerLease.owner.is_(None))
    while not stop.is_set():
        if _count(services, dead) == 0:
            out["takeover_s"] = time.monotonic() - killed_at
            return
        time.sleep(0.2)


def _settings(root: Path, sql_url: str, store: EmbeddedStore) -> Settings:
    e = store.endpoint
    return Settings(var_dir=root / "var", database_url=sql_url, store_url=e.url,
                    store_username=e.username, store_password=e.password, db_prefix="load-",
                    jwt_secret="loadtest-secret-0123456789-0123456789", log_level="WARNING")


def _engineers(services: Services) -> list[tuple[str, str]]:
    out = []
    for i in range(PHONES):
        name = f"eng{i:03d}"
        user = create_user(services.sessions, services.store, services.settings, name, PASSWORD,
                           "engineer")
        # Signed directly: logging fifty phones in would only measure the password hashing.
        out.append((name, services.accounts.signer.issue(user.user_id, name, "engineer",
                                                         services.accounts.clock())))
    return out


def _receipts_seen(phone: Phone, doc_ids: list[str]) -> tuple[int, int]:
    """Receipts on the phone for its documents, and how many of them were written more than
    once (each document has one revision, so a second receipt revision means it was
    processed again)."""
    rows = phone.call("all_docs", db="me", options={"keys": [f"receipt:{d}" for d in doc_ids]})
    found = [row["value"] for row in rows["rows"]
             if "value" in row and not row["value"].get("deleted")]
    return len(found), sum(1 for v in found if not v["rev"].startswith("1-"))


def _drain(services: Services, expected: set[str], seconds: float) -> set[str]:
    """The written documents that have no verdict in SQL after waiting up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        with services.sessions() as session:
            seen = set(session.scalars(select(DocumentStatus.doc_id).where(
                DocumentStatus.receipt_pending.is_(False))))
        missing = expected - seen
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(1.0)


def _to_verdict_ms(services: Services, written: list[Written]) -> list[float]:
    """From each phone write to the worker's verdict in SQL: the way in, without the receipt's
    way back to the phone."""
    at = {d: ms for w in written for d, ms in w.written_ms.items()}
    with services.sessions() as session:
        rows = session.execute(select(DocumentStatus.doc_id, DocumentStatus.processed_at).where(
            DocumentStatus.db_name.like("load-%"))).all()
    return [row.processed_at.timestamp() * 1000 - at[row.doc_id] for row in rows
            if row.doc_id in at]


def _percentiles(values: list[float]) -> list[float]:
    return statistics.quantiles(values, n=100) if len(values) > 1 else [0.0] * 99


def _duplicated(services: Services, written: list[Written]) -> int:
    """Rows beyond one per written document (and one per GPS fix)."""
    ids = [d for w in written for d in w.doc_ids]
    points = sum(n for w in written for n in w.track_points.values())
    with services.sessions() as session:
        statuses = session.scalar(select(func.count()).select_from(DocumentStatus).where(
            DocumentStatus.db_name.like("load-%")))
        offers = session.scalar(select(func.count()).select_from(Offer))
        orders = session.scalar(select(func.count()).select_from(Order))
        fixes = session.scalar(select(func.count()).select_from(GpsPoint))
    extra = (int(statuses or 0) - len(ids)) + (int(fixes or 0) - points)
    extra += int(offers or 0) - sum(1 for d in ids if d.startswith("offer:"))
    extra += int(orders or 0) - sum(1 for d in ids if d.startswith("order:"))
    return max(0, extra)


@contextmanager
def _stack() -> Iterator[ExitStack]:
    # Ctrl-C and SIGTERM both unwind through the ExitStack, which stops everything.
    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with ExitStack() as stack:
            yield stack
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run() -> dict[str, float | int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65_536)), hard))
    with _stack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fieldsync-load-")))
        admin_url = stack.enter_context(postgres_server())
        sql_url, db_name = create_database(admin_url)
        stack.callback(drop_database, admin_url, db_name)
        store = stack.enter_context(EmbeddedStore(root / "store", in_memory=False))
        settings = _settings(root, sql_url, store)
        services = bootstrap(settings)
        stack.callback(services.close)
        upgrade(services.engine)
        load_master_data(services)
        engineers = _engineers(services)

        procs = Processes(root)
        stack.callback(procs.stop_all)
        ports = [free_port(), free_port()]
        serves = [procs.start(f"serve{i}", [sys.executable, "-m", "server.cli", "serve"],
                              _env(settings, FIELDSYNC_HTTP_PORT=str(port)))
                  for i, port in enumerate(ports)]
        for port, proc in zip(ports, serves, strict=True):
            _wait_http(f"http://127.0.0.1:{port}", proc)
        proxy_port = free_port()
        nginx = procs.start("nginx", [_nginx(), "-p", str(root), "-c",
                                      str(_nginx_conf(root, proxy_port, ports))], dict(os.environ))
        proxy = f"http://127.0.0.1:{proxy_port}"
        _wait_http(proxy, nginx)
        workers = [procs.start(f"worker{i}", [sys.executable, "-m", "server.cli", "worker"],
                               _env(settings)) for i in range(WORKERS)]
        _wait_owners(services, WORKERS)

        phones = []
        for _name, token in engineers:
            phone = stack.enter_context(Phone(proxy, token))
            phone.call("live_push", db="me", key="up")
            phone.call("live_pull", db="me", key="down")
            phones.append(phone)

        stop = threading.Event()
        stack.callback(stop.set)
        written = [Written() for _ in phones]
        threads = [threading.Thread(target=_phone_loop, args=(p, name, stop, w, i), daemon=True)
                   for i, (p, (name, _t), w) in enumerate(zip(phones, engineers, written,
                                                               strict=True))]
        for t in threads:
            t.start()
        started = time.monotonic()
        time.sleep(SECONDS / 2)

        figures: dict[str, float] = {}
        victim = workers[0]
        os.killpg(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        os.killpg(serves[0].pid, signal.SIGKILL)  # the gunicorn master and its workers
        # Its own event: a takeover can outlast a short run, and is waited for below.
        watching = threading.Event()
        stack.callback(watching.set)
        watcher = threading.Thread(target=_takeover, args=(services, victim.pid, killed_at,
                                                           figures, watching), daemon=True)
        watcher.start()
        time.sleep(max(0.0, SECONDS - (time.monotonic() - started)))
        stop.set()
        for t in threads:
            t.join(timeout=RECEIPT_WAIT_MS / 1000 * 5)
        watcher.join(timeout=120)

        expected = {d for w in written for d in w.doc_ids}
        missing = _drain(services, expected, DRAIN_S)
        seen = [_receipts_seen(p, w.doc_ids) for p, w in zip(phones, written, strict=True)]
        latencies = [x for w in written for x in w.latencies_ms]
        every = _percentiles([ms for _, ms in latencies])
        # Before the kills: the steady state, without the wait for a dead worker's leases.
        before = _percentiles([ms for at, ms in latencies if at < killed_at])
        errors = [e for w in written for e in w.errors]
        return {
            "loadtest_phones": PHONES, "loadtest_seconds": SECONDS,
            "documents_written": len(expected),
            "documents_with_receipts": sum(n for n, _ in seen),
            "receipts_rewritten": sum(r for _, r in seen),
            "lost": len(missing), "duplicated_rows": _duplicated(services, written),
            "push_to_receipt_p50_ms": every[49], "push_to_receipt_p95_ms": every[94],
            "push_to_receipt_p50_ms_before_kill": before[49],
            "push_to_receipt_p95_ms_before_kill": before[94],
            "push_to_verdict_p50_ms": _percentiles(_to_verdict_ms(services, written))[49],
            "takeover_s": figures.get("takeover_s", -1.0), "phone_errors": len(errors),
        }


def main() -> int:
    figures = run()
    for name, value in figures.items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}",
              flush=True)
    return 0 if figures["lost"] == 0 and figures["duplicated_rows"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
