"""The store contract: what FieldSync assumes of a CouchDB-protocol store, checked in one place.

Runs against the embedded PouchDB Server, and against any Apache CouchDB 3 or Cloudant named by
FIELDSYNC_TEST_STORE_URL (credentials in the URL: http://admin:secret@host:5984).
"""

from __future__ import annotations

import base64
import itertools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from server.bootstrap import Services
from sync.db_updates import DbUpdatesFollower
from sync.dirty import DirtySet
from sync.embedded import StoreEndpoint
from sync.provisioning import provision_engineer
from sync.store import (
    ChangesPage,
    CouchStore,
    NotFoundError,
    TerminalStoreError,
    TransientStoreError,
    describe,
)
from tests.factories import make_todo

ENV_URL = "FIELDSYNC_TEST_STORE_URL"
REPO = Path(__file__).resolve().parents[2]
_names = itertools.count(1)


def external_endpoint() -> StoreEndpoint | None:
    raw = os.environ.get(ENV_URL)
    if not raw:
        return None
    parts = urlsplit(raw)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    url = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return StoreEndpoint(url, parts.username or "", parts.password or "")


@pytest.fixture(params=["embedded", "external"] if os.environ.get(ENV_URL) else ["embedded"])
def contract_endpoint(request: pytest.FixtureRequest) -> StoreEndpoint:
    if request.param == "external":
        found = external_endpoint()
        assert found is not None
        return found
    endpoint: StoreEndpoint = request.getfixturevalue("store_endpoint")
    return endpoint


@pytest.fixture
def couch(contract_endpoint: StoreEndpoint) -> CouchStore:
    return CouchStore(contract_endpoint.url, contract_endpoint.username,
                      contract_endpoint.password)


@pytest.fixture
def db(couch: CouchStore) -> Iterator[str]:
    name = f"contract-{os.getpid()}-{next(_names)}"
    couch.ensure_db(name)
    yield name
    couch.delete_db(name)


def page_through(couch: CouchStore, db: str, limit: int) -> tuple[list[str], list[str]]:
    ids, seqs, since = [], [], "0"
    while True:
        page: ChangesPage = couch.changes(db, since, limit=limit)
        if not page.results:
            return ids, seqs
        ids += [str(r["id"]) for r in page.results]
        seqs.append(page.last_seq)
        since = page.last_seq  # handed back exactly as received: never parsed or compared


def test_changes_page_with_opaque_since_values(couch: CouchStore, db: str) -> None:
    couch.bulk_docs(db, [{"_id": f"todo:{i:02d}", "n": i} for i in range(25)])
    ids, seqs = page_through(couch, db, limit=10)
    assert sorted(ids) == [f"todo:{i:02d}" for i in range(25)]
    assert len(seqs) == 3 and all(isinstance(s, str) and s for s in seqs)
    couch.bulk_docs(db, [{"_id": "todo:late"}])
    assert [r["id"] for r in couch.changes(db, seqs[-1]).results] == ["todo:late"]


def test_bulk_get_answers_each_revision_and_refuses_missing_ones(couch: CouchStore,
                                                                 db: str) -> None:
    (first,) = couch.bulk_docs(db, [{"_id": "todo:a", "v": 1}])
    (second,) = couch.bulk_docs(db, [{"_id": "todo:a", "_rev": first["rev"], "v": 2}])
    (old,) = couch.bulk_get(db, [("todo:a", first["rev"])])
    assert old["docs"][0]["ok"]["v"] == 1 and old["docs"][0]["ok"]["_revisions"]["start"] == 1
    (current,) = couch.bulk_get(db, [("todo:a", None)])
    assert current["docs"][0]["ok"]["_rev"] == second["rev"]
    # CouchDB answers a missing document with an `error` entry, PouchDB Server with an empty
    # one (and it merges requests for the same id): FieldSync only relies on `ok` being absent.
    (missing,) = couch.bulk_get(db, [("todo:zz", None)])
    assert missing["id"] == "todo:zz" and "ok" not in missing["docs"][0]


def test_conflicts_show_in_changes_and_open_revs(couch: CouchStore, db: str) -> None:
    couch.bulk_docs(db, [{"_id": "lead:x", "_rev": "1-aaa", "stage": "potential"},
                         {"_id": "lead:x", "_rev": "1-bbb", "stage": "proposal"}],
                    new_edits=False)
    (change,) = couch.changes(db, "0", conflicts=True).results
    assert change["doc"]["_rev"] == "1-bbb" and change["doc"]["_conflicts"] == ["1-aaa"]
    assert {r["_rev"] for r in couch.open_revs(db, "lead:x")} == {"1-aaa", "1-bbb"}
    assert couch.open_revs(db, "lead:missing") == []


def test_attachments_come_back_byte_for_byte(couch: CouchStore, db: str) -> None:
    photo = bytes(range(256)) * 8
    couch.put_doc(db, {"_id": "expense:1", "_attachments": {"receipt.jpg": {
        "content_type": "image/jpeg", "data": base64.b64encode(photo).decode()}}})
    stub = couch.get_doc(db, "expense:1")["_attachments"]["receipt.jpg"]
    assert stub["stub"] and stub["length"] == len(photo) and stub["content_type"] == "image/jpeg"
    inline = couch.get_doc(db, "expense:1", attachments=True)["_attachments"]["receipt.jpg"]
    assert base64.b64decode(inline["data"]) == photo
    raw = requests.get(f"{couch.url}/{db}/expense:1/receipt.jpg", auth=couch.auth, timeout=10)
    assert raw.content == photo and raw.headers["Content-Type"].startswith("image/jpeg")


