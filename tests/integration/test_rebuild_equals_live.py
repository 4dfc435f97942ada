"""`fieldsync rebuild` ends where the live worker is: refused edits, deletions, decisions, ERP."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import requests
from sqlalchemy import select

from server.accounts.roles import Principal, Role
from server.bootstrap import Services
from server.demo import load_master_data
from server.rebuild import rebuild_projection
from server.sales.service import HeadActions
from server.sql.models.documents import Expense, Order, Todo
from server.sql.models.sync_state import DocumentStatus
from sync.dirty import DirtySet
from sync.provisioning import provision_engineer
from sync.store import NotFoundError
from tests.factories import (
    make_approval,
    make_expense,
    make_lead,
    make_offer,
    make_order,
    make_todo,
    make_visit,
)
from tests.support.engineers import add_engineers
from tests.support.erp_servers.clock import FakeClock
from tests.support.erp_servers.fixtures import sap_server  # noqa: F401
from tests.support.erp_servers.harness import drainer, erp_overrides
from tests.support.projection import projection_snapshot

Doc = dict[str, Any]
ADMIN = Principal(100, "root", Role.ADMIN)


def push(services: Services, db: str, docs: list[Doc]) -> list[Doc]:
    """Store documents as a phone would and let the worker judge them."""
    for doc, result in zip(docs, services.store.bulk_docs(db, docs), strict=True):
        assert "rev" in result, result
        doc["_rev"] = result["rev"]
    DirtySet(services.sessions).mark([db])
    services.worker().run_until_idle()
    return docs


def edited(services: Services, db: str, doc: Doc, **changes: Any) -> Doc:
    return {**services.store.get_doc(db, doc["_id"]), **changes}


def compact(services: Services, db: str, doc_id: str, old_rev: str) -> None:
    """Compact the database as CouchDB does on its own, and check the old body is gone."""
    settings = services.settings
    auth = (settings.store_username, settings.store_password)
    answer = requests.post(f"{settings.store_url}/{db}/_compact", auth=auth, timeout=30,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code in (200, 202), answer.text
    deadline = time.monotonic() + 30
    while services.store.db_info(db).get("compact_running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    with pytest.raises(NotFoundError):
        services.store.get_doc(db, doc_id, rev=old_rev)


def status(services: Services, db: str, doc_id: str) -> tuple[str, str]:
    with services.sessions() as s:
        row = s.get(DocumentStatus, (db, doc_id))
        assert row is not None
        return row.status, row.owner


def test_rebuild_equals_live_after_refused_edits_deletions_decisions_and_erp(
        build_services: Callable[..., Services], sap_server: Any) -> None:  # noqa: F811
    services = build_services(**erp_overrides("sap", sap_server))
    load_master_data(services)
    add_engineers(services.sessions, ["asha"])
    db = provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                            "asha")
    offer = make_offer("asha", "C-1001", lines=[("P-100", 2, "185000.00", "5", "18")],
                       status="approved")
    approval = make_approval(offer)
    order = make_order(offer, approval)
    lead = make_lead("asha", customer_id="C-1002")
    expense, paid = make_expense("asha"), make_expense("asha", amount="120.00")
    todos = [make_todo("asha") for _ in range(6)]
    visit = make_visit("asha", customer_id="C-1001")
    push(services, db, [offer, approval, order, lead, expense, paid, visit, *todos])
    assert drainer(services, services.settings, FakeClock()).run_until_idle().accepted == 1
    heads = HeadActions(services.store, services.sessions)
    heads.decide_expense(ADMIN, expense["_id"], "approved")
    heads.decide_expense(ADMIN, paid["_id"], "approved")
    heads.mark_reimbursed(ADMIN, paid["_id"])
    services.worker().run_until_idle()  # the decision documents written back

    # Accepted documents edited into revisions the rules refuse, then a few deletions.
    push(services, db, [edited(services, db, order, customer_id="C-9999"),
                        edited(services, db, expense, customer_id="C-9999"),
                        edited(services, db, todos[0], lead_id="lead:unknown")])
    push(services, db, [{**edited(services, db, d), "_deleted": True}
                        for d in (*todos[1:4], visit)])
    # The accepted order is archived: its edit is undone, the archived revision written back.
    assert status(services, db, order["_id"])[0] == "accepted"
    restored = services.store.get_doc(db, order["_id"])
    assert restored["customer_id"] == "C-1001" and restored["_rev"].startswith("3-")
    assert status(services, db, visit["_id"]) == ("accepted", "asha")

    live = projection_snapshot(services)
    rebuild_projection(services)
    assert projection_snapshot(services) == live
    compact(services, db, order["_id"], order["_rev"])  # the accepted bodies leave the history
    rebuild_projection(services)
    assert projection_snapshot(services) == live
    with services.sessions() as s:
        kept = s.get(Order, order["_id"])  # the order the ERP holds keeps its row
        assert kept is not None and kept.rev == restored["_rev"] and kept.customer_id == "C-1001"
        assert (kept.erp_status, bool(kept.erp_number)) == ("accepted", True)
        decided = {e.doc_id: (e.approval_status, e.reimbursed)
                   for e in s.scalars(select(Expense))}
        assert decided == {expense["_id"]: ("approved", False), paid["_id"]: ("approved", True)}
        assert s.get(Todo, todos[0]["_id"]) is not None
        owners = s.scalars(select(DocumentStatus.owner)
                           .where(DocumentStatus.deleted.is_(True))).all()
        assert owners == ["asha"] * 4


def test_rebuild_keeps_an_accepted_revision_pushed_with_its_refused_edit(
        services: Services) -> None:
    """Both revisions reach the store before the worker reads either: live and rebuild alike
    find the accepted one in the store's history."""
    load_master_data(services)
    db = provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                            "asha")
    todo = make_todo("asha")
    todo["_rev"] = services.store.bulk_docs(db, [todo])[0]["rev"]
    push(services, db, [{**todo, "lead_id": "lead:unknown"}])
    assert status(services, db, todo["_id"]) == ("rejected", "asha")
    with services.sessions() as s:
        row = s.get(Todo, todo["_id"])
        assert row is not None and row.rev == todo["_rev"]
    live = projection_snapshot(services)
    rebuild_projection(services)
    assert projection_snapshot(services) == live
    compact(services, db, todo["_id"], todo["_rev"])
    rebuild_projection(services)
    assert projection_snapshot(services) == live


