"""SqlProjection on real SQLite and PostgreSQL: insert, replace, delete, reject, re-apply."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text, update

from server.bootstrap import Services
from server.sql.models.base import Base
from server.sql.models.documents import Expense, Offer, OfferLine, Order
from server.sql.models.sync_state import DocumentStatus, RejectedDocument
from server.sql.session import transaction
from sync.projection import LAYOUTS
from sync.sql_projection import Outcome, SqlProjection
from tests.support import projection_samples as samples

DB = "fs-eng-asha"
OTHER_DB = "fs-eng-ravi"
FIXED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
TABLES = sorted({t for layout in LAYOUTS.values() for t in layout.tables}
                | {"document_status", "rejected_documents"})


def accepted(doc: dict[str, Any], **kw: Any) -> Outcome:
    return Outcome(doc=copy.deepcopy(doc), status="accepted", **kw)


def rejected(doc: dict[str, Any], reason: str = "discount above your limit") -> Outcome:
    return Outcome(doc=copy.deepcopy(doc), status="rejected", reason=reason,
                   errors=[{"field": "lines[0].discount_pct", "message": reason}])


def tombstone(doc_id: str, rev: str) -> Outcome:
    return Outcome(doc={"_id": doc_id, "_rev": rev, "_deleted": True}, status="accepted",
                   deleted=True)


def apply(services: Services, outcomes: list[Outcome], db: str = DB) -> None:
    with transaction(services.sessions) as session:
        SqlProjection(clock=lambda: FIXED).apply(session, db, outcomes)


def snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    with services.sessions() as session:
        return {
            name: sorted(tuple(map(repr, row)) for row in session.execute(
                select(Base.metadata.tables[name])))
            for name in TABLES
        }


def count(services: Services, table: str) -> int:
    with services.sessions() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def status_of(services: Services, doc_id: str, db: str = DB) -> DocumentStatus:
    with services.sessions() as session:
        found = session.get(DocumentStatus, (db, doc_id))
        assert found is not None
        return found


def test_every_type_is_inserted_with_its_status(services: Services) -> None:
    apply(services, [accepted(d) for d in samples.every_type()])
    for table in ("offers", "customer_approvals", "orders", "leads", "visits", "expenses",
                  "todos"):
        assert count(services, table) == 1, table
    assert count(services, "offer_lines") == 2 and count(services, "order_lines") == 2
    assert count(services, "lead_stage_history") == 3 and count(services, "gps_points") == 2
    with services.sessions() as session:
        offer = session.get(Offer, "offer:o1")
        assert offer is not None and offer.grand_total == Decimal("1398.00")
        assert offer.rev_pos == 1 and offer.db_name == DB and not offer.in_conflict
        order = session.get(Order, "order:r1")
        assert order is not None and order.erp_status == "not_sent"
        expense = session.get(Expense, "expense:e1")
        assert expense is not None and expense.approval_status == "pending"
        assert expense.km == Decimal("146.500") and not expense.reimbursed
    status = status_of(services, "track:k1")
    assert (status.status, status.doc_type, status.owner) == ("accepted", "track", "asha")
    assert status.receipt_pending and status.rev == "1-a1"


def test_a_newer_revision_replaces_header_and_children(services: Services) -> None:
    apply(services, [accepted(samples.offer())])
    newer = samples.offer(rev="2-b2", status="approved")
    newer["lines"] = newer["lines"][:1]
    apply(services, [accepted(newer, in_conflict=True)])
    with services.sessions() as session:
        offer = session.get(Offer, "offer:o1")
        assert offer is not None
        assert (offer.rev, offer.rev_pos, offer.status, offer.in_conflict) == (
            "2-b2", 2, "approved", True)
        lines = session.scalars(select(OfferLine)).all()
        assert [(line.offer_id, line.line_no) for line in lines] == [("offer:o1", 1)]
    assert status_of(services, "offer:o1").rev == "2-b2"


def test_a_deleted_document_loses_its_rows(services: Services) -> None:
    apply(services, [accepted(d) for d in samples.every_type()])
    apply(services, [tombstone("offer:o1", "2-x"), tombstone("track:k1", "2-y"),
                     tombstone("lead:l1", "2-z")])
    assert count(services, "offers") == 0 and count(services, "offer_lines") == 0
    assert count(services, "gps_points") == 0 and count(services, "lead_stage_history") == 0
    assert count(services, "orders") == 1
    status = status_of(services, "offer:o1")
    assert status.deleted and status.status == "accepted" and status.owner == "asha"
    assert status.doc_type == "offer" and status.rev == "2-x"


def test_a_rejected_revision_keeps_the_accepted_rows(services: Services) -> None:
    apply(services, [accepted(samples.offer())])
    before = snapshot(services)["offers"]
    bad = samples.offer(rev="2-bad")
    bad["lines"][0]["discount_pct"] = "60"
    apply(services, [rejected(bad)])
    assert snapshot(services)["offers"] == before
    assert count(services, "offer_lines") == 2
    status = status_of(services, "offer:o1")
    assert (status.status, status.rev, status.reason) == (
        "rejected", "2-bad", "discount above your limit")
    assert status.errors == [{"field": "lines[0].discount_pct",
                              "message": "discount above your limit"}]
    with services.sessions() as session:
        kept = session.get(RejectedDocument, (DB, "offer:o1"))
        assert kept is not None and kept.body["lines"][0]["discount_pct"] == "60"
        assert kept.rev == "2-bad"
    apply(services, [accepted(samples.offer(rev="3-good"))])
    assert count(services, "rejected_documents") == 0
    assert status_of(services, "offer:o1").status == "accepted"


def test_applying_the_same_outcomes_twice_changes_nothing(services: Services) -> None:
    batch = [accepted(d) for d in samples.every_type()]
    batch += [rejected(samples.offer("offer:o2", rev="1-q")), tombstone("todo:t9", "3-t")]
    apply(services, batch)
    first = snapshot(services)
    apply(services, batch)
    assert snapshot(services) == first
    assert count(services, "offers") == 1 and count(services, "rejected_documents") == 1


def test_server_owned_columns_survive_a_new_revision(services: Services) -> None:
    offer = samples.offer()
    apply(services, [accepted(offer), accepted(samples.order(offer)),
                     accepted(samples.expense())])
    with transaction(services.sessions) as session:
        session.execute(update(Order).values(erp_status="sent", erp_number="4500012"))
        session.execute(update(Expense).values(approval_status="approved", reimbursed=True))
    order = samples.order(offer, rev="2-po")
    order["po_number"] = "PO-78"
    apply(services, [accepted(order), accepted(samples.expense(rev="2-e"))])
    with services.sessions() as session:
        stored = session.get(Order, "order:r1")
        assert stored is not None and stored.po_number == "PO-78"
        assert (stored.erp_status, stored.erp_number) == ("sent", "4500012")
        expense = session.get(Expense, "expense:e1")
        assert expense is not None and expense.rev == "2-e"
        assert (expense.approval_status, expense.reimbursed) == ("approved", True)


def test_an_id_held_by_another_engineer_is_refused_not_overwritten(services: Services) -> None:
    apply(services, [accepted(samples.offer()), accepted(samples.track())])
    theirs = samples.offer(rev="5-z")
    theirs["owner"] = "ravi"
    theirs["lines"] = theirs["lines"][:1]
    apply(services, [accepted(theirs), accepted(samples.track(points=[]))], db=OTHER_DB)
    for doc_id in ("offer:o1", "track:k1"):
        with services.sessions() as session:
            refused = session.get(RejectedDocument, (OTHER_DB, doc_id))
            assert refused is not None and "another engineer" in refused.reason
    apply(services, [tombstone("offer:o1", "6-d")], db=OTHER_DB)
    with services.sessions() as session:
        offer = session.get(Offer, "offer:o1")
        assert offer is not None and offer.db_name == DB and offer.rev == "1-a1"
    assert count(services, "offer_lines") == 2 and count(services, "gps_points") == 2
    assert status_of(services, "track:k1", OTHER_DB).status == "rejected"
    status = status_of(services, "offer:o1", OTHER_DB)
    assert status.status == "accepted" and status.deleted
    assert status_of(services, "offer:o1").status == "accepted"


def test_a_document_that_cannot_be_stored_is_rejected_not_fatal(services: Services) -> None:
    broken = samples.visit()
    broken["check_in"] = {"at": "half past ten"}
    apply(services, [accepted(broken), accepted(samples.todo())])
    assert count(services, "visits") == 0 and count(services, "todos") == 1
    status = status_of(services, "visit:v1")
    assert status.status == "rejected" and "check_in.at" in status.errors[0]["field"]
    assert count(services, "rejected_documents") == 1


def test_values_too_big_for_their_columns_are_rejected_not_fatal(services: Services) -> None:
    # PostgreSQL would refuse the whole batch; SQLite would silently keep the oversized value.
    long_title = samples.todo("todo:long") | {"title": "x" * 201}
    huge = samples.offer("offer:huge")
    huge["lines"][0]["quantity"] = 10**15
    apply(services, [accepted(long_title), accepted(huge), accepted(samples.todo())])
    assert count(services, "todos") == 1 and count(services, "offers") == 0
    title = status_of(services, "todo:long")
    assert title.status == "rejected" and title.errors[0]["field"] == "title"
    assert "at most 200" in title.reason
    quantity = status_of(services, "offer:huge")
    assert quantity.status == "rejected" and quantity.errors[0]["field"] == "quantity"


def test_the_newest_revision_in_a_batch_wins(services: Services) -> None:
    apply(services, [accepted(samples.offer(rev="10-b")), accepted(samples.offer(rev="9-z")),
                     accepted(samples.offer(rev="10-a"))])
    assert status_of(services, "offer:o1").rev == "10-b"
    assert count(services, "offers") == 1


def test_dropped_track_points_are_reported_in_the_status(services: Services) -> None:
    points = samples.track()["points"] + [{"lat": 95, "lon": 0, "accuracy_m": 1,
                                           "at": "2026-11-29T10:00:00+05:30", "mock": False}]
    outcome = accepted(samples.track(points=points))
    apply(services, [outcome])
    assert outcome.dropped_points == 1
    assert status_of(services, "track:k1").reason.startswith("1 of 3 points were left out")


def test_known_revisions(services: Services) -> None:
    apply(services, [accepted(samples.offer(rev="4-d")), rejected(samples.todo())])
    apply(services, [accepted(samples.lead())], db=OTHER_DB)
    with services.sessions() as session:
        known = SqlProjection().known_revisions(session, DB,
                                                ["offer:o1", "todo:t1", "lead:l1", "x:y"])
        assert known == {"offer:o1": (4, "4-d"), "todo:t1": (1, "1-a1")}
        assert SqlProjection().known_revisions(session, DB, []) == {}
