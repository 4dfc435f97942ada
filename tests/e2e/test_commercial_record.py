"""The commercial record through real PouchDB phones, the gateway, the worker and the API:
prices come from the customer's price list and a head's decision binds what it approved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from server.bootstrap import Services
from tests.e2e.test_api_sales_flow import login
from tests.factories import make_approval, make_expense, make_lead, make_offer, make_order
from tests.support.api import seed
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

pytestmark = [pytest.mark.timeout(240)]
LINE = ("P-100", 2, "50000.00")  # no price list in these tests' master data: not checked


@pytest.fixture
def server(services: Services) -> Iterator[LiveServer]:
    seed(services)
    with LiveServer(services) as live:
        yield live


def api(server: LiveServer, method: str, path: str, token: str, **kwargs: Any) -> Any:
    r = requests.request(method, server.url + path, timeout=30,
                         headers={"Authorization": f"Bearer {token}"}, **kwargs)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json()


def sync(phone: Phone, services: Services) -> None:
    phone.call("push", db="me")
    services.worker().run_until_idle()
    phone.call("pull", db="me")


def receipt(phone: Phone, doc: dict[str, Any]) -> dict[str, Any]:
    return dict(phone.call("get", db="me", id=f"receipt:{doc['_id']}"))


def edit(phone: Phone, doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Change a document on the phone, as the app does: a new revision of the one it holds."""
    held = phone.call("get", db="me", id=doc["_id"])
    changed = {**held, **changes, "updated_at": "2026-11-30T11:00:00+05:30"}
    changed["_rev"] = phone.call("put", db="me", doc=changed)["rev"]
    return changed


def test_a_discount_raised_after_the_heads_approval_waits_for_a_new_decision(
        server: LiveServer, services: Services) -> None:
    head = login(server, "hema")
    with Phone(server.url, login(server, "asha")) as phone:
        offer = make_offer("asha", "C-1", [(*LINE, "15", "18")], status="presented")
        phone.call("put", db="me", doc=offer)
        sync(phone, services)
        api(server, "POST", f"/api/v1/offers/{offer['_id']}/decision", head,
            json={"outcome": "approved"})

        raised = make_offer("asha", "C-1", [(*LINE, "40", "18")], status="presented")
        offer = edit(phone, offer, lines=raised["lines"], totals=raised["totals"])
        sync(phone, services)
        got = receipt(phone, offer)
        assert got["status"] == "accepted"
        assert "terms changed after the head approved 15%: now 40%" in got["reason"]
        seen = api(server, "GET", f"/api/v1/offers/{offer['_id']}", head)
        assert seen["needs_decision"] is True and seen["decision_binds"] is False
        waiting = api(server, "GET", "/api/v1/offers?awaiting_decision=true", head)
        assert [o["doc_id"] for o in waiting["items"]] == [offer["_id"]]

        approval = make_approval(offer)
        phone.call("put", db="me", doc=approval)
        order = make_order(offer, approval)
        phone.call("put", db="me", doc=order)
        sync(phone, services)
        assert receipt(phone, approval)["status"] == "rejected"
        assert "Terms changed after the head approved 15%" in receipt(phone, approval)["reason"]
        assert receipt(phone, order)["status"] == "rejected"

        again = api(server, "POST", f"/api/v1/offers/{offer['_id']}/decision", head,
                    json={"outcome": "approved", "note": "Strategic account"})
        assert again["terms"] == "40%" and again["terms_hash"] == seen["terms_hash"]
        approval = edit(phone, approval)
        sync(phone, services)
        assert receipt(phone, approval)["status"] == "accepted"
        order = edit(phone, order)
        sync(phone, services)
        assert receipt(phone, order)["status"] == "accepted"
        assert phone.call("get", db="me", id=f"decision:{offer['_id']}")["terms"] == "40%"


