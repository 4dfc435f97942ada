"""What is frozen once a customer signs, through real PouchDB phones, the gateway, the worker
and the API: a signed offer's terms, an accepted order and its approval; and what an accepted
order may still change (PO number, delivery date, notes), kept with its history."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from server.bootstrap import Services
from server.sql.models.audit import AuditEntry
from server.sql.models.documents import CustomerApproval, Offer, Order
from sync.dirty import DirtySet
from sync.provisioning import engineer_db_name
from tests.e2e.test_api_sales_flow import login
from tests.factories import make_approval, make_offer, make_order
from tests.support.api import seed
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

pytestmark = [pytest.mark.timeout(240)]
SIGNED = "signed on 29 Nov 2026 by R. Kumar"
# A 1×1 PNG: the customer's signature, which must survive a deletion of the approval.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


@pytest.fixture
def server(services: Services) -> Iterator[LiveServer]:
    seed(services)
    with LiveServer(services) as live:
        yield live


def api(server: LiveServer, path: str, token: str) -> Any:
    r = requests.get(server.url + path, timeout=30, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def sync(phone: Phone, services: Services) -> dict[str, Any]:
    pushed = dict(phone.call("push", db="me"))
    services.worker().run_until_idle()
    phone.call("pull", db="me")
    return pushed


def receipt(phone: Phone, doc_id: str) -> dict[str, Any]:
    return dict(phone.call("get", db="me", id=f"receipt:{doc_id}"))


def edit(phone: Phone, doc_id: str, **changes: Any) -> dict[str, Any]:
    held = phone.call("get", db="me", id=doc_id)
    changed = {**held, **changes, "updated_at": "2026-11-30T11:00:00+05:30"}
    changed["_rev"] = phone.call("put", db="me", doc=changed)["rev"]
    return changed


def denied(phone: Phone) -> dict[str, str]:
    return {d["id"]: d["reason"] for d in phone.call("denied")["denied"]}


def signed_sale(phone: Phone, services: Services) -> tuple[dict[str, Any], ...]:
    """An offer of 81,272.50 signed by the customer and converted to an order, all accepted."""
    offer = make_offer("asha", "C-1", [("P-100", 1, "68875.00", "0", "18")], status="presented")
    assert offer["totals"]["grand_total"] == "81272.50"
    approval = make_approval(offer, _attachments={
        "signature.png": {"content_type": "image/png", "data": PNG}})
    order = make_order(offer, approval)
    phone.call("bulk", db="me", docs=[offer, approval, order])
    sync(phone, services)
    offer = edit(phone, offer["_id"], status="approved")
    sync(phone, services)
    for doc in (offer, approval, order):
        assert receipt(phone, doc["_id"])["status"] == "accepted", doc["_id"]
    return offer, approval, order


def trail(services: Services, action: str) -> list[tuple[str, str, Any]]:
    """(actor, entity id, after) of the audit rows of `action`, oldest first."""
    with services.sessions() as s:
        return [(e.actor, e.entity_id, json.loads(e.after)) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq))]


def test_a_signed_offer_keeps_its_terms_and_the_order_its_total(
        server: LiveServer, services: Services) -> None:
    head = login(server, "hema")
    with Phone(server.url, login(server, "asha")) as phone:
        offer, _approval, order = signed_sale(phone, services)
        edit(phone, offer["_id"], notes="Deliver to the back gate")
        assert sync(phone, services)["doc_write_failures"] == 0
        assert api(server, f"/api/v1/offers/{offer['_id']}", head)["status"] == "approved"

        bigger = make_offer("asha", "C-1", [("P-100", 4, "68875.00", "0", "18")])
        assert bigger["totals"]["grand_total"] == "325090.00"
        edit(phone, offer["_id"], lines=bigger["lines"], totals=bigger["totals"])
        pushed = sync(phone, services)
        assert pushed["doc_write_failures"] == 1
        reason = denied(phone)[offer["_id"]]
        assert reason.startswith(f"{SIGNED}: make a revision")

        seen = api(server, f"/api/v1/offers/{offer['_id']}", head)
        assert seen["grand_total"] == "81272.50" and seen["status"] == "approved"
        assert api(server, f"/api/v1/orders/{order['_id']}", head)["grand_total"] == "81272.50"
        with services.sessions() as s:
            assert s.scalar(select(Offer.grand_total).where(Offer.doc_id == offer["_id"])) \
                == 81272.50
        office = api(server, f"/api/v1/rejections?doc_id={offer['_id']}", login(server, "adam"))
        assert [(r["source"], r["reason"]) for r in office["items"]] == [("gateway", reason)]
        assert office["items"][0]["body"]["totals"]["grand_total"] == "325090.00"


def test_an_accepted_order_and_its_approval_cannot_be_deleted_from_a_phone(
        server: LiveServer, services: Services) -> None:
    adam = login(server, "adam")
    with Phone(server.url, login(server, "asha")) as phone:
        offer, approval, order = signed_sale(phone, services)
        phone.call("remove", db="me", id=order["_id"])
        phone.call("remove", db="me", id=approval["_id"])
        edit(phone, offer["_id"], status="presented")
        assert sync(phone, services)["doc_write_failures"] == 3
        reasons = denied(phone)
        assert reasons[order["_id"]].startswith("an accepted order is archived and cannot be "
                                                f"deleted (it rests on the customer's "
                                                f"approval {SIGNED})")
        assert "ask for its cancellation" in reasons[order["_id"]]
        assert reasons[approval["_id"]].startswith(
            f"the customer's approval, {SIGNED}, is archived and cannot be deleted")
        assert reasons[offer["_id"]] == (f'{SIGNED}: a signed offer cannot go back to '
                                         '"presented"; make a revision (a new offer that '
                                         "supersedes this one) to offer other terms")

        assert [o["doc_id"] for o in api(server, "/api/v1/orders", adam)["items"]] == \
            [order["_id"]]
        history = api(server, "/api/v1/reports/order_history?date_from=2026-11-01"
                      "&date_to=2026-11-30", adam)
        assert [r["order_id"] for r in history["rows"]] == [order["_id"]]
        assert api(server, f"/api/v1/offers/{offer['_id']}", adam)["status"] == "approved"
        with services.sessions() as s:
            signed = s.get(CustomerApproval, approval["_id"])
            assert signed is not None and signed.signature == "signature.png"
        db = engineer_db_name(services.settings.db_prefix, "asha")
        kept = services.store.get_doc(db, approval["_id"], attachments=True)
        assert kept["_attachments"]["signature.png"]["data"] == PNG
        sources = {r["doc_id"]: r["source"] for r in api(
            server, "/api/v1/rejections?owner=asha", adam)["items"]}
        assert sources == {order["_id"]: "gateway", approval["_id"]: "gateway",
                           offer["_id"]: "gateway"}


def test_a_change_written_straight_into_the_store_is_undone_and_recorded(
        server: LiveServer, services: Services) -> None:
    adam = login(server, "adam")
    store, db = services.store, engineer_db_name(services.settings.db_prefix, "asha")
    with Phone(server.url, login(server, "asha")) as phone:
        offer, approval, order = signed_sale(phone, services)
        held_approval = store.get_doc(db, approval["_id"])
        bigger = make_offer("asha", "C-1", [("P-100", 4, "68875.00", "0", "18")])
        # Past the gateway: as an older app's path or a replication from elsewhere would.
        store.bulk_docs(db, [
            {"_id": order["_id"], "_rev": store.get_doc(db, order["_id"])["_rev"],
             "_deleted": True},
            {"_id": approval["_id"], "_rev": held_approval["_rev"], "_deleted": True},
            {**store.get_doc(db, offer["_id"]), "lines": bigger["lines"],
             "totals": bigger["totals"]}])
        DirtySet(services.sessions).mark([db])  # as the worker's _db_updates follower does
        services.worker().run_until_idle()

        for doc in (offer, approval, order):
            now = store.get_doc(db, doc["_id"], attachments=True)
            assert not now.get("_deleted") and now["_rev"].startswith("4-" if doc is offer
                                                                      else "3-"), now["_rev"]
        restored = store.get_doc(db, approval["_id"], attachments=True)
        assert restored["signed_by"] == "R. Kumar"
        assert restored["_attachments"]["signature.png"]["data"] == PNG
        assert store.get_doc(db, offer["_id"])["totals"]["grand_total"] == "81272.50"
        with services.sessions() as s:
            assert s.scalar(select(Order.grand_total).where(Order.doc_id == order["_id"])) \
                == 81272.50
            assert s.get(CustomerApproval, approval["_id"]) is not None
            assert s.scalar(select(Offer.grand_total).where(Offer.doc_id == offer["_id"])) \
                == 81272.50

        office = {r["doc_id"]: r for r in api(server, "/api/v1/rejections?source=frozen",
                                                 adam)["items"]}
        assert set(office) == {offer["_id"], approval["_id"], order["_id"]}
        assert office[order["_id"]]["owner"] == "asha"
        assert office[order["_id"]]["reason"].startswith(
            "Written past the sync gateway and undone: the server put back the archived "
            "version. An accepted order is archived and cannot be deleted")
        assert f"version. S{SIGNED[1:]}: make a revision" in office[offer["_id"]]["reason"]
        assert office[offer["_id"]]["body"]["totals"]["grand_total"] == "325090.00"

        phone.call("pull", db="me")
        on_phone = phone.call("get", db="me", id=offer["_id"])
        assert on_phone["totals"]["grand_total"] == "81272.50"
        assert phone.call("get", db="me", id=order["_id"])["po_number"] == "PO-2026-0042"
        got = receipt(phone, order["_id"])
        assert got["status"] == "accepted" and got["reason"].startswith("Put back by the server")
        undone = trail(services, "document.change_undone")
        assert {doc_id for _, doc_id, _ in undone} == {offer["_id"], approval["_id"], order["_id"]}


def test_po_number_delivery_date_and_notes_change_with_history(
        server: LiveServer, services: Services) -> None:
    head = login(server, "hema")
    with Phone(server.url, login(server, "asha")) as phone:
        _offer, _approval, order = signed_sale(phone, services)
        edit(phone, order["_id"], po_number="PO-2026-0042-A", delivery_date="2026-12-20")
        sync(phone, services)
        edit(phone, order["_id"], notes="Crane needed on site")
        assert sync(phone, services)["doc_write_failures"] == 0
        assert receipt(phone, order["_id"])["status"] == "accepted"

        bigger = make_offer("asha", "C-1", [("P-100", 4, "68875.00", "0", "18")])
        edit(phone, order["_id"], lines=bigger["lines"], totals=bigger["totals"])
        assert sync(phone, services)["doc_write_failures"] == 1
        assert "only its PO number, delivery date and notes may change" in \
            denied(phone)[order["_id"]]

        seen = api(server, f"/api/v1/orders/{order['_id']}", head)
        assert (seen["po_number"], seen["delivery_date"], seen["notes"]) == \
            ("PO-2026-0042-A", "2026-12-20", "Crane needed on site")
        assert seen["grand_total"] == "81272.50"
        assert [(c["field"], c["before"], c["after"], c["changed_by"])
                for c in seen["changes"]] == [
            ("delivery_date", "2026-12-15", "2026-12-20", "asha"),
            ("po_number", "PO-2026-0042", "PO-2026-0042-A", "asha"),
            ("notes", None, "Crane needed on site", "asha")]
        # The audit trail has each edit in the engineer's name.
        edits = trail(services, "order.edit")
        assert sorted((who, doc_id, *after.items()) for who, doc_id, after in edits) == sorted([
            ("asha", order["_id"], ("delivery_date", "2026-12-20")),
            ("asha", order["_id"], ("po_number", "PO-2026-0042-A")),
            ("asha", order["_id"], ("notes", "Crane needed on site"))])
