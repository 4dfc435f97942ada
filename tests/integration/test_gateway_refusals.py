"""Writes the gateway refuses reach the office: listed, counted and measured until fixed or
discarded on the phone (a real PouchDB phone through the gateway, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import requests
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from server.audit.recorder import record
from server.bootstrap import Services
from server.rebuild import rebuild_projection
from server.sql.models.documents import Todo, Visit
from sync.provisioning import engineer_db_name
from sync.refusals import RefusalLog
from tests.factories import make_expense, make_lead, make_offer, make_todo, make_track, make_visit
from tests.support.api import PASSWORD, ApiClient, api_client, seed
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

pytestmark = pytest.mark.timeout(180)
METRIC = "fieldsync_documents_refused"


def broken_documents() -> dict[str, dict[str, Any]]:
    """One structurally broken document per type, each refused by the gateway with a reason."""
    return {
        "offer": {**make_offer("asha"), "lines": []},
        "lead": {**make_lead("asha"), "stage": "nowhere"},
        "visit": {**make_visit("asha"), "purpose": ""},
        "expense": {**make_expense("asha"), "km": -5},
        "todo": {**make_todo("asha"), "title": ""},
        "track": {**make_track([(12.97, 77.59)], owner="asha"), "points": "none"},
    }


@pytest.fixture
def server(services: Services) -> Iterator[LiveServer]:
    seed(services)
    with LiveServer(services) as live:
        yield live


@pytest.fixture
def phone(server: LiveServer) -> Iterator[Phone]:
    r = requests.post(server.url + "/api/v1/auth/login",
                      json={"username": "asha", "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    with Phone(server.url, r.json()["access_token"]) as p:
        yield p


def refused_counts(client: ApiClient) -> dict[tuple[str, str], float]:
    text = client.get("/metrics").data.decode()
    return {(s.labels["doc_type"], s.labels["source"]): s.value
            for family in text_string_to_metric_families(text) if family.name == METRIC
            for s in family.samples if s.name == METRIC + "_total"}


def listed(client: ApiClient, user: str, **filters: str) -> dict[str, dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    reply = client.get(f"/api/v1/rejections?page_size=100&{query}", user)
    assert reply.status_code == 200, reply.data
    return {row["doc_id"]: row for row in reply.json["items"]}


def test_gateway_refusals_are_listed_counted_and_closed_by_a_fix_or_a_discard(
        services: Services, phone: Phone) -> None:
    client = api_client(services)
    before = refused_counts(client)
    docs = broken_documents()
    phone.call("bulk", db="me", docs=list(docs.values()))
    pushed = phone.call("push", db="me")
    assert pushed["docs_written"] == 0 and pushed["doc_write_failures"] == 6

    rows = listed(client, "hema", source="gateway")
    assert set(rows) == {d["_id"] for d in docs.values()}
    for doc_type, doc in docs.items():
        row = rows[doc["_id"]]
        assert (row["owner"], row["doc_type"], row["device_id"]) == ("asha", doc_type,
                                                                     doc["device_id"])
        assert row["source"] == "gateway" and row["body"]["_id"] == doc["_id"]
    assert "at least 1" in rows[docs["offer"]["_id"]]["reason"]
    assert "km must be at least 0" in rows[docs["expense"]["_id"]]["reason"]

    after = refused_counts(client)
    for doc_type in docs:
        assert after[(doc_type, "gateway")] - before.get((doc_type, "gateway"), 0) == 1
    assert "asha" not in client.get("/metrics").data.decode()

    report = client.get("/api/v1/reports/conflicts", "hema").json
    asha = next(r for r in report["rows"] if r["engineer"] == "asha")
    assert asha["rejections"] == 6

    # Another team's head and engineers see none of it.
    assert listed(client, "nina") == {}
    assert client.get("/api/v1/rejections", "bob").status_code == 403
    # A rebuild replays the store; refusals the store never had stay.
    rebuild_projection(services)
    assert len(listed(client, "adam", source="gateway")) == 6

    # A fixed revision accepted by the gateway closes the offer's entry.
    offer = phone.call("get", db="me", id=docs["offer"]["_id"])
    phone.call("put", db="me", doc={**offer, "lines": make_offer("asha")["lines"]})
    # Deleting the to-do on the phone discards it.
    phone.call("remove", db="me", id=docs["todo"]["_id"])
    pushed = phone.call("push", db="me")
    assert pushed["docs_written"] == 2, pushed
    rows = listed(client, "adam")
    assert docs["offer"]["_id"] not in rows and docs["todo"]["_id"] not in rows
    assert len([r for r in rows.values() if r["source"] == "gateway"]) == 4


def test_a_refusal_that_cannot_be_recorded_is_still_answered(
        tmp_path: Path, server: LiveServer, phone: Phone) -> None:
    assert server._server is not None
    gateway = cast(Flask, server._server.app).extensions["fieldsync.gateway"]
    working = gateway.refusals
    # SQL that cannot be reached: every attempt to record fails.
    gateway.refusals = RefusalLog(sessionmaker(create_engine(
        f"sqlite:///{tmp_path}/missing/fieldsync.db")), record)
    try:
        phone.call("bulk", db="me", docs=[broken_documents()["todo"], make_todo("asha")])
        pushed = phone.call("push", db="me")
    finally:
        gateway.refusals = working
    assert pushed["docs_written"] == 1 and pushed["doc_write_failures"] == 1
    denied = phone.call("denied")["denied"]
    assert [d["reason"] for d in denied] == ["title must not be empty"]


def test_the_worker_leaves_a_newer_gateway_refusal_alone(services: Services,
                                                         phone: Phone) -> None:
    client = api_client(services)
    todo, offer = make_todo("asha"), make_offer("asha", "C-404")  # a customer no one knows
    phone.call("bulk", db="me", docs=[todo, offer])
    assert phone.call("push", db="me")["docs_written"] == 2
    # Newer revisions the gateway refuses, before the worker has read the stored ones.
    for doc_id, broken in ((todo["_id"], {"title": ""}), (offer["_id"], {"lines": []})):
        stored = phone.call("get", db="me", id=doc_id)
        phone.call("put", db="me", doc={**stored, **broken})
    assert phone.call("push", db="me")["doc_write_failures"] == 2
    services.worker().run_until_idle()  # accepts the to-do's first revision, rejects the offer's
    rows = listed(client, "hema")
    assert {doc_id: row["source"] for doc_id, row in rows.items()} == {
        todo["_id"]: "gateway", offer["_id"]: "gateway"}
    assert rows[offer["_id"]]["body"]["lines"] == []


def discard(phone: Phone, doc_id: str) -> dict[str, Any]:
    """The phone's "Discard my change" (phone-data sync.discardChange), then the push."""
    back = dict(phone.call("discard", id=doc_id))
    assert phone.call("push", db="me")["doc_write_failures"] == 0
    return back