def expense_decisions(services: Services) -> dict[str, tuple[str, bool]]:
    with services.sessions() as s:
        return {e.doc_id: (e.approval_status, e.reimbursed) for e in s.scalars(select(Expense))}


def test_rebuild_keeps_expense_decisions_and_reopens_what_changed_after_them(
        services: Services) -> None:
    """Approved, declined, reimbursed (then edited outside its terms) and approved-then-changed
    expenses read the same after a rebuild as live, including the one that waits again."""
    load_master_data(services)
    db = provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                            "asha")
    approved, declined, paid, changed, pending = (make_expense("asha", amount=a) for a in (
        "100.00", "200.00", "300.00", "400.00", "500.00"))
    push(services, db, [approved, declined, paid, changed, pending])
    heads = HeadActions(services.store, services.sessions)
    for doc, outcome in ((approved, "approved"), (declined, "declined"), (paid, "approved"),
                         (changed, "approved")):
        heads.decide_expense(ADMIN, doc["_id"], outcome, note="Not a customer visit")
    heads.mark_reimbursed(ADMIN, paid["_id"])
    services.worker().run_until_idle()  # the decision documents written back
    # Accepted edits after the decisions: one outside the terms, one of the amount.
    push(services, db, [edited(services, db, paid, purpose="Customer visit and demo"),
                        edited(services, db, changed, amount="450.00")])
    expected = {approved["_id"]: ("approved", False), declined["_id"]: ("declined", False),
                paid["_id"]: ("approved", True), changed["_id"]: ("pending", False),
                pending["_id"]: ("pending", False)}
    assert expense_decisions(services) == expected
    assert status(services, db, changed["_id"])[0] == "accepted"

    live = projection_snapshot(services)
    rebuild_projection(services)
    assert expense_decisions(services) == expected
    assert projection_snapshot(services) == live


def signed_order(customer_id: str, product_id: str, price: str, gst: str) -> list[Doc]:
    """An offer, its approval and its order: the order the ERP bridge sends."""
    offer = make_offer("asha", customer_id, lines=[(product_id, 1, price, "0", gst)],
                       status="approved")
    approval = make_approval(offer)
    return [offer, approval, make_order(offer, approval)]


def erp_columns(services: Services) -> dict[str, tuple[str, bool, str | None]]:
    with services.sessions() as s:
        return {o.doc_id: (o.erp_status, bool(o.erp_number), o.erp_reason)
                for o in s.scalars(select(Order))}


def test_rebuild_keeps_each_orders_erp_status_sent_accepted_queued_and_parked(
        build_services: Any, sap_server: Any) -> None:  # noqa: F811
    """Orders the ERP accepted, may hold (an answer lost after it created the order), will be
    sent again (it asked to wait) and parked in the dead letters (it priced differently) read
    the same after a rebuild as live: the outbox is the ERP's record, not a projection."""
    sap = build_services(erp_kind="sap", erp_url=sap_server.url, erp_username="erpuser",
                         erp_password="erppass", erp_timeout_s=0.3,
                         erp_backoff_base_s=3600.0, erp_max_attempts=8)
    load_master_data(sap)
    db = provision_engineer(sap.store, sap.sessions, sap.settings.db_prefix, "asha")
    sap_server.material_discounts["P-200"] = Decimal("1")  # SAP's own K004 on this material
    # One clock far enough ahead that every order pushed is due, and still: a retry waits.
    send = drainer(sap, sap.settings, FakeClock(lead_s=600))
    orders: dict[str, str] = {}
    for outcome, customer_id, product_id, price, gst, fault in (
            ("accepted", "C-1001", "P-100", "185000.00", "18", None),
            ("sent", "C-1002", "P-101", "72500.00", "18", "504-after-commit"),
            ("queued", "C-1003", "P-102", "6400.00", "18", "503"),
            ("failed", "C-1004", "P-200", "38900.00", "12", None)):
        docs = push(sap, db, signed_order(customer_id, product_id, price, gst))
        if fault:
            sap_server.faults.push(fault)
        assert send.drain_once().claimed == 1
        orders[outcome] = docs[2]["_id"]

    live_erp = erp_columns(sap)
    assert {outcome: live_erp[order_id][0] for outcome, order_id in orders.items()} == {
        "accepted": "accepted", "sent": "sent", "queued": "queued", "failed": "failed"}
    assert live_erp[orders["accepted"]][1]  # with SAP's number
    assert all(live_erp[orders[o]][2] for o in ("sent", "queued", "failed"))  # with the reason
    live = projection_snapshot(sap)
    rebuild_projection(sap)
    assert erp_columns(sap) == live_erp
    assert projection_snapshot(sap) == live
