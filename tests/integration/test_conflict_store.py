"""Detecting conflicts and writing resolutions in the real embedded store."""

from __future__ import annotations

from conflict.engine import evaluate, resolution_docs
from conflict.store import CouchRevisionStore, read_conflict
from sync.store import CouchStore
from tests.support.conflict_revisions import leaves, make_conflict, replicate

BASE = {"_id": "visit:v1", "type": "visit", "owner": "asha", "purpose": "demo", "outcome": "",
        "device_id": "phone-a", "updated_at": "2026-11-02T09:00:00+05:30"}


def test_detection_reads_both_sides_and_their_ancestor(store: CouchStore, db_prefix: str) -> None:
    db = db_prefix + "eng-asha"
    ours_rev, theirs_rev = make_conflict(store, db, BASE, {**BASE, "outcome": "ordered"},
                                         {**BASE, "purpose": "repeat order"})
    conflict = read_conflict(CouchRevisionStore(store), db, "visit:v1")
    assert conflict is not None
    assert conflict.winner["_rev"] == theirs_rev  # the store's own winner
    assert [leaf["_rev"] for leaf in conflict.losers] == [ours_rev]
    ancestor = conflict.ancestors[ours_rev]
    assert ancestor is not None and ancestor["purpose"] == "demo"


def test_a_compacted_ancestor_means_a_two_way_merge(store: CouchStore, db_prefix: str) -> None:
    db = db_prefix + "eng-asha"
    make_conflict(store, db, BASE, {**BASE, "outcome": "ordered"},
                  {**BASE, "purpose": "repeat order"}, keep_ancestor=False)
    conflict = read_conflict(CouchRevisionStore(store), db, "visit:v1")
    assert conflict is not None
    assert list(conflict.ancestors.values()) == [None]
    assert evaluate(conflict).fields() == ["purpose", "outcome"]


def test_a_deletion_racing_an_edit_is_detected(store: CouchStore, db_prefix: str) -> None:
    db = db_prefix + "eng-asha"
    make_conflict(store, db, BASE, {"_deleted": True}, {**BASE, "outcome": "ordered"})
    # CouchDB hides deleted leaves from `_conflicts`; the engine still sees them.
    assert "_conflicts" not in store.get_doc(db, "visit:v1", conflicts=True)
    conflict = read_conflict(CouchRevisionStore(store), db, "visit:v1")
    assert conflict is not None
    assert evaluate(conflict).fields() == ["_deleted"]


def test_one_bulk_request_leaves_one_live_leaf(store: CouchStore, db_prefix: str) -> None:
    db = db_prefix + "eng-asha"
    make_conflict(store, db, BASE, {**BASE, "outcome": "ordered"},
                  {**BASE, "purpose": "repeat order"}, {**BASE, "next_action": "call"})
    revisions = CouchRevisionStore(store)
    conflict = read_conflict(revisions, db, "visit:v1")
    assert conflict is not None and len(conflict.losers) == 2
    evaluation = evaluate(conflict)
    assert evaluation.settled
    revisions.write(db, resolution_docs(conflict, conflict.winner["_rev"], evaluation.merged,
                                        {"by": "fieldsync"}))
    doc = store.get_doc(db, "visit:v1", conflicts=True)
    assert "_conflicts" not in doc
    assert (doc["outcome"], doc["purpose"], doc["next_action"]) == ("ordered", "repeat order",
                                                                    "call")
    assert len([leaf for leaf in leaves(store, db, "visit:v1") if not leaf.get("_deleted")]) == 1
    assert read_conflict(revisions, db, "visit:v1") is None


def test_a_resolution_reaches_both_phones(store: CouchStore, db_prefix: str) -> None:
    """Two phone databases edit offline, replicate up, and pull the resolution back down."""
    server, phone_a, phone_b = (db_prefix + name for name in ("eng-asha", "phone-a", "phone-b"))
    for db in (server, phone_a, phone_b):
        store.ensure_db(db)
    store.put_doc(phone_a, BASE)
    replicate(store, phone_a, server)  # synced once while online: the server has the ancestor
    replicate(store, server, phone_b)
    for phone, change in ((phone_a, {"outcome": "ordered"}), (phone_b, {"purpose": "repeat"})):
        current = store.get_doc(phone, "visit:v1")
        store.put_doc(phone, {**current, **change})
        replicate(store, phone, server)
    revisions = CouchRevisionStore(store)
    conflict = read_conflict(revisions, server, "visit:v1")
    assert conflict is not None
    evaluation = evaluate(conflict)
    revisions.write(server, resolution_docs(conflict, conflict.winner["_rev"],
                                            evaluation.merged, {"by": "fieldsync"}))
    for phone in (phone_a, phone_b):
        replicate(store, server, phone)
        doc = store.get_doc(phone, "visit:v1", conflicts=True)
        assert "_conflicts" not in doc
        assert evaluation.settled
        assert (doc["outcome"], doc["purpose"]) == ("ordered", "repeat")
