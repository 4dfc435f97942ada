"""Offer -> head approval -> customer approval -> order through a real PouchDB phone."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from server.bootstrap import Services
from tests.factories import make_approval, make_offer, make_order
from tests.support.api import PASSWORD, seed
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

pytestmark = [pytest.mark.timeout(180)]
SIGNATURE = base64.b64encode(b"\x89PNG\r\n\x1a\nsigned by R. Kumar").decode()


@pytest.fixture
def server(services: Services) -> Iterator[LiveServer]:
    seed(services)
    with LiveServer(services) as live:
        yield live


def login(server: LiveServer, username: str) -> str:
    r = requests.post(server.url + "/api/v1/auth/login",
                      json={"username": username, "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    return str(r.json()["access_token"])


def api(server: LiveServer, method: str, path: str, token: str, **kwargs: Any) -> Any:
    r = requests.request(method, server.url + path, timeout=30,
                         headers={"Authorization": f"Bearer {token}"}, **kwargs)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json() if r.headers.get("Content-Type", "").startswith("application/json") else r


def sync(phone: Phone, services: Services) -> None:
    """The phone pushes, the worker runs, the phone pulls receipts and decisions."""
    phone.call("push", db="me")
    services.worker().run_until_idle()
    phone.call("pull", db="me")


def test_offer_to_order_through_phone_gateway_worker_and_api(server: LiveServer,
                                                             services: Services) -> None:
    admin, head = login(server, "adam"), login(server, "hema")
    api(server, "POST", "/api/v1/products", admin, json={
        "product_id": "P-700", "name": "Blast freezer", "hsn_code": "8418", "gst_rate": "18"})
    with Phone(server.url, login(server, "asha")) as phone:
        phone.call("pull", db="catalog")
        phone.call("pull", db="customers")
        assert phone.call("get", db="catalog", id="product:P-700")["gst_rate"] == "18"
        assert phone.call("get", db="customers", id="customer:C-1")["state_code"] == "29"

        offer = make_offer("asha", "C-1", [("P-700", 1, "250000.00", "8", "18")],
                           status="presented")
        phone.call("put", db="me", doc=offer)
        sync(phone, services)
        assert phone.call("get", db="me", id=f"receipt:{offer['_id']}")["status"] == "accepted"

        waiting = api(server, "GET", "/api/v1/offers?awaiting_decision=true", head)
        assert [o["doc_id"] for o in waiting["items"]] == [offer["_id"]]
        api(server, "POST", f"/api/v1/offers/{offer['_id']}/decision", head,
            json={"outcome": "approved", "note": "Annual contract"})
        phone.call("pull", db="me")
        decision = phone.call("get", db="me", id=f"decision:{offer['_id']}")
        assert decision["outcome"] == "approved" and decision["by"] == "hema"

        approval = make_approval(offer, _attachments={
            "signature.png": {"content_type": "image/png", "data": SIGNATURE}})
        phone.call("put", db="me", doc=approval)
        sync(phone, services)
        got = phone.call("get", db="me", id=f"receipt:{approval['_id']}")
        assert got["status"] == "accepted", got

        order = make_order(offer, approval)
        phone.call("put", db="me", doc=order)
        sync(phone, services)
        assert phone.call("get", db="me", id=f"receipt:{order['_id']}")["status"] == "accepted"

    seen = api(server, "GET", f"/api/v1/orders/{order['_id']}", admin)
    assert seen["grand_total"] == "271400.00" and seen["cgst"] == "20700.00"
    signature = api(server, "GET", f"/api/v1/attachments/{approval['_id']}/signature.png", head)
    assert signature.content == base64.b64decode(SIGNATURE)
    pdf = api(server, "GET", f"/api/v1/offers/{offer['_id']}/pdf", head)
    assert pdf.content.startswith(b"%PDF")
