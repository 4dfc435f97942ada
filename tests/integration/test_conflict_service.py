"""The conflict service on the real store and real SQL (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from conflict.choices import KeepSide, PickFields
from conflict.errors import InvalidResolutionError, NotAllowedError, StaleConflictError
from conflict.queue import ConflictFilter
from conflict.service import Actor, ConflictService
from conflict.store import CouchRevisionStore
from server.audit.recorder import record
from server.bootstrap import Services
from server.sql.models.conflicts import Conflict, ConflictResolution
from server.sql.models.sync_state import DocumentStatus
from server.sql.session import transaction
from sync.store import CouchStore, TransientStoreError
from tests.support.conflict_revisions import leaves, make_conflict

ADMIN = Actor("meera", "admin")
Doc = dict[str, Any]


def stamp(device: str, minute: int) -> Doc:
    return {"device_id": device, "updated_at": f"2026-11-02T10:{minute:02d}:00+05:30",
            "owner": "asha", "loc": {"lat": 12.97, "lon": 77.59}}


def offer() -> Doc:
    line = {"product_id": "P-100", "quantity": 2, "unit_price": "10000.00",
            "discount_pct": "0", "gst_rate": "18"}
    return {"_id": "offer:o1", "type": "offer", "customer_id": "C-1", "status": "draft",
            "supply": "intra", "lines": [line, {**line, "product_id": "P-2"},
                                         {**line, "product_id": "P-3"}], **stamp("phone-a", 0)}


def repriced(price: str) -> Doc:
    doc = offer()
    doc["lines"] = [dict(line) for line in doc["lines"]]
    doc["lines"][2]["unit_price"] = price
    return {**doc, **stamp("tab-b", 5)}


@pytest.fixture
def db(services: Services) -> str:
    return services.settings.db_prefix + "eng-asha"


@pytest.fixture
def service(services: Services) -> ConflictService:
    assert isinstance(services.store, CouchStore)
    return services.conflicts


def live(services: Services, db: str, doc_id: str) -> list[Doc]:
    assert isinstance(services.store, CouchStore)
    return [leaf for leaf in leaves(services.store, db, doc_id) if not leaf.get("_deleted")]


def count(services: Services, model: Any) -> int:
    with services.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


LEAD = {"_id": "lead:l1", "type": "lead", "title": "Pump", "stage": "proposal",
        "history": [{"stage": "potential", "at": "2026-11-01T10:00:00+05:30", "by": "asha"},
                    {"stage": "proposal", "at": "2026-11-01T11:00:00+05:30", "by": "asha"}],
        **stamp("phone-a", 0)}
AUTO_CASES: dict[str, tuple[Doc, Doc, Doc, Doc]] = {
    "lead": (LEAD, {**LEAD, "stage": "po", "history": [*LEAD["history"], {"stage": "po"}],
                    **stamp("phone-a", 3)},
             {**LEAD, "title": "Pump x2", **stamp("tab-b", 4)},
             {"stage": "po", "title": "Pump x2"}),
    "visit": ({"_id": "visit:v1", "type": "visit", "outcome": "", "purpose": "demo"},
              {"_id": "visit:v1", "type": "visit", "outcome": "ordered", "purpose": "demo"},
              {"_id": "visit:v1", "type": "visit", "outcome": "", "purpose": "repeat"},
              {"outcome": "ordered", "purpose": "repeat"}),
    "todo": ({"_id": "todo:t1", "type": "todo", "title": "Call", **stamp("phone-a", 0)},
             {"_id": "todo:t1", "type": "todo", "title": "Call Mon", **stamp("phone-a", 9)},
             {"_id": "todo:t1", "type": "todo", "title": "Call Tue", **stamp("tab-b", 2)},
             {"title": "Call Mon"}),
    "track": ({"_id": "track:k1", "type": "track", "points": [{"at": "1"}]},
              {"_id": "track:k1", "type": "track", "points": [{"at": "1"}, {"at": "3"}]},
              {"_id": "track:k1", "type": "track", "points": [{"at": "1"}, {"at": "2"}]},
              {"points": [{"at": "1"}, {"at": "2"}, {"at": "3"}]}),
    "expense": ({"_id": "expense:e1", "type": "expense", "amount": "240.00", "mode": "bike",
                 "date": "2026-11-02", "km": 30},
                {"_id": "expense:e1", "type": "expense", "amount": "240.00", "mode": "bike",
                 "date": "2026-11-02", "km": 32},
                {"_id": "expense:e1", "type": "expense", "amount": "240.00", "mode": "bike",
                 "date": "2026-11-02", "km": 30, "purpose": "mill"},
                {"km": 32, "purpose": "mill"}),
    "offer": (offer(), {**offer(), **stamp("phone-a", 7)}, {**offer(), **stamp("tab-b", 8)},
              {"device_id": "tab-b"}),
}


@pytest.mark.parametrize("kind", sorted(AUTO_CASES))
def test_policies_settle_real_conflicts(services: Services, service: ConflictService, db: str,
                                        kind: str) -> None:
    base, ours, theirs, expected = AUTO_CASES[kind]
    assert isinstance(services.store, CouchStore)
    make_conflict(services.store, db, base, ours, theirs)
    outcome = service.handle(db, base["_id"])
    assert outcome.status == "merged", outcome
    assert outcome.receipt_fields()["status"] == "merged"
    [doc] = live(services, db, base["_id"])
    assert doc["_rev"] == outcome.rev
    assert {k: doc.get(k) for k in expected} == expected
    assert service.handle(db, base["_id"]).status == "clean"
    assert service.receipt_note(db, base["_id"], doc["_rev"]) == outcome.description
    [row] = service.list(ConflictFilter(status="resolved"))
    assert row.resolutions[0].resolved_by == "fieldsync"


def queue_offer(services: Services, service: ConflictService, db: str) -> int:
    assert isinstance(services.store, CouchStore)
    make_conflict(services.store, db, offer(), repriced("9500.00"), repriced("10000.00") | {
        "notes": "visit again", **stamp("phone-a", 6)})
    with transaction(services.sessions) as session:
        session.add(DocumentStatus(db_name=db, doc_id="offer:o1", doc_type="offer",
                                   owner="asha", rev="2-x", rev_pos=2, status="accepted"))
    outcome = service.handle(db, "offer:o1")
    assert outcome.status == "queued" and outcome.conflict_id is not None
    assert outcome.receipt_fields() == {"status": "conflict", "reason": outcome.description}
    return outcome.conflict_id


def in_conflict(services: Services, db: str) -> bool:
    with services.sessions() as session:
        return bool(session.scalar(select(DocumentStatus.in_conflict).where(
            DocumentStatus.db_name == db)))


def test_price_difference_is_queued_as_business_differences(
        services: Services, service: ConflictService, db: str) -> None:
    conflict_id = queue_offer(services, service, db)
    view = service.show(conflict_id)
    assert (view.doc_type, view.owner, view.status) == ("offer", "asha", "open")
    [diff] = view.differences
    assert {k: diff[k] for k in ("field", "label", "ours", "theirs", "ancestor")} == {
        "field": "lines[3].unit_price", "label": "Line 3 unit price", "ours": "10000.00",
        "theirs": "9500.00", "ancestor": "10000.00"}
    assert diff["ours_edit"] is None
    assert diff["theirs_edit"]["device"] == "tab-b"
    assert in_conflict(services, db)
    assert len(live(services, db, "offer:o1")) == 2  # nothing changes until an admin decides
    assert service.handle(db, "offer:o1").conflict_id == conflict_id  # no duplicate row


def test_only_admins_resolve_and_every_resolution_is_audited(
        services: Services, service: ConflictService, db: str) -> None:
    conflict_id = queue_offer(services, service, db)
    loser = service.show(conflict_id).loser_revs[0]
    with pytest.raises(NotAllowedError):
        service.resolve(conflict_id, Actor("asha", "engineer"), KeepSide(loser))
    with pytest.raises(InvalidResolutionError):
        service.resolve(conflict_id, ADMIN, PickFields({}))
    view = service.resolve(conflict_id, ADMIN, PickFields({"lines[3].unit_price": loser}))
    [audit] = view.resolutions
    assert (audit.resolved_by, audit.method) == ("meera", "pick")
    assert audit.choice == {"picks": {"lines[3].unit_price": loser}}
    [doc] = live(services, db, "offer:o1")
    assert doc["_rev"] == audit.resulting_rev
    assert doc["lines"][2]["unit_price"] == "9500.00"
    assert doc["notes"] == "visit again"
    assert not in_conflict(services, db)
    assert service.list() == []
    assert "Line 3 unit price from tab-b" in (service.receipt_note(db, "offer:o1",
                                                                   doc["_rev"]) or "")


def test_keep_the_deleted_side_deletes_the_document(
        services: Services, service: ConflictService, db: str) -> None:
    assert isinstance(services.store, CouchStore)
    base = {"_id": "visit:v9", "type": "visit", "outcome": "", **stamp("phone-a", 0)}
    deleted, _edited = make_conflict(services.store, db, base, {"_deleted": True},
                                    {**base, "outcome": "ordered"})
    outcome = service.handle(db, "visit:v9")
    assert outcome.status == "queued"
    service.resolve(outcome.conflict_id or 0, ADMIN, KeepSide(deleted))
    assert live(services, db, "visit:v9") == []
    assert service.handle(db, "visit:v9").status == "clean"


def test_a_device_edit_after_queueing_makes_the_choice_stale(
        services: Services, service: ConflictService, db: str) -> None:
    conflict_id = queue_offer(services, service, db)
    assert isinstance(services.store, CouchStore)
    winner = services.store.get_doc(db, "offer:o1")
    services.store.put_doc(db, {**winner, "notes": "edited again"})
    with pytest.raises(StaleConflictError):
        service.resolve(conflict_id, ADMIN, KeepSide(winner["_rev"]))
    assert service.show(conflict_id).winner_rev != winner["_rev"]  # refreshed for the admin


class CrashingWrites(CouchRevisionStore):
    """The real store; the worker process dies just before or just after the bulk write."""

    def __init__(self, store: CouchStore, *, after: bool) -> None:
        super().__init__(store)
        self.after = after

    def write(self, db: str, docs: Sequence[Doc]) -> list[Doc]:
        if self.after:
            super().write(db, docs)
        raise TransientStoreError("worker stopped")


@pytest.mark.parametrize("after", [False, True], ids=["before-write", "after-write"])
def test_a_restart_mid_resolution_leaves_nothing_half_done(
        services: Services, service: ConflictService, db: str, after: bool) -> None:
    base, ours, theirs, expected = AUTO_CASES["visit"]
    assert isinstance(services.store, CouchStore)
    make_conflict(services.store, db, base, ours, theirs)
    crashing = ConflictService(CrashingWrites(services.store, after=after), services.sessions,
                               audit=record)
    with pytest.raises(TransientStoreError):
        crashing.handle(db, "visit:v1")
    assert count(services, Conflict) == 0 and count(services, ConflictResolution) == 0
    assert len(live(services, db, "visit:v1")) == (1 if after else 2)
    outcome = service.handle(db, "visit:v1")  # the restarted worker
    assert outcome.status == ("clean" if after else "merged")
    [doc] = live(services, db, "visit:v1")
    assert {k: doc[k] for k in expected} == expected


def test_an_admin_resolution_interrupted_after_the_write_is_closed_on_the_next_change(
        services: Services, service: ConflictService, db: str) -> None:
    conflict_id = queue_offer(services, service, db)
    assert isinstance(services.store, CouchStore)
    crashing = ConflictService(CrashingWrites(services.store, after=True), services.sessions,
                               audit=record)
    loser = service.show(conflict_id).loser_revs[0]
    with pytest.raises(TransientStoreError):
        crashing.resolve(conflict_id, ADMIN, KeepSide(loser))
    assert service.show(conflict_id).status == "open"
    assert service.handle(db, "offer:o1").status == "clean"
    view = service.show(conflict_id)
    assert view.status == "resolved" and view.resolutions[0].method == "store"


def test_the_queue_filters_by_type_engineer_and_age(
        services: Services, db: str) -> None:
    assert isinstance(services.store, CouchStore)
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    clock = [now - timedelta(days=3)]
    service = ConflictService(CouchRevisionStore(services.store), services.sessions,
                              clock=lambda: clock[0], audit=record)
    make_conflict(services.store, db, offer(), repriced("9500.00"), repriced("9000.00"))
    service.handle(db, "offer:o1")
    clock[0] = now
    base = {"_id": "visit:v2", "type": "visit", "outcome": "", **stamp("phone-a", 0)}
    make_conflict(services.store, db, base, {**base, "outcome": "a"}, {**base, "outcome": "b"})
    service.handle(db, "visit:v2")
    assert [v.doc_id for v in service.list()] == ["offer:o1", "visit:v2"]
    assert [v.doc_id for v in service.list(ConflictFilter(doc_type="visit"))] == ["visit:v2"]
    assert service.list(ConflictFilter(owner="ravi")) == []
    aged = service.list(ConflictFilter(older_than=timedelta(days=1)))
    assert [v.doc_id for v in aged] == ["offer:o1"]