def test_a_discard_clears_the_offices_refusal(services: Services, phone: Phone) -> None:
    client = api_client(services)
    unknown = make_todo("asha", customer_id="C-404")  # refused by the worker: no such customer
    broken = {**make_todo("asha"), "title": ""}  # refused by the gateway
    kept = make_todo("asha", title="Send the AMC quote")
    phone.call("bulk", db="me", docs=[unknown, broken, kept])
    phone.call("push", db="me")
    services.worker().run_until_idle()
    edited = {**phone.call("get", db="me", id=kept["_id"]), "customer_id": "C-404"}
    phone.call("put", db="me", doc=edited)
    phone.call("push", db="me")
    services.worker().run_until_idle()
    rows = listed(client, "hema")
    assert {k: r["source"] for k, r in rows.items()} == {
        unknown["_id"]: "worker", broken["_id"]: "gateway", kept["_id"]: "worker"}

    for doc in (unknown, broken, kept):
        discard(phone, doc["_id"])
    services.worker().run_until_idle()
    assert listed(client, "hema") == {}
    # Never accepted: gone. Accepted, then an edit refused: back as it was accepted.
    for gone in (unknown, broken):
        assert phone.try_call("get", db="me", id=gone["_id"])["status"] == 404
    held = phone.call("get", db="me", id=kept["_id"])
    assert (held["title"], held.get("customer_id")) == ("Send the AMC quote", None)


