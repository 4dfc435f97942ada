"""Territory through real PouchDB phones, the gateway and the worker: an engineer sells to the
customers of their own territory, and of the others an admin allows them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from server.bootstrap import Services
from tests.e2e.test_api_sales_flow import login
from tests.factories import make_lead, make_offer, make_visit
from tests.support.api import seed
from tests.support.live_server import LiveServer
from tests.support.phone import Phone
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.timeout(240)]
REFUSAL = "Customer C-M1 (Mumbai) is outside your territory KA: ask an admin to allow MUM"


@pytest.fixture
def server(services: Services) -> Iterator[LiveServer]:
    seed(services)
    with LiveServer(services) as live:
        yield live


def call(server: LiveServer, method: str, path: str, token: str, **kwargs: Any
         ) -> requests.Response:
    return requests.request(method, server.url + path, timeout=30,
                            headers={"Authorization": f"Bearer {token}"}, **kwargs)


def api(server: LiveServer, method: str, path: str, token: str, **kwargs: Any) -> Any:
    r = call(server, method, path, token, **kwargs)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json()


def sync(phone: Phone, services: Services) -> None:
    phone.call("push", db="me")
    services.worker().run_until_idle()
    phone.call("pull", db="me")


def receipt(phone: Phone, doc: dict[str, Any]) -> dict[str, Any]:
    return dict(phone.call("get", db="me", id=f"receipt:{doc['_id']}"))


def held_customers(phone: Phone) -> list[str]:
    rows = phone.call("all_docs", db="customers")["rows"]
    return sorted(row["id"] for row in rows if row["id"].startswith("customer:"))


def pulled_customers(phone: Phone) -> list[str]:
    phone.call("pull", db="customers")
    return held_customers(phone)


def mumbai_customer(server: LiveServer, admin: str) -> None:
    api(server, "POST", "/api/v1/territories", admin, json={"code": "MUM", "name": "Mumbai"})
    api(server, "POST", "/api/v1/customers", admin, json={
        "customer_id": "C-M1", "name": "Andheri Ice Works", "state_code": "27",
        "territory_code": "MUM", "city": "Mumbai"})


def test_an_engineer_sells_outside_their_territory_only_when_an_admin_allows_it(
        server: LiveServer, services: Services) -> None:
    admin = login(server, "adam")
    mumbai_customer(server, admin)
    with Phone(server.url, login(server, "asha")) as phone:
        phone.call("pull", db="customers")
        assert held_customers(phone) == ["customer:C-1", "customer:C-2"]
        home_rev = phone.call("get", db="customers", id="customer:C-1")["_rev"]
        offer = make_offer("asha", "C-M1", [("P-100", 1, "50000.00", "0", "18")],
                           supply="inter")
        visit = make_visit("asha", customer_id="C-M1")
        lead = make_lead("asha", customer_id="C-M1")
        home = make_offer("asha", "C-1", [("P-100", 1, "50000.00", "0", "18")])
        phone.call("bulk", db="me", docs=[offer, visit, lead, home])
        sync(phone, services)
        for doc in (offer, visit, lead):
            got = receipt(phone, doc)
            assert got["status"] == "rejected", got
            assert REFUSAL in got["reason"]
        assert receipt(phone, home)["status"] == "accepted"
        assert call(server, "GET", f"/api/v1/offers/{offer['_id']}", admin).status_code == 404

        allowed = api(server, "PATCH", "/api/v1/users/asha", admin,
                      json={"extra_territories": ["mum"]})
        assert allowed["extra_territories"] == ["MUM"] and allowed["territory_code"] == "KA"
        # The phone now replicates the customers of both territories (a sign-in's territories
        # are cached for up to a second), each document with the revision it already held.
        wait_for(lambda: pulled_customers(phone) == [
            "customer:C-1", "customer:C-2", "customer:C-M1"], 10, "Mumbai's customer on the phone")
        same = phone.call("get", db="customers", id="customer:C-1",
                          options={"conflicts": True})
        assert same["_rev"] == home_rev and "_conflicts" not in same
        for doc in (offer, visit, lead):
            held = phone.call("get", db="me", id=doc["_id"])
            phone.call("put", db="me", doc={**held, "updated_at": "2026-11-30T11:00:00+05:30"})
        sync(phone, services)
        for doc in (offer, visit, lead):
            assert receipt(phone, doc)["status"] == "accepted", receipt(phone, doc)
        assert api(server, "GET", f"/api/v1/offers/{offer['_id']}", admin)["customer_id"] == \
            "C-M1"

        api(server, "PATCH", "/api/v1/users/asha", admin, json={"extra_territories": []})
        again = make_offer("asha", "C-M1", [("P-100", 1, "50000.00", "0", "18")],
                           supply="inter")
        phone.call("put", db="me", doc=again)
        sync(phone, services)
        assert REFUSAL in receipt(phone, again)["reason"]


def test_extra_territories_are_an_admins_to_give(server: LiveServer) -> None:
    admin, head = login(server, "adam"), login(server, "hema")
    refused = call(server, "PATCH", "/api/v1/users/asha", head, json={"extra_territories": ["TN"]})
    assert refused.status_code == 403
    unknown = call(server, "PATCH", "/api/v1/users/asha", admin,
                   json={"extra_territories": ["NOWHERE"]})
    assert unknown.status_code == 400
    assert unknown.json()["message"] == "territory NOWHERE does not exist; create it first"
    bad = call(server, "PATCH", "/api/v1/users/asha", admin, json={"extra_territories": ["a b"]})
    assert bad.status_code == 422 and "extra_territories" in bad.json()["errors"]["json"]
    own = api(server, "PATCH", "/api/v1/users/asha", admin,
              json={"extra_territories": ["KA", "TN"]})
    assert own["extra_territories"] == ["TN"]  # their own territory is not listed twice
    signed_in = requests.post(server.url + "/api/v1/auth/login", timeout=30, json={
        "username": "asha", "password": "correct horse battery"}).json()
    assert signed_in["user"]["extra_territories"] == ["TN"]
