"""Real PouchDB 9 phones (Node, memory adapter) replicating through the gateway."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from server.accounts.service import create_user
from server.bootstrap import Services
from sync.provisioning import catalog_db_name, engineer_db_name
from tests.support.gateway_docs import todo
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def server(services: Services) -> Iterator[LiveServer]:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer", team="south", territory="KA")
    with LiveServer(services) as live:
        yield live


def login(server: LiveServer, username: str = "asha") -> str:
    r = requests.post(server.url + "/api/v1/auth/login",
                      json={"username": username, "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    return str(r.json()["access_token"])


@pytest.fixture
def phone(server: LiveServer) -> Iterator[Phone]:
    with Phone(server.url, login(server)) as p:
        yield p


def test_offline_writes_push_and_receipts_come_back(server: LiveServer, services: Services,
                                                    phone: Phone) -> None:
    phone.call("bulk", db="me", docs=[todo("asha", f"t{i}") for i in range(5)])
    pushed = phone.call("push", db="me")
    assert pushed["docs_written"] == 5 and pushed["doc_write_failures"] == 0
    services.worker().run_until_idle()
    phone.call("pull", db="me")
    receipt = phone.call("get", db="me", id="receipt:todo:t3")
    assert receipt["status"] == "accepted" and receipt["doc_id"] == "todo:t3"


def test_a_refused_document_is_denied_while_the_rest_sync(server: LiveServer,
                                                          services: Services,
                                                          phone: Phone) -> None:
    phone.call("bulk", db="me", docs=[todo("asha", "mine"), todo("bob", "not-mine"),
                                      {**todo("asha", "forged"), "_id": "receipt:todo:mine",
                                       "type": "receipt"}])
    pushed = phone.call("push", db="me")
    assert pushed["docs_written"] == 1 and pushed["doc_write_failures"] == 2
    denied = {d["id"]: d["reason"] for d in phone.call("denied")["denied"]}
    assert set(denied) == {"todo:not-mine", "receipt:todo:mine"}
    assert "bob" in denied["todo:not-mine"]
    stored = services.store.all_docs(engineer_db_name(services.settings.db_prefix, "asha"))
    assert [r["id"] for r in stored] == ["todo:mine"]


def test_two_phones_editing_one_document_conflict_in_the_store(server: LiveServer,
                                                               services: Services,
                                                               phone: Phone) -> None:
    phone.call("put", db="me", doc=todo("asha", "shared"))
    phone.call("push", db="me")
    with Phone(server.url, login(server)) as other:
        other.call("pull", db="me")
        for device, title in ((phone, "Call at 10"), (other, "Call at 11")):
            doc = device.call("get", db="me", id="todo:shared")
            device.call("put", db="me", doc={**doc, "title": title})
            device.call("push", db="me")
    db = engineer_db_name(services.settings.db_prefix, "asha")
    doc = services.store.get_doc(db, "todo:shared", conflicts=True)
    assert len(doc.get("_conflicts", [])) == 1


def test_replication_resumes_from_its_checkpoint_after_a_gateway_restart(
        server: LiveServer, phone: Phone) -> None:
    phone.call("bulk", db="me", docs=[todo("asha", f"a{i}") for i in range(20)])
    assert phone.call("push", db="me")["docs_written"] == 20
    server.stop()
    assert not phone.try_call("remote_info", db="me")["ok"]
    server.start()
    phone.call("bulk", db="me", docs=[todo("asha", f"b{i}") for i in range(3)])
    again = phone.call("push", db="me")
    # Only the new documents are read: the checkpoint written before the restart was used.
    assert again["docs_read"] == 3 and again["docs_written"] == 3


def test_live_pull_survives_a_restart_and_master_data_reaches_the_phone(
        server: LiveServer, services: Services, phone: Phone) -> None:
    catalog = catalog_db_name(services.settings.db_prefix)
    services.store.ensure_db(catalog)
    services.store.put_doc(catalog, {"_id": "product:p1", "type": "product", "name": "Pump"})
    phone.call("live_pull", db="catalog", key="cat")
    phone.call("wait_doc", db="catalog", id="product:p1", timeout_ms=10000)
    server.stop()
    services.store.put_doc(catalog, {"_id": "product:p2", "type": "product", "name": "Valve"})
    time.sleep(0.5)
    server.start()
    phone.call("wait_doc", db="catalog", id="product:p2", timeout_ms=15000)
    # Still live after catching up: a later change arrives without a new pull.
    services.store.put_doc(catalog, {"_id": "product:p3", "type": "product", "name": "Hose"})
    phone.call("wait_doc", db="catalog", id="product:p3", timeout_ms=15000)
    assert phone.call("live_status", key="cat")["changes"] >= 3
    phone.call("live_stop", key="cat")


def test_a_live_push_brings_each_documents_receipt_back_to_the_phone(
        server: LiveServer, services: Services, phone: Phone) -> None:
    """Live push and live pull with a running worker: each document the engineer saves comes
    back as the receipt of that revision, with no sync started by hand. How fast is
    `push_to_receipt_p95_ms` in `make bench` (bench/gateway.py)."""
    worker = services.worker()
    runner = threading.Thread(target=worker.run_forever, daemon=True)
    runner.start()
    try:
        phone.call("live_push", db="me", key="up")
        phone.call("live_pull", db="me", key="down")
        for i in range(3):
            written = phone.call("put", db="me", doc=todo("asha", f"live{i}"))
            phone.call("wait_doc", db="me", id=f"receipt:todo:live{i}", timeout_ms=30000)
            receipt = phone.call("get", db="me", id=f"receipt:todo:live{i}")
            assert (receipt["doc_rev"], receipt["status"]) == (written["rev"], "accepted")
    finally:
        worker.stop()
        runner.join(timeout=10)
