"""The worker against the real store and real SQL: rows, receipts, bad input, rebuild."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from server.bootstrap import Services
from server.demo import load_master_data
from server.rebuild import rebuild_projection
from server.sql.models.documents import Lead, Offer, OfferLine, Order
from server.sql.models.sync_state import Checkpoint, DocumentStatus, RejectedDocument
from sync.dirty import DirtySet
from sync.provisioning import provision_engineer
from tests.factories import (
    make_approval,
    make_expense,
    make_lead,
    make_offer,
    make_order,
    make_todo,
    make_track,
    make_visit,
)
from tests.support.engineers import add_engineers
from tests.support.projection import projection_snapshot

Doc = dict[str, Any]


@pytest.fixture
def world(services: Services) -> Iterator[tuple[Services, str]]:
    load_master_data(services)
    add_engineers(services.sessions, ["asha"])
    db = provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                            "asha")
    yield services, db


def write(services: Services, db: str, docs: list[Doc]) -> list[Doc]:
    """Store documents as a phone would, mark the database dirty, return them with revisions."""
    result = services.store.bulk_docs(db, docs)
    for doc, res in zip(docs, result, strict=True):
        assert "rev" in res, res
        doc["_rev"] = res["rev"]
    DirtySet(services.sessions).mark([db])
    return docs


def receipt(services: Services, db: str, doc_id: str) -> Doc:
    return services.store.get_doc(db, "receipt:" + doc_id)


def a_sale(owner: str = "asha") -> list[Doc]:
    offer = make_offer(owner, "C-1001", lines=[("P-100", 2, "185000.00", "5", "18"),
                                               ("P-102", 3, "6400.00", "0", "18")],
                       status="approved")
    approval = make_approval(offer)
    return [offer, approval, make_order(offer, approval)]


def test_documents_become_rows_and_receipts(world: tuple[Services, str]) -> None:
    services, db = world
    docs = write(services, db, [*a_sale(), make_lead("asha", customer_id="C-1002"),
                                make_visit("asha", customer_id="C-1001"), make_expense("asha"),
                                make_todo("asha"),
                                make_track([(12.97, 77.59), (12.98, 77.60)], owner="asha")])
    assert services.worker().run_until_idle() == len(docs)
    for doc in docs:
        r = receipt(services, db, doc["_id"])
        assert (r["status"], r["doc_rev"]) == ("accepted", doc["_rev"]), r
    with services.sessions() as s:
        offer = s.get(Offer, docs[0]["_id"])
        assert offer is not None and str(offer.grand_total) == docs[0]["totals"]["grand_total"]
        lines = s.scalars(select(OfferLine).where(OfferLine.offer_id == offer.doc_id)).all()
        assert len(lines) == 2
        assert s.get(Order, docs[2]["_id"]) is not None


def test_a_newer_revision_replaces_and_an_older_never_overwrites(
        world: tuple[Services, str]) -> None:
    services, db = world
    (lead,) = write(services, db, [make_lead("asha", customer_id="C-1002")])
    services.worker().run_until_idle()
    newer = copy.deepcopy(lead)
    newer["title"] = "Compressor for the new plant"
    write(services, db, [newer])
    services.worker().run_until_idle()
    with services.sessions() as s:
        row = s.get(Lead, lead["_id"])
        assert row is not None and row.title == "Compressor for the new plant"
        assert row.rev == newer["_rev"]


def test_processing_twice_changes_nothing(world: tuple[Services, str]) -> None:
    services, db = world
    write(services, db, a_sale())
    services.worker().run_until_idle()
    before = projection_snapshot(services)
    with services.sessions.begin() as s:  # forget the checkpoint: the feed is read again
        s.execute(Checkpoint.__table__.delete())
    DirtySet(services.sessions).mark([db])
    services.worker().run_until_idle()
    assert projection_snapshot(services) == before


def _mutations() -> list[tuple[str, Any, str]]:
    """(name, how to spoil a valid document, words the reason must contain)."""
    def offer() -> Doc:
        return a_sale()[0]

    def set_(doc: Doc, path: list[Any], value: Any) -> Doc:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return doc

    return [
        ("list where object", lambda: set_(offer(), ["totals"], ["1", "2"]), "totals"),
        ("unknown type", lambda: {**offer(), "_id": "quote:1", "type": "quote"}, "type"),
        ("missing owner", lambda: {k: v for k, v in offer().items() if k != "owner"}, "owner"),
        ("someone else's", lambda: {**offer(), "owner": "ravi"}, "owner"),
        ("string quantity", lambda: set_(offer(), ["lines", 0, "quantity"], "2"), "quantity"),
        ("float money", lambda: set_(offer(), ["lines", 0, "unit_price"], 185000.5), "unit_price"),
        ("zero quantity", lambda: set_(offer(), ["lines", 0, "quantity"], 0), "quantity"),
        ("negative quantity", lambda: set_(offer(), ["lines", 0, "quantity"], -1), "quantity"),
        ("unknown customer", lambda: set_(offer(), ["customer_id"], "C-9999"), "customer"),
        ("unknown product", lambda: set_(offer(), ["lines", 0, "product_id"], "P-999"),
         "product"),
        ("totals off", lambda: set_(offer(), ["totals", "grand_total"], "1.00"), "grand_total"),
        ("bad date", lambda: set_(offer(), ["valid_until"], "31/12/2026"), "valid_until"),
        ("future schema", lambda: set_(offer(), ["schema_version"], 99), "schema"),
        ("over 1 MB", lambda: set_(offer(), ["notes"], "x" * 1_100_000), "bytes"),
    ]


@pytest.mark.parametrize(("name", "spoil", "words"), _mutations(),
                         ids=[m[0] for m in _mutations()])
def test_bad_input_gets_a_rejected_receipt_and_the_worker_goes_on(
        world: tuple[Services, str], name: str, spoil: Any, words: str) -> None:
    services, db = world
    bad = spoil()
    good = make_todo("asha")
    write(services, db, [bad, good])
    services.worker().run_until_idle()
    r = receipt(services, db, bad["_id"])
    assert r["status"] == "rejected", (name, r)
    assert words.lower() in r["reason"].lower(), (name, r["reason"])
    assert receipt(services, db, good["_id"])["status"] == "accepted"
    assert services.store.get_doc(db, bad["_id"])["_rev"] == bad["_rev"]  # still in the store
    with services.sessions() as s:
        rejected = s.get(RejectedDocument, (db, bad["_id"]))
        assert rejected is not None and rejected.reason == r["reason"]


def test_order_without_approved_offer_and_order_differing_from_offer(
        world: tuple[Services, str]) -> None:
    services, db = world
    offer, approval, order = a_sale()
    lonely = make_order(make_offer("asha", "C-1001", lines=[("P-100", 1, "185000.00", "0", "18")],
                                   status="approved"), approval)
    changed = copy.deepcopy(order)
    changed["_id"] = "order:changed"
    changed["lines"][0]["quantity"] = 3
    write(services, db, [offer, approval, order])
    services.worker().run_until_idle()
    write(services, db, [lonely, changed])
    services.worker().run_until_idle()
    assert receipt(services, db, order["_id"])["status"] == "accepted"
    assert receipt(services, db, lonely["_id"])["status"] == "rejected"
    assert receipt(services, db, changed["_id"])["status"] == "rejected"


def test_lead_skipping_stages_is_rejected(world: tuple[Services, str]) -> None:
    services, db = world
    (lead,) = write(services, db, [make_lead("asha", customer_id="C-1002")])
    services.worker().run_until_idle()
    skipped = copy.deepcopy(lead)
    skipped["stage"] = "advance"
    skipped["history"].append({"stage": "advance", "at": lead["updated_at"], "by": "asha"})
    skipped["details"]["advance"] = {"amount": "10000.00", "payment_ref": "UTR123"}
    write(services, db, [skipped])
    services.worker().run_until_idle()
    r = receipt(services, db, lead["_id"])
    assert r["status"] == "rejected" and "stage" in r["reason"].lower()
    with services.sessions() as s:  # the accepted revision stays
        row = s.get(Lead, lead["_id"])
        assert row is not None and row.stage == "potential"


def test_rebuild_equals_incremental(world: tuple[Services, str]) -> None:
    services, db = world
    write(services, db, [*a_sale(), make_lead("asha", customer_id="C-1002"), make_todo("asha"),
                         {**make_todo("asha"), "owner": "ravi"}])
    services.worker().run_until_idle()
    incremental = projection_snapshot(services)
    rebuild_projection(services)
    assert projection_snapshot(services) == incremental
    with services.sessions() as s:
        assert s.scalars(select(DocumentStatus.status)).all().count("rejected") == 1


def test_an_order_pushed_before_its_offer_in_one_batch_is_accepted(
        world: tuple[Services, str]) -> None:
    services, db = world
    offer, approval, order = a_sale()
    write(services, db, [order, approval, offer])  # the feed lists them in this order
    services.worker().run_until_idle()
    assert [receipt(services, db, d["_id"])["status"] for d in (offer, approval, order)] == \
        ["accepted", "accepted", "accepted"]


def test_an_order_that_arrived_before_its_offer_is_accepted_when_the_offer_arrives(
        world: tuple[Services, str]) -> None:
    services, db = world
    offer, approval, order = a_sale()
    write(services, db, [approval, order])  # one push; the offer comes in a later one
    services.worker().run_until_idle()
    assert receipt(services, db, order["_id"])["status"] == "rejected"
    write(services, db, [offer])
    services.worker().run_until_idle()
    for doc in (offer, approval, order):
        r = receipt(services, db, doc["_id"])
        assert (r["status"], r["doc_rev"]) == ("accepted", doc["_rev"]), r
    with services.sessions() as s:
        assert s.get(Order, order["_id"]) is not None
        assert s.get(RejectedDocument, (db, order["_id"])) is None


def test_a_conflict_behind_an_unchanged_winner_still_turns_the_receipt(
        world: tuple[Services, str]) -> None:
    services, db = world
    offer = a_sale()[0]
    write(services, db, [offer])
    services.worker().run_until_idle()
    first_rev = offer["_rev"]
    (edited,) = write(services, db, [{**copy.deepcopy(offer), "notes": "second visit"}])
    services.worker().run_until_idle()
    # The other phone's edit arrives later but loses CouchDB's pick: the winner stays the same.
    other = copy.deepcopy(offer)
    other["lines"][0]["quantity"] = 7
    other["_rev"] = "2-" + "0" * 32
    other["_revisions"] = {"start": 2, "ids": ["0" * 32, first_rev.split("-", 1)[1]]}
    services.store.bulk_docs(db, [other], new_edits=False)
    assert services.store.get_doc(db, offer["_id"])["_rev"] == edited["_rev"]
    DirtySet(services.sessions).mark([db])
    services.worker().run_until_idle()
    r = receipt(services, db, offer["_id"])
    assert (r["status"], r["doc_rev"]) == ("conflict", edited["_rev"]), r