def test_a_discarded_edit_the_worker_refused_brings_the_accepted_version_back(
        services: Services, phone: Phone) -> None:
    """The worker refuses an edit of an accepted to-do and visit (a customer no one knows): the
    store's copy is the refused revision itself. Discarding puts the accepted content back on
    the phone (no deletion), the worker accepts it again, and SQL kept it all along."""
    client = api_client(services)
    todo = make_todo("asha", title="Send the AMC quote", customer_id="C-1")
    visit = make_visit("asha", customer_id="C-1", purpose="Cold room inspection")
    phone.call("bulk", db="me", docs=[todo, visit])
    phone.call("push", db="me")
    services.worker().run_until_idle()
    for doc in (todo, visit):
        edited = {**phone.call("get", db="me", id=doc["_id"]), "customer_id": "C-404"}
        phone.call("put", db="me", doc=edited)
    assert phone.call("push", db="me")["docs_written"] == 2
    services.worker().run_until_idle()
    assert {k: r["source"] for k, r in listed(client, "hema").items()} == {
        todo["_id"]: "worker", visit["_id"]: "worker"}

    for doc in (todo, visit):
        refused = phone.call("get", db="me", id=doc["_id"])
        back = discard(phone, doc["_id"])
        assert not back.get("_deleted") and back["customer_id"] == "C-1"
        held = phone.call("get", db="me", id=doc["_id"])
        assert held["customer_id"] == "C-1" and held["_rev"] == back["_rev"]
        assert int(held["_rev"].split("-")[0]) == int(refused["_rev"].split("-")[0]) + 1
    assert phone.call("get", db="me", id=todo["_id"])["title"] == "Send the AMC quote"
    assert phone.call("get", db="me", id=visit["_id"])["purpose"] == "Cold room inspection"
    services.worker().run_until_idle()
    assert listed(client, "hema") == {}
    phone.call("pull", db="me")
    for doc in (todo, visit):
        receipt = phone.call("get", db="me", id=f"receipt:{doc['_id']}")
        assert receipt["status"] == "accepted"
        assert receipt["doc_rev"] == phone.call("get", db="me", id=doc["_id"])["_rev"]
    with services.sessions() as s:
        assert (s.get(Todo, todo["_id"]).title, s.get(Todo, todo["_id"]).customer_id) == (
            "Send the AMC quote", "C-1")
        assert s.get(Visit, visit["_id"]).customer_id == "C-1"


