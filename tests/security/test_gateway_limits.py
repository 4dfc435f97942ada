"""The sync gateway's limits, against a real `fieldsync serve` (gunicorn + gevent): requests
that do not arrive in time, batches too large for one request, more live feeds than one
engineer needs, writes SQL could not mark for the worker, and the one document size rule."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from server.accounts.service import create_user
from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.sql.migrate import upgrade
from sync.dirty import DirtySet
from sync.documents.size import MAX_DOCUMENT_BYTES, document_size
from sync.documents.validate import check_structure
from sync.embedded import StoreEndpoint, free_port
from sync.gateway.errors import UpstreamError
from sync.gateway.marks import WriteMarks
from sync.provisioning import engineer_db_name
from sync.store import NotFoundError
from tests.support.gateway_docs import todo
from tests.support.phone import Phone
from tests.support.serve_process import ServeProcess

pytestmark = pytest.mark.timeout(300)
BOUND_S = 3.0  # header and body read bounds of the server under test (20 s and 30 s by default)
PASSWORD = "correct horse battery"
ENGINEERS = ("asha", "bob", "fiona")


@dataclass
class Stack:
    services: Services
    server: ServeProcess
    sqlite_path: Path
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return self.services.settings.http_port

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def doc(self, username: str, doc_id: str) -> dict[str, Any] | None:
        db = engineer_db_name(self.services.settings.db_prefix, username)
        try:
            return self.services.store.get_doc(db, doc_id)
        except NotFoundError:
            return None


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, store_endpoint: StoreEndpoint,
          sqlite_template: Path) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("limits")
    sqlite_path = tmp / "fieldsync.db"
    shutil.copyfile(sqlite_template, sqlite_path)
    settings = Settings(
        var_dir=tmp / "var", database_url=f"sqlite:///{sqlite_path}",
        store_url=store_endpoint.url, store_username=store_endpoint.username,
        store_password=store_endpoint.password, db_prefix="limits-",
        jwt_secret="test-secret-not-for-production-0123456789", http_port=free_port(),
        http_header_timeout_s=BOUND_S, http_body_timeout_s=BOUND_S, http_body_min_rate=1000,
        worker_poll_interval_s=0.02, log_level="WARNING")
    services = bootstrap(settings)
    upgrade(services.engine)
    tokens = {}
    for name in ENGINEERS:
        user = create_user(services.sessions, services.store, settings, name, PASSWORD,
                           "engineer", team="south", territory="KA")
        tokens[name] = services.accounts.signer.issue(user.user_id, name, "engineer",
                                                      services.accounts.clock())
    try:
        with ServeProcess(settings, tmp / "serve.log") as server:
            yield Stack(services, server, sqlite_path, tokens)
    finally:
        services.close()


def connect(port: int, head: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(head)
    return sock


def answer_or_close(sock: socket.socket, seconds: float) -> bytes:
    """What the server sent before closing or before `seconds` passed."""
    sock.settimeout(seconds)
    try:
        return sock.recv(4096)
    except TimeoutError:
        return b"(still open)"


def whole_answer(sock: socket.socket, seconds: float) -> bytes:
    """One complete answer (headers and a body of Content-Length bytes), or what came."""
    received = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        head, _, body = received.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), None)
        if length is not None and len(body) >= length:
            break
        chunk = answer_or_close(sock, deadline - time.monotonic())
        if not chunk or chunk == b"(still open)":
            break
        received += chunk
    return received


# Read timeouts ----------------------------------------------------------------------------------

def test_a_dripped_body_is_cut_off_while_healthz_stays_fast(stack: Stack) -> None:
    login = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    idle = [connect(stack.port, login) for _ in range(500)]
    time.sleep(1.0)  # the server takes them all in: what is measured is their being open
    drip = connect(stack.port, b"POST /sync/me/_bulk_docs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Authorization: Bearer " + stack.tokens["asha"].encode() +
                   b"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    dripping = Dripping(drip, give_up_s=BOUND_S + 12)
    try:
        dripping.start()
        healthz = []
        for _ in range(3):
            started = time.perf_counter()
            r = requests.get(stack.url + "/healthz", timeout=10)
            healthz.append(time.perf_counter() - started)
            assert r.status_code == 200, r.text
            time.sleep(0.5)
        assert max(healthz) < 1.0, healthz
        dripping.join(timeout=BOUND_S + 20)
        assert dripping.answer.startswith(b"HTTP/1.1 408"), dripping.answer[:200]
        assert dripping.took_s < BOUND_S + 2, dripping.took_s
        # The half-sent logins were cut off by the same bound, not left to hold their slots.
        answers = [answer_or_close(s, 5.0) for s in idle]
        assert all(a.startswith(b"HTTP/1.1 408") or a == b"" for a in answers), \
            {a[:40] for a in answers}
    finally:
        for s in [*idle, drip]:
            s.close()


class Dripping(threading.Thread):
    """Sends a request body at 4 bytes a second until the server answers or closes."""

    def __init__(self, sock: socket.socket, give_up_s: float) -> None:
        super().__init__(daemon=True)
        self.sock = sock
        self.give_up_s = give_up_s
        self.answer = b""
        self.took_s = 0.0

    def run(self) -> None:
        started = time.monotonic()
        self.sock.settimeout(0.25)
        while time.monotonic() - started < self.give_up_s:
            try:
                self.sock.sendall(b"[")
            except OSError:
                break
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            self.answer += data
            break
        self.took_s = time.monotonic() - started


def test_slow_headers_are_cut_off(stack: Stack) -> None:
    silent = socket.create_connection(("127.0.0.1", stack.port), timeout=30)
    partial = connect(stack.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    try:
        started = time.monotonic()
        assert answer_or_close(silent, BOUND_S + 5) == b""
        assert answer_or_close(partial, 2).startswith(b"HTTP/1.1 408")
        assert time.monotonic() - started < BOUND_S + 2
    finally:
        silent.close()
        partial.close()


def test_an_idle_live_feed_outlasts_the_read_bounds(stack: Stack) -> None:
    answer: dict[str, Any] = {}
    since = requests.get(stack.url + "/sync/me", headers=stack.auth("asha"),
                         timeout=10).json()["update_seq"]

    def wait() -> None:
        started = time.monotonic()
        r = requests.get(stack.url + "/sync/me/_changes", headers=stack.auth("asha"),
                         params={"feed": "longpoll", "since": since, "timeout": "30000",
                                 "heartbeat": "1000"}, timeout=60)
        answer.update(status=r.status_code, body=r.json(), took=time.monotonic() - started)

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    time.sleep(2 * BOUND_S)
    put = requests.put(stack.url + "/sync/me/todo:woken", headers=stack.auth("asha"),
                       json=todo("asha", "woken"), timeout=10)
    assert put.status_code == 201, put.text
    waiter.join(timeout=30)
    assert answer["status"] == 200 and answer["took"] > 2 * BOUND_S
    assert [c["id"] for c in answer["body"]["results"]] == ["todo:woken"]


# Batch and feed caps ----------------------------------------------------------------------------

def test_a_hundred_thousand_documents_are_refused_at_once_while_others_push(
        stack: Stack) -> None:
    flood = json.dumps({"docs": [dict(todo("asha", f"f{i}"), _rev=f"1-{i:032x}")
                                 for i in range(100_000)], "new_edits": False}).encode()
    outcome: dict[str, Any] = {}

    def push_flood() -> None:
        started = time.monotonic()
        r = requests.post(stack.url + "/sync/me/_bulk_docs", data=flood, timeout=120,
                          headers={**stack.auth("asha"), "Content-Type": "application/json"})
        outcome.update(status=r.status_code, body=r.json(), took=time.monotonic() - started)

    flooder = threading.Thread(target=push_flood, daemon=True)
    with Phone(stack.url, stack.tokens["bob"]) as phone:
        phone.call("bulk", db="me", docs=[todo("bob", f"b{i}") for i in range(20)])
        flooder.start()
        started = time.monotonic()
        pushed = phone.call("push", db="me")
        bobs_push_s = time.monotonic() - started
    flooder.join(timeout=120)
    assert pushed["docs_written"] == 20 and bobs_push_s < 5, (pushed, bobs_push_s)
    assert outcome["status"] == 413 and outcome["took"] < 5, outcome.get("took")
    assert outcome["body"]["error"] == "too_large"
    assert "batch_size" in outcome["body"]["reason"]
    assert stack.doc("asha", "todo:f0") is None and stack.doc("asha", "todo:f99999") is None


def test_a_batch_is_refused_by_its_declared_length_before_it_is_sent(stack: Stack) -> None:
    sock = connect(stack.port, b"POST /sync/me/_bulk_docs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Authorization: Bearer " + stack.tokens["asha"].encode() +
                   b"\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n")
    try:
        started = time.monotonic()
        answer = whole_answer(sock, 5)
        assert answer.startswith(b"HTTP/1.1 413") and b"batch_size" in answer, answer[:400]
        assert time.monotonic() - started < 2
    finally:
        sock.close()


def test_more_than_a_thousand_documents_are_refused_and_a_thousand_pass(stack: Stack) -> None:
    def bulk(count: int, key: str) -> requests.Response:
        docs = [dict(todo("asha", f"{key}{i}"), _rev="1-" + "a" * 32) for i in range(count)]
        return requests.post(stack.url + "/sync/me/_bulk_docs", headers=stack.auth("asha"),
                             json={"docs": docs, "new_edits": False}, timeout=60)

    over = bulk(1001, "over")
    assert over.status_code == 413 and "at most 1,000" in over.json()["reason"]
    assert stack.doc("asha", "todo:over0") is None
    fits = bulk(1000, "fits")
    assert fits.status_code == 201
    assert stack.doc("asha", "todo:fits999") is not None


def feed_head(token: str, timeout_ms: int = 60_000) -> bytes:
    return (f"GET /sync/me/_changes?feed=longpoll&since=now&heartbeat=1000&timeout={timeout_ms}"
            f" HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n").encode()


def test_the_twenty_first_live_feed_of_one_engineer_is_a_429(stack: Stack) -> None:
    params = {"feed": "longpoll", "since": "now", "timeout": "2000"}
    feeds = [connect(stack.port, feed_head(stack.tokens["fiona"])) for _ in range(20)]
    try:
        for sock in feeds:  # each is held: its headers arrive, its answer does not
            assert answer_or_close(sock, 10).startswith(b"HTTP/1.1 200")
        r = requests.get(stack.url + "/sync/me/_changes", headers=stack.auth("fiona"),
                         params=params, timeout=30)
        assert r.status_code == 429 and r.json()["error"] == "too_many_requests", r.text
        assert "live feeds" in r.json()["reason"] and int(r.headers["Retry-After"]) > 0
        other = requests.get(stack.url + "/sync/me/_changes", headers=stack.auth("bob"),
                             params=params, timeout=30)
        assert other.status_code == 200
        feeds.pop().close()  # noticed at the next heartbeat, which finds the socket closed
        deadline = time.monotonic() + 10
        while True:
            again = requests.get(stack.url + "/sync/me/_changes", headers=stack.auth("fiona"),
                                 params=params, timeout=30)
            if again.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert again.status_code == 200, again.text
    finally:
        for sock in feeds:
            sock.close()


# Dirty marks ------------------------------------------------------------------------------------

def test_a_failed_dirty_mark_still_ends_in_a_receipt_within_seconds(stack: Stack) -> None:
    worker = stack.services.worker()
    runner = threading.Thread(target=worker.run_forever, daemon=True)
    runner.start()  # its first full sweep runs now; the next one is minutes away
    try:
        deadline = time.monotonic() + 60
        while worker._last_sweep == 0.0 and time.monotonic() < deadline:
            time.sleep(0.05)
        with Phone(stack.url, stack.tokens["asha"]) as phone:
            phone.call("put", db="me", doc=todo("asha", "marked"))
            # SQL refuses every dirty mark (and nothing else) while the phone pushes.
            with refusing_dirty_marks(stack.sqlite_path):
                first = phone.try_call("push", db="me")
            assert not first["ok"]
            # Nothing was stored without its mark, so the phone's retry pushes it again.
            assert stack.doc("asha", "todo:marked") is None
            assert phone.call("push", db="me")["docs_written"] == 1
            started = time.monotonic()
            receipt = None
            while receipt is None and time.monotonic() - started < 10:
                receipt = stack.doc("asha", "receipt:todo:marked")
                time.sleep(0.1)
        assert receipt is not None and receipt["status"] == "accepted"
    finally:
        worker.stop()
        runner.join(timeout=30)


@contextmanager
def holding_the_dirty_set(services: Services) -> Iterator[None]:
    """Another connection in a write transaction that locks the dirty set."""
    with services.engine.connect() as conn, conn.begin():  # SQLite: BEGIN IMMEDIATE
        if services.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("LOCK TABLE dirty_databases IN EXCLUSIVE MODE")
        yield


def test_a_locked_dirty_set_refuses_the_write_quickly_and_a_late_mark_is_retried(
        services: Services) -> None:
    dirty = DirtySet(services.sessions)
    marks = WriteMarks(dirty, lock_wait_s=0.3, pause_s=0.05)
    with holding_the_dirty_set(services):
        started = time.monotonic()
        with pytest.raises(UpstreamError, match="nothing was stored"):
            marks.before("limits-eng-before")
        assert time.monotonic() - started < 3
        marks.after("limits-eng-after")  # the store took the write: never refused, retried
    deadline = time.monotonic() + 10
    while "limits-eng-after" not in dirty.snapshot() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(dirty.snapshot()) == {"limits-eng-after"}
    marks.before("limits-eng-before")
    assert set(dirty.snapshot()) == {"limits-eng-after", "limits-eng-before"}


@contextmanager
def refusing_dirty_marks(sqlite_path: Path) -> Iterator[None]:
    """Triggers that make SQLite fail any write to the dirty set, as a full disk would."""
    sql = sqlite3.connect(sqlite_path, isolation_level=None)
    try:
        for event in ("INSERT", "UPDATE"):
            sql.execute(f"CREATE TRIGGER refuse_mark_{event} BEFORE {event} ON dirty_databases "
                        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        yield
    finally:
        for event in ("INSERT", "UPDATE"):
            sql.execute(f"DROP TRIGGER IF EXISTS refuse_mark_{event}")
        sql.close()


# One size rule ----------------------------------------------------------------------------------

def at_limit(owner: str, key: str) -> dict[str, Any]:
    doc = todo(owner, key, memo="")
    doc["memo"] = "m" * (MAX_DOCUMENT_BYTES - document_size(doc))
    assert document_size(doc) == MAX_DOCUMENT_BYTES
    return doc


def test_the_size_rule_ignores_revision_bookkeeping() -> None:
    doc = at_limit("asha", "rule")
    revisions = {"start": 50, "ids": [f"{i:032x}" for i in range(50)]}
    assert check_structure({**doc, "_rev": "50-" + "e" * 32, "_revisions": revisions},
                           owner="asha").ok
    over = dict(doc, memo=doc["memo"] + "m")
    assert "at most 1,048,576" in check_structure(over, owner="asha").reason


def test_a_document_at_the_limit_stays_pushable_after_ten_edits(stack: Stack) -> None:
    doc = at_limit("asha", "big")
    with Phone(stack.url, stack.tokens["asha"]) as phone:
        phone.call("put", db="big", doc=doc)
        for edit in range(11):  # the first push, then ten edits of the same size
            if edit:
                current = phone.call("get", db="big", id="todo:big")
                current["memo"] = current["memo"][:-1] + "abcdefghij"[edit - 1]
                phone.call("put", db="big", doc=current)
            assert phone.call("push", db="big", remote="me")["docs_written"] == 1, edit
        over = at_limit("asha", "over")
        over["memo"] += "m"
        phone.call("put", db="big", doc=over)
        phone.call("push", db="big", remote="me")
        denied = phone.call("denied")["denied"]
    assert [d["id"] for d in denied] == ["todo:over"]
    # The worker measures the same way: the edited document is accepted, and a document over
    # the limit that reached the store another way gets the gateway's reason in its receipt.
    db = engineer_db_name(stack.services.settings.db_prefix, "asha")
    assert stack.doc("asha", "todo:over") is None
    stack.services.store.put_doc(db, over)
    DirtySet(stack.services.sessions).mark([db])
    stack.services.worker().run_until_idle()
    accepted = stack.doc("asha", "receipt:todo:big")
    rejected = stack.doc("asha", "receipt:todo:over")
    assert accepted is not None and accepted["status"] == "accepted"
    assert accepted["doc_rev"].startswith("11-")
    assert rejected is not None and rejected["status"] == "rejected"
    assert rejected["reason"] == denied[0]["reason"]