def test_offer_lines_are_priced_by_the_customers_price_list(server: LiveServer,
                                                            services: Services) -> None:
    admin, head = login(server, "adam"), login(server, "hema")
    api(server, "POST", "/api/v1/price-lists", admin, json={
        "price_list_id": "PL-STD", "name": "List prices", "valid_from": "2026-01-01",
        "items": {"P-100": "185000.00", "P-200": "120.00"}})
    api(server, "POST", "/api/v1/price-lists", admin, json={
        "price_list_id": "PL-C1", "name": "Sri Lakshmi contract", "valid_from": "2026-01-01",
        "customer_id": "C-1", "items": {"P-100": "180000.00"}})
    with Phone(server.url, login(server, "asha")) as phone:
        phone.call("pull", db="catalog")
        assert phone.call("get", db="catalog", id="price_list:PL-C1")["customer_id"] == "C-1"
        below, token = (make_offer("asha", "C-1", [("P-100", 1, price, "0", "18")])
                        for price in ("150000.00", "1.00"))
        at_list = make_offer("asha", "C-1", [("P-100", 1, "180000.00", "0", "18")])
        missing = make_offer("asha", "C-1", [("P-200", 1, "120.00", "0", "5")])
        above = make_offer("asha", "C-2", [("P-100", 1, "190000.00", "0", "18")],
                           supply="inter")
        docs = [below, token, at_list, missing, above]
        phone.call("bulk", db="me", docs=docs)
        sync(phone, services)
        for doc in (below, token, at_list):
            assert receipt(phone, doc)["status"] == "accepted"
        assert "a price below the list makes the discount 16.67%, above your limit of 5%" in \
            receipt(phone, below)["reason"]
        assert receipt(phone, at_list)["reason"] == ""
        refused = receipt(phone, missing)
        assert refused["status"] == "rejected"
        assert refused["reason"].startswith("Line 1: product \"P-200\" is not on "
                                            "price list PL-C1")
        assert "above the list price 185000.00" in receipt(phone, above)["reason"]

        pcts = {o["doc_id"]: (o["max_discount_pct"], o["needs_decision"]) for o in api(
            server, "GET", "/api/v1/offers", head)["items"]}
        assert pcts[below["_id"]] == ("16.67", True)
        assert pcts[token["_id"]] == ("100", True)
        assert pcts[at_list["_id"]] == ("0", False)
        approvals = [make_approval(below), make_approval(at_list)]
        phone.call("bulk", db="me", docs=approvals)
        sync(phone, services)
        assert "above your limit of 5" in receipt(phone, approvals[0])["reason"]
        assert receipt(phone, approvals[1])["status"] == "accepted"


def test_an_approved_expense_edited_on_the_phone_waits_again(server: LiveServer,
                                                             services: Services) -> None:
    head = login(server, "hema")
    with Phone(server.url, login(server, "asha")) as phone:
        expense = make_expense("asha", amount="500.00")
        phone.call("put", db="me", doc=expense)
        sync(phone, services)
        path = f"/api/v1/expenses/{expense['_id']}"
        api(server, "POST", f"{path}/decision", head, json={"outcome": "approved"})
        assert api(server, "GET", path, head)["approval_status"] == "approved"

        expense = edit(phone, expense, amount="50000.00")
        sync(phone, services)
        assert "after the head approved ₹500.00 for 12.5 km by bike: now ₹50000.00" in \
            receipt(phone, expense)["reason"]
        seen = api(server, "GET", path, head)
        assert seen["approval_status"] == "pending" and seen["amount"] == "50000.00"
        early = requests.post(f"{server.url}{path}/reimbursed", timeout=30,
                              headers={"Authorization": f"Bearer {head}"})
        assert early.status_code == 409
        assert "changed after it was approved as ₹500.00" in early.json()["message"]

        api(server, "POST", f"{path}/decision", head, json={"outcome": "approved"})
        api(server, "POST", f"{path}/reimbursed", head)
        expense = edit(phone, expense, amount="90000.00")
        sync(phone, services)
        got = receipt(phone, expense)
        assert got["status"] == "rejected" and "reimbursed as ₹50000.00" in got["reason"]
        assert api(server, "GET", path, head)["amount"] == "50000.00"


def test_a_heads_step_is_the_servers_to_write_and_no_phone_drops_it(
        server: LiveServer, services: Services) -> None:
    head = login(server, "hema")
    asha = login(server, "asha")
    with Phone(server.url, asha) as phone:
        claimed = make_lead("asha", stage="po")
        claimed["history"].append({"stage": "proposal", "at": "2026-12-03T10:00:00+05:30",
                                   "by": "hema"})
        claimed["stage"] = "proposal"
        lead = make_lead("asha", stage="proposal")
        phone.call("bulk", db="me", docs=[claimed, lead])
        sync(phone, services)
        got = receipt(phone, claimed)
        assert got["status"] == "rejected" and "in hema's name" in got["reason"]
        assert receipt(phone, lead)["status"] == "accepted"

        moved = api(server, "POST", f"/api/v1/leads/{lead['_id']}/moves", head,
                    json={"stage": "potential"})
        services.worker().run_until_idle()
        assert api(server, "GET", f"/api/v1/leads/{lead['_id']}", head)["stage"] == "potential"
        held = phone.call("get", db="me", id=lead["_id"])
        # A revision written past the gateway's revision control, on top of the head's move,
        # whose later device clock and history leave the head's step out.
        forged = {**held, "title": "Chiller, 2 units", "updated_at": "2026-12-31T23:00:00+05:30",
                  "_rev": "3-" + "f" * 32,
                  "_revisions": {"start": 3, "ids": ["f" * 32, moved["rev"].split("-")[1],
                                                     held["_rev"].split("-")[1]]}}
        r = requests.post(f"{server.url}/sync/me/_bulk_docs", timeout=30,
                          headers={"Authorization": f"Bearer {asha}"},
                          json={"docs": [forged], "new_edits": False})
        assert r.status_code == 201, r.text
        services.worker().run_until_idle()
        seen = api(server, "GET", f"/api/v1/leads/{lead['_id']}", head)
        assert seen["stage"] == "potential"
        assert [h["by"] for h in seen["history"]][-1] == "hema"
        phone.call("pull", db="me")
        got = receipt(phone, forged)
        assert got["status"] == "rejected" and "does not carry that step" in got["reason"]