def test_a_discard_restores_the_copy_the_phone_kept_and_counts_until_accepted(
        services: Services, phone: Phone) -> None:
    """The apps' own sync: the phone keeps the revision a receipt accepts, the discard restores
    it, and the restored to-do is "not sent" until pushed, then waits for the server's check,
    then is accepted."""
    client = api_client(services)
    todo = make_todo("asha", title="Send the AMC quote", customer_id="C-1")
    phone.call("put", db="me", doc=todo)
    phone.call("sync_once")
    services.worker().run_until_idle()
    phone.call("sync_once")  # the receipt: the phone keeps the accepted revision
    accepted = phone.call("get", db="me", id=todo["_id"])
    kept = phone.call("get", db="me", id=f"_local/fieldsync-kept:{todo['_id']}")
    assert kept["doc"]["_rev"] == accepted["_rev"]

    phone.call("put", db="me", doc={**accepted, "title": "Send the AMC quote today",
                                    "customer_id": "C-404"})
    phone.call("sync_once")
    services.worker().run_until_idle()
    phone.call("sync_once")
    assert listed(client, "hema")[todo["_id"]]["source"] == "worker"
    assert phone.call("pending") == {"notSent": [], "checking": [], "refused": []}

    back = phone.call("discard", id=todo["_id"])
    assert (back["title"], back["customer_id"]) == ("Send the AMC quote", "C-1")
    assert phone.call("pending") == {"notSent": [todo["_id"]], "checking": [], "refused": []}
    phone.call("sync_once")
    assert phone.call("pending") == {"notSent": [], "checking": [todo["_id"]], "refused": []}
    services.worker().run_until_idle()
    phone.call("sync_once")
    assert phone.call("pending") == {"notSent": [], "checking": [], "refused": []}
    assert listed(client, "hema") == {}
    with services.sessions() as s:
        row = s.get(Todo, todo["_id"])
        assert row is not None and (row.title, row.customer_id, row.rev) == (
            "Send the AMC quote", "C-1", back["_rev"])


def test_a_refusal_recorded_after_its_discard_is_cleared_by_the_worker(
        server: LiveServer, services: Services, phone: Phone) -> None:
    """Two pushes of one phone overlap (the sync loop's round and "Sync now"): the one carrying
    the refused revision records its refusal after the one carrying the discard has stored it
    and closed the refusals it found. The gateway never stores another write of that document,
    so the worker, which accepts the discard, clears a refusal of an older revision."""
    client = api_client(services)
    todo = make_todo("asha", title="Send the AMC quote")
    phone.call("put", db="me", doc=todo)
    phone.call("push", db="me")
    services.worker().run_until_idle()
    refused = {**phone.call("get", db="me", id=todo["_id"]), "title": ""}
    phone.call("put", db="me", doc=refused)
    assert phone.call("push", db="me")["doc_write_failures"] == 1
    denied = phone.call("denied")["denied"]
    refused = phone.call("get", db="me", id=todo["_id"])
    discard(phone, todo["_id"])  # the server's revision put back
    assert listed(client, "hema") == {}  # the gateway closed the refusal it found
    # The slower push's bookkeeping lands now, exactly as its request would have written it.
    assert server._server is not None
    gateway = cast(Flask, server._server.app).extensions["fieldsync.gateway"]
    db = engineer_db_name(services.settings.db_prefix, "asha")
    gateway.refusals.settle(db, "asha", [refused], [{"id": todo["_id"], "error": "forbidden",
                                                     "reason": denied[-1]["reason"]}], [])
    assert listed(client, "hema")[todo["_id"]]["rev"] == refused["_rev"]

    services.worker().run_until_idle()
    assert listed(client, "hema") == {}
    assert phone.call("get", db="me", id=todo["_id"])["title"] == "Send the AMC quote"



def test_a_discard_reaches_the_office_only_once_the_phone_pushed_it(
        services: Services, phone: Phone) -> None:
    """What the flaky browser test saw: a discard is a local change until the phone's next
    push. A phone put away before it (its pending count still read 0 from before the discard)
    leaves the office's list as it was; the push, whenever it comes, clears it."""
    client = api_client(services)
    todo = make_todo("asha", customer_id="C-404")
    phone.call("put", db="me", doc=todo)
    phone.call("push", db="me")
    services.worker().run_until_idle()
    local = phone.call("get", db="me", id=todo["_id"])
    phone.call("put", db="me", doc={"_id": todo["_id"], "_rev": local["_rev"], "_deleted": True})
    services.worker().run_until_idle()
    assert listed(client, "hema")[todo["_id"]]["source"] == "worker"
    assert phone.call("push", db="me")["docs_written"] == 1
    services.worker().run_until_idle()
    assert listed(client, "hema") == {}
