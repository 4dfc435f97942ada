"""Quotation revisions, the customer's approval and its verification, the offer PDF, and
order cancellations: real PouchDB phones through the gateway and the worker, the API, and the
ERP test servers."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from server.bootstrap import Services
from server.sql.models.audit import AuditEntry
from tests.e2e.test_api_sales_flow import login
from tests.factories import (
    make_approval,
    make_cancellation,
    make_offer,
    make_order,
    make_revision,
)
from tests.support.api import seed
from tests.support.erp_servers.clock import FakeClock
from tests.support.erp_servers.fixtures import (  # noqa: F401
    erpnext_server,
    oracle_server,
    sap_server,
)
from tests.support.erp_servers.harness import drainer, erp_overrides
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

pytestmark = [pytest.mark.timeout(300)]
LINE = ("P-100", 2, "50000.00", "0", "18")  # no price list in this master data: not checked
SIGNATURE = base64.b64encode(b"\x89PNG\r\n\x1a\nsigned by R. Kumar").decode()
SELLER_GSTIN = "29AABCF1234Q1Z5"


@pytest.fixture
def server(build_services: Callable[..., Services]) -> Iterator[LiveServer]:
    selling = build_services(seller_name="Fieldsync Cooling Pvt Ltd", seller_gstin=SELLER_GSTIN)
    seed(selling)
    with LiveServer(selling) as live:
        yield live


def api(server: LiveServer, method: str, path: str, token: str, **kwargs: Any) -> Any:
    r = requests.request(method, server.url + path, timeout=30,
                         headers={"Authorization": f"Bearer {token}"}, **kwargs)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def sync(phone: Phone, services: Services) -> None:
    phone.call("push", db="me")
    services.worker().run_until_idle()
    phone.call("pull", db="me")


def receipt(phone: Phone, doc: dict[str, Any]) -> dict[str, Any]:
    return dict(phone.call("get", db="me", id=f"receipt:{doc['_id']}"))


def signed(owner: str = "asha", customer: str = "C-1") -> tuple[dict[str, Any], dict[str, Any]]:
    offer = make_offer(owner, customer, [LINE], status="approved")
    approval = make_approval(offer, _attachments={
        "signature.png": {"content_type": "image/png", "data": SIGNATURE}})
    return offer, approval


def test_a_revision_supersedes_the_signed_offer(server: LiveServer, services: Services) -> None:
    head = login(server, "hema")
    with Phone(server.url, login(server, "asha")) as phone:
        offer, approval = signed()
        phone.call("bulk", db="me", docs=[offer, approval])
        sync(phone, services)
        assert receipt(phone, approval)["status"] == "accepted"

        revision = make_revision(offer, [("P-100", 3, "50000.00", "0", "18")])
        phone.call("put", db="me", doc=revision)
        sync(phone, services)
        assert receipt(phone, revision)["status"] == "accepted"

        old = api(server, "GET", f"/api/v1/offers/{offer['_id']}", head)
        assert (old["superseded"], old["display_status"], old["superseded_by"]) == (
            True, "superseded", revision["_id"])
        new = api(server, "GET", f"/api/v1/offers/{revision['_id']}", head)
        assert (new["revision"], new["supersedes"], new["quotation_id"]) == (
            1, offer["_id"], offer["_id"])
        assert new["superseded"] is False and new["display_status"] == "presented"

        second = make_revision({**revision, "revision": 1})
        late = make_approval(offer, signed_by="Too Late", signed_at="2026-11-30T10:00:00+05:30")
        phone.call("bulk", db="me", docs=[second, late])
        sync(phone, services)
        assert receipt(phone, second)["status"] == "accepted"
        refused = receipt(phone, late)
        assert refused["status"] == "rejected" and "superseded by revision 1" in refused["reason"]
        listed = {o["doc_id"]: o["display_status"]
                  for o in api(server, "GET", "/api/v1/offers", head)["items"]}
        assert listed == {offer["_id"]: "superseded", revision["_id"]: "superseded",
                          second["_id"]: "presented"}


def test_a_revision_of_someone_elses_or_a_missing_offer_is_refused(
        server: LiveServer, services: Services) -> None:
    with Phone(server.url, login(server, "ravi")) as ravi:
        ravis = make_offer("ravi", "C-1", [LINE], status="presented")
        ravi.call("put", db="me", doc=ravis)
        sync(ravi, services)
    with Phone(server.url, login(server, "asha")) as phone:
        mine = make_offer("asha", "C-1", [LINE], status="presented")
        phone.call("put", db="me", doc=mine)
        sync(phone, services)
        of_ravi = {**make_revision(ravis), "owner": "asha"}
        other_customer = {**make_offer("asha", "C-2", [LINE], supply="inter"),
                          "supersedes": mine["_id"], "revision": 1, "quotation_id": mine["_id"]}
        ghost = make_revision(make_offer("asha", "C-1", [LINE], status="presented"))
        phone.call("bulk", db="me", docs=[of_ravi, other_customer, ghost])
        sync(phone, services)
        reasons = {name: receipt(phone, doc) for name, doc in
                   (("ravi", of_ravi), ("customer", other_customer), ("ghost", ghost))}
        assert all(r["status"] == "rejected" for r in reasons.values())
        assert "is ravi's, not yours" in reasons["ravi"]["reason"]
        assert "a revision keeps the customer" in reasons["customer"]["reason"]
        assert "which the server does not hold" in reasons["ghost"]["reason"]


def test_the_approval_is_shown_and_verified_against_the_stored_offer(
        server: LiveServer, services: Services) -> None:
    head = login(server, "hema")
    with Phone(server.url, login(server, "asha")) as phone:
        offer, approval = signed()
        phone.call("bulk", db="me", docs=[offer, approval])
        sync(phone, services)
    got = api(server, "GET", f"/api/v1/offers/{offer['_id']}", head)["approval"]
    assert (got["approval_id"], got["signed_by"], got["verification"]) == (
        approval["_id"], "R. Kumar", "intact")
    assert got["offer_hash"] == got["recomputed_hash"] == approval["offer_hash"]
    assert got["signed_at"].startswith("2026-11-29T04:45:00") and got["loc"]["lat"] == 12.9716
    image = api(server, "GET", got["signature_url"], head)
    assert image.content.startswith(b"\x89PNG")

    # Someone with the store's admin credentials raises the quantity behind FieldSync's back.
    db = f"{services.settings.db_prefix}eng-asha"
    stored = services.store.get_doc(db, offer["_id"])
    tampered = make_offer("asha", "C-1", [("P-100", 8, "50000.00", "0", "18")])
    services.store.put_doc(db, {**stored, "lines": tampered["lines"],
                                "totals": tampered["totals"]})
    got = api(server, "GET", f"/api/v1/offers/{offer['_id']}", head)["approval"]
    assert got["verification"] == "changed"
    assert got["recomputed_hash"] != got["offer_hash"] == approval["offer_hash"]
    listed = api(server, "GET", "/api/v1/offers", head)["items"]
    assert listed[0]["approval"]["verification"] == "changed"


def pdf_text(body: bytes) -> str:
    """The text drawn in a ReportLab PDF (its page streams are ASCII85 over Flate)."""
    parts = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", body, re.S):
        data = stream.strip().removesuffix(b"~>")
        try:
            parts.append(zlib.decompress(base64.a85decode(data)).decode("latin-1"))
        except (ValueError, zlib.error):  # fonts and images: no text of ours
            continue
    return "\n".join(re.findall(r"\((.*?)\) Tj", "".join(parts)))


def test_the_offer_pdf_carries_revision_seller_gstin_and_hash(
        server: LiveServer, services: Services) -> None:
    with Phone(server.url, login(server, "asha")) as phone:
        offer, approval = signed()
        revision = make_revision(offer)
        phone.call("bulk", db="me", docs=[offer, approval])
        sync(phone, services)
        phone.call("put", db="me", doc=revision)
        sync(phone, services)
    head = login(server, "hema")
    r = api(server, "GET", f"/api/v1/offers/{revision['_id']}/pdf", head)
    text = pdf_text(r.content)
    shown = api(server, "GET", f"/api/v1/offers/{revision['_id']}", head)
    assert f"Revision 1 of quotation {offer['_id']}" in text
    assert "Fieldsync Cooling Pvt Ltd" in text and SELLER_GSTIN in text
    assert shown["content_hash"] in text
    assert r.headers["X-Offer-Hash"] == shown["content_hash"]
    assert len(r.headers["X-Content-SHA256"]) == 64


def ordered(phone: Phone, services: Services) -> dict[str, Any]:
    offer, approval = signed()
    order = make_order(offer, approval)
    phone.call("bulk", db="me", docs=[offer, approval, order])
    sync(phone, services)
    assert receipt(phone, order)["status"] == "accepted"
    return order


def test_a_cancellation_needs_a_reason_and_a_declined_one_shows_the_note(
        server: LiveServer, services: Services) -> None:
    head = login(server, "hema")
    with Phone(server.url, login(server, "asha")) as phone:
        order = ordered(phone, services)
        blank = make_cancellation(order, reason=" ")
        phone.call("put", db="me", doc=blank)
        phone.call("push", db="me")
        denied = {d["id"]: d["reason"] for d in phone.call("denied")["denied"]}
        assert "say why the order should be cancelled" in denied[blank["_id"]]
        r = requests.post(f"{server.url}/api/v1/orders/{order['_id']}/cancellation/decision",
                          json={"outcome": "approved"}, timeout=30,
                          headers={"Authorization": f"Bearer {head}"})
        assert r.status_code == 409 and "has no cancellation request" in r.json()["message"]

        held = phone.call("get", db="me", id=blank["_id"])
        request = {**held, "reason": "Customer postponed the project"}
        phone.call("put", db="me", doc=request)
        sync(phone, services)
        assert receipt(phone, request)["status"] == "accepted"
        seen = api(server, "GET", f"/api/v1/orders/{order['_id']}", head)["cancellation"]
        assert (seen["status"], seen["reason"]) == ("requested", "Customer postponed the project")
        waiting = api(server, "GET", "/api/v1/orders?cancellation=requested", head)["items"]
        assert [o["doc_id"] for o in waiting] == [order["_id"]]

        decided = api(server, "POST", f"/api/v1/orders/{order['_id']}/cancellation/decision",
                      head, json={"outcome": "declined", "note": "Goods already dispatched"})
        assert (decided["status"], decided["note"]) == ("declined", "Goods already dispatched")
        sync(phone, services)
        decision = phone.call("get", db="me", id=f"decision:{request['_id']}")
        assert (decision["outcome"], decision["note"], decision["terms"]) == (
            "declined", "Goods already dispatched", "Customer postponed the project")
        assert api(server, "GET", "/api/v1/orders?cancellation=declined", head)["total"] == 1
        assert api(server, "GET", "/api/v1/orders?cancellation=requested", head)["total"] == 0


@pytest.mark.parametrize("kind", ["sap", "oracle", "erpnext"])
def test_an_approved_cancellation_reaches_the_erp_once(
        kind: str, server: LiveServer, build_services: Callable[..., Services],
        request: pytest.FixtureRequest) -> None:
    erp = request.getfixturevalue(f"{kind}_server")
    services = build_services(**erp_overrides(kind, erp))  # the worker queues for this ERP
    settings = services.settings
    head = login(server, "hema")
    with Phone(server.url, login(server, "asha")) as phone:
        order = ordered(phone, services)
        assert drainer(services, settings, FakeClock()).run_until_idle().accepted == 1
        cancel = make_cancellation(order)
        phone.call("put", db="me", doc=cancel)
        sync(phone, services)
        api(server, "POST", f"/api/v1/orders/{order['_id']}/cancellation/decision", head,
            json={"outcome": "approved"})
        sender = services.erp_cancellations
        assert sender.send_due() == 1
        assert sender.send_due() == 0  # settled: never sent again
        seen = api(server, "GET", f"/api/v1/orders/{order['_id']}", head)
        assert seen["cancellation"]["status"] == "cancelled"
        assert seen["cancellation"]["erp_status"] == "cancelled", seen["cancellation"]
        number = seen["erp_number"]
        if kind == "sap":
            assert erp.cancelled(number) == 1 and erp.rejections[0][2] == "10"
        elif kind == "oracle":
            (action,) = erp.actions
            assert action["ActionCode"] == "ORA_FOM_CANCEL_ORDER"
            assert action["CancelReason"] == "Customer postponed the project"
        else:
            assert erp.cancels == [number]
        with services.sessions() as s:  # the trail has the head's decision and the one send
            actions = list(s.scalars(select(AuditEntry.action).where(
                AuditEntry.entity_id.in_([order["_id"], cancel["_id"]]))))
        assert actions.count("erp.cancel") == 1 and "decision.cancellation" in actions

        changed = {**phone.call("get", db="me", id=cancel["_id"]), "reason": "Never mind"}
        phone.call("put", db="me", doc=changed)
        sync(phone, services)
        assert "can no longer change" in receipt(phone, changed)["reason"]
        sync(phone, services)
        decision = phone.call("get", db="me", id=f"decision:{cancel['_id']}")
        assert decision["outcome"] == "approved"