class Throttling:
    """A proxy that answers 429 with Retry-After to the first requests, then forwards."""

    def __init__(self, target: str, refusals: int) -> None:
        self.target, self.refusals = target.rstrip("/"), refusals
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one_request(self) -> None:
                # Every method is handled alike: answer 429 or forward.
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    self.close_connection = True
                    return
                self.forward()
                self.wfile.flush()

            def forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if proxy.refusals > 0:
                    proxy.refusals -= 1
                    self._answer(429, {"Retry-After": "2", "Content-Type": "application/json"},
                                 b'{"error":"too_many_requests","reason":"rate limit"}')
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length")}
                upstream = requests.request(self.command, proxy.target + self.path,
                                            headers=headers, data=body, timeout=30)
                self._answer(upstream.status_code,
                             {"Content-Type": upstream.headers.get("Content-Type", "")},
                             upstream.content)

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_429_is_transient_and_says_how_long_to_wait(couch: CouchStore, db: str) -> None:
    proxy = Throttling(couch.url, refusals=2)
    try:
        throttled = CouchStore(proxy.url, couch.username, couch.password)
        for _ in range(2):
            with pytest.raises(TransientStoreError) as refused:
                throttled.db_info(db)
            assert refused.value.retry_after_s == 2.0
        assert throttled.db_info(db)["db_name"] == db  # then it answers as the store
    finally:
        proxy.close()


def test_a_database_that_vanishes(couch: CouchStore, db: str) -> None:
    couch.bulk_docs(db, [{"_id": "todo:1"}])
    couch.delete_db(db)
    with pytest.raises(NotFoundError):
        couch.changes(db, "0")
    with pytest.raises(NotFoundError):
        couch.db_info(db)
    assert couch.open_revs(db, "todo:1") == []


def test_the_worker_forgets_a_deleted_engineer_database_and_carries_on(
        services: Services) -> None:
    gone = provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                              "gone")
    kept = provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                              "kept")
    services.store.bulk_docs(kept, [make_todo("kept")])
    DirtySet(services.sessions).mark([gone, kept])
    services.store.delete_db(gone)
    assert services.worker().run_until_idle() == 1
    assert DirtySet(services.sessions).snapshot() == {}


def test_store_urls_answering_401_and_404_are_named_for_the_operator(
        contract_endpoint: StoreEndpoint, couch: CouchStore) -> None:
    wrong = CouchStore(contract_endpoint.url, contract_endpoint.username or "admin", "wrong")
    with pytest.raises(TerminalStoreError) as refused:
        wrong.db_info("_users")
    assert refused.value.status == 401
    assert "FIELDSYNC_STORE_PASSWORD" in describe(refused.value, wrong.url)
    nowhere = CouchStore(contract_endpoint.url + "/no-such-prefix/", couch.username,
                         couch.password)
    assert not nowhere.ping()
    with pytest.raises(NotFoundError) as missing:
        nowhere.server_info()
    assert "must name the server" in describe(missing.value, nowhere.url)


def test_fieldsync_migrate_refuses_a_store_with_wrong_credentials_clearly(
        contract_endpoint: StoreEndpoint, tmp_path: Path) -> None:
    env = dict(os.environ, FIELDSYNC_STORE_URL=contract_endpoint.url,
               FIELDSYNC_STORE_USERNAME=contract_endpoint.username or "admin",
               FIELDSYNC_STORE_PASSWORD="wrong", FIELDSYNC_VAR_DIR=str(tmp_path / "var"))
    done = subprocess.run([sys.executable, "-m", "server.cli", "migrate"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "refused FieldSync's credentials (401)" in done.stderr
    assert "Traceback" not in done.stderr


def test_db_updates_where_the_store_offers_it(couch: CouchStore, db: str) -> None:
    start = couch.db_updates("now")
    if "express-pouchdb" in couch.server_info():
        assert start is None  # PouchDB Server: the worker keeps to the dirty set
        return
    assert start is not None
    couch.bulk_docs(db, [{"_id": "todo:seen"}])
    later = couch.db_updates(start.last_seq)
    assert later is not None and db in later.db_names


def test_the_worker_follows_db_updates_or_falls_back_to_the_dirty_set(
        couch: CouchStore) -> None:
    prefix = f"contract{os.getpid()}-"
    follower = DbUpdatesFollower(couch, prefix)
    assert follower.poll(lambda _db: True) == []  # from now on
    engineer = f"{prefix}eng-asha"
    couch.ensure_db(engineer)
    try:
        couch.bulk_docs(engineer, [{"_id": "todo:1"}])
        seen = follower.poll(lambda _db: True)
        if "express-pouchdb" in couch.server_info():
            assert seen == [] and not follower.supported
        else:
            assert seen == [engineer] and follower.supported
    finally:
        couch.delete_db(engineer)


def test_a_worker_refused_by_the_store_says_so_and_exits(
        contract_endpoint: StoreEndpoint, tmp_path: Path) -> None:
    env = dict(os.environ, FIELDSYNC_STORE_URL=contract_endpoint.url,
               FIELDSYNC_STORE_USERNAME=contract_endpoint.username or "admin",
               FIELDSYNC_STORE_PASSWORD="wrong", FIELDSYNC_VAR_DIR=str(tmp_path / "var"))
    done = subprocess.run([sys.executable, "-m", "server.cli", "worker"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "refused FieldSync's credentials (401)" in done.stderr
    assert "Traceback" not in done.stderr
