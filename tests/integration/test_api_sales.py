"""Offer -> head decision -> customer approval -> order, lead moves, expenses and attachments."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from server.bootstrap import Services
from sync.provisioning import engineer_db_name
from tests.factories import make_approval, make_lead, make_offer, make_order
from tests.support.api import ApiClient, api_client, assert_error, phone_writes, receipt, seed

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nsignature").decode()


@pytest.fixture
def api(services: Services) -> Iterator[ApiClient]:
    seed(services)
    yield api_client(services)


def _signed(offer: dict) -> dict:
    return make_approval(offer, _attachments={
        "signature.png": {"content_type": "image/png", "data": PNG}})


def test_discount_above_the_limit_waits_for_the_head(api: ApiClient, services: Services) -> None:
    offer = make_offer("asha", "C-1", [("P-100", 2, "500.00", "12", "18")], status="presented")
    phone_writes(services, "asha", offer)
    listed = api.get("/api/v1/offers?awaiting_decision=true", "hema").json["items"]
    assert [o["doc_id"] for o in listed] == [offer["_id"]] and listed[0]["needs_decision"]

    approval = _signed(offer)
    phone_writes(services, "asha", approval)
    refused = receipt(services, "asha", approval["_id"])
    assert refused["status"] == "rejected" and "above your limit of 5" in refused["reason"]

    assert_error(api.post(f"/api/v1/offers/{offer['_id']}/decision", "nina",
                          json={"outcome": "approved"}), 404)  # another team's head
    assert_error(api.post(f"/api/v1/offers/{offer['_id']}/decision", "asha",
                          json={"outcome": "approved"}), 403)
    r = api.post(f"/api/v1/offers/{offer['_id']}/decision", "hema",
                 json={"outcome": "approved", "note": "strategic customer"})
    assert r.status_code == 201 and r.json["decided_by"] == "hema"
    assert_error(api.post(f"/api/v1/offers/{offer['_id']}/decision", "hema",
                          json={"outcome": "declined", "note": "changed my mind"}), 409)
    db = engineer_db_name(services.settings.db_prefix, "asha")
    decision = services.store.get_doc(db, f"decision:{offer['_id']}")
    assert decision["outcome"] == "approved" and decision["kind"] == "discount"

    approval["_rev"] = services.store.get_doc(db, approval["_id"])["_rev"]
    phone_writes(services, "asha", approval)  # signed again after the head's approval
    assert receipt(services, "asha", approval["_id"])["status"] == "accepted"
    order = make_order(offer, approval)
    phone_writes(services, "asha", order)
    assert receipt(services, "asha", order["_id"])["status"] == "accepted"
    got = api.get(f"/api/v1/orders/{order['_id']}", "hema").json
    assert got["grand_total"] == offer["totals"]["grand_total"] and got["loc"]["lat"]
    assert api.get("/api/v1/offers?awaiting_decision=true", "hema").json["total"] == 0


def test_a_discount_within_the_limit_needs_no_decision(api: ApiClient,
                                                       services: Services) -> None:
    offer = make_offer("asha", "C-2", [("P-100", 1, "100.00", "5", "18")], supply="inter")
    phone_writes(services, "asha", offer, _signed(offer))
    assert api.get(f"/api/v1/offers/{offer['_id']}", "asha").json["igst"] == "17.10"
    body = assert_error(api.post(f"/api/v1/offers/{offer['_id']}/decision", "hema",
                                 json={"outcome": "approved"}), 409)
    assert "within asha's limit" in body["message"]
    body = assert_error(api.post(f"/api/v1/offers/{offer['_id']}/decision", "hema",
                                 json={"outcome": "declined"}), 422)
    assert "note" in body["errors"]


def test_offer_pdf_for_the_customer(api: ApiClient, services: Services) -> None:
    offer = make_offer("asha", "C-1", [("P-100", 2, "500.00", "0", "18"),
                                       ("P-200", 3, "33.33", "7.5", "5")])
    phone_writes(services, "asha", offer)
    r = api.get(f"/api/v1/offers/{offer['_id']}/pdf", "asha")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    assert api.get(f"/api/v1/offers/{offer['_id']}/pdf", "hema").status_code == 200


def test_heads_move_leads_and_the_phone_gets_the_history(api: ApiClient,
                                                         services: Services) -> None:
    lead = make_lead("asha", stage="po", lead_id="lead:l1")
    for day, step in enumerate(lead["history"], start=1):  # moved on the phone days ago
        step["at"] = f"2026-11-{day:02d}T10:00:00+05:30"
    phone_writes(services, "asha", lead)
    assert_error(api.post("/api/v1/leads/lead:l1/moves", "asha", json={"stage": "proposal"}),
                 403)
    assert_error(api.post("/api/v1/leads/lead:l1/moves", "nina", json={"stage": "proposal"}),
                 404)
    body = assert_error(api.post("/api/v1/leads/lead:l1/moves", "hema",
                                 json={"stage": "advance"}), 422)
    assert "payment_ref" in str(body)
    assert_error(api.post("/api/v1/leads/lead:l1/moves", "hema",
                          json={"stage": "installation"}), 422)
    r = api.post("/api/v1/leads/lead:l1/moves", "hema", json={
        "stage": "proposal", "loc": {"lat": 12.97, "lon": 77.59, "at": "2026-11-30T10:00:00Z"}})
    assert r.status_code == 201 and r.json["stage"] == "proposal"
    phone_writes(services, "asha")  # the worker picks up the server's write
    got = api.get("/api/v1/leads/lead:l1", "hema").json
    assert got["stage"] == "proposal"
    assert [h["by"] for h in got["history"]][-1] == "hema"
    assert got["history"][-1]["loc"]["lat"] == 12.97
    assert receipt(services, "asha", "lead:l1")["status"] == "accepted"


def _expense(owner: str, key: str, amount: str = "300.00") -> dict:
    from tests.factories import common

    doc = common("expense", owner, f"expense:{key}")
    doc.update(date="2026-11-29", from_place="Mysuru", to_place="Mandya", mode="car",
               km=40, amount=amount, purpose="Site survey", _attachments={
                   "receipt.png": {"content_type": "image/png", "data": PNG}})
    return doc


def test_expense_approval_reimbursement_and_receipt_photo(api: ApiClient,
                                                          services: Services) -> None:
    phone_writes(services, "asha", _expense("asha", "e1"))
    assert api.put("/api/v1/travel-rates/car", "adam", json={"rate_per_km": "9.50"}).json[
        "rate_per_km"] == "9.50"
    got = api.get("/api/v1/expenses/expense:e1", "hema").json
    assert got["allowance"] == "380.00" and got["approval_status"] == "pending"
    assert_error(api.post("/api/v1/expenses/expense:e1/reimbursed", "hema"), 409)
    assert_error(api.post("/api/v1/expenses/expense:e1/decision", "nina",
                          json={"outcome": "approved"}), 404)
    r = api.post("/api/v1/expenses/expense:e1/decision", "hema", json={"outcome": "approved"})
    assert r.status_code == 201
    assert api.post("/api/v1/expenses/expense:e1/reimbursed", "hema").json["reimbursed"]
    listed = api.get("/api/v1/expenses?approval_status=approved&reimbursed=true", "asha").json
    assert [e["doc_id"] for e in listed["items"]] == ["expense:e1"]
    db = engineer_db_name(services.settings.db_prefix, "asha")
    assert services.store.get_doc(db, "decision:expense:e1")["kind"] == "expense"

    photo = api.get("/api/v1/attachments/expense:e1/receipt.png", "hema")
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert photo.data == base64.b64decode(PNG)
    assert_error(api.get("/api/v1/attachments/expense:e1/receipt.png", "bob"), 404)
    assert_error(api.get("/api/v1/attachments/expense:e1/other.png", "asha"), 404)


def test_bad_input_writes_nothing(api: ApiClient, services: Services) -> None:
    phone_writes(services, "asha", _expense("asha", "e2"))
    for body in ({}, {"outcome": "maybe"}, {"outcome": "approved", "note": 5},
                 {"outcome": "approved", "note": "x" * 2001}):
        assert_error(api.post("/api/v1/expenses/expense:e2/decision", "hema", json=body), 422)
    assert api.get("/api/v1/expenses/expense:e2", "hema").json["decision"] is None
    assert_error(api.put("/api/v1/travel-rates/rocket", "adam",
                         json={"rate_per_km": "1.00"}), 422)
    assert_error(api.put("/api/v1/travel-rates/car", "adam", json={"rate_per_km": "-1"}), 422)
    assert api.get("/api/v1/travel-rates", "adam").json["total"] == 0
