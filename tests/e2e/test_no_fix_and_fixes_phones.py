"""Through real PouchDB phones, the gateway, the worker and the reports (SQLite and PostgreSQL):
a signature and a check-in without a GPS fix are accepted and flagged, and a lead refused for
its typed proposal value is accepted once fixed, its history whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from server.bootstrap import Services
from server.reports.jobs import build_jobs
from server.sql.models.documents import CustomerApproval, LeadStageHistory, Visit
from tests.e2e.test_api_sales_flow import api, login
from tests.e2e.test_commercial_record import receipt, sync
from tests.factories import make_approval, make_lead, make_offer, make_visit
from tests.support.api import seed
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

pytestmark = [pytest.mark.timeout(240)]
SPAN = {"date_from": "2026-11-28", "date_to": "2026-11-30"}


@pytest.fixture
def server(services: Services) -> Iterator[LiveServer]:
    seed(services)
    with LiveServer(services) as live:
        yield live


def basement_documents() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    offer = make_offer("asha", "C-1", [("P-100", 2, "50000.00", "0", "18")], status="presented")
    approval = make_approval(offer, no_fix="no fix after 10 s")
    del approval["loc"]
    visit = make_visit("asha", customer_id="C-1", checked_out=False)
    visit["check_in"] = {"at": visit["check_in"]["at"], "no_fix": "location permission denied"}
    del visit["loc"]
    return offer, approval, visit


def test_a_signature_and_a_check_in_without_a_fix_are_accepted_and_flagged(
        server: LiveServer, services: Services) -> None:
    offer, approval, visit = basement_documents()
    with Phone(server.url, login(server, "asha")) as phone:
        phone.call("put", db="me", doc=offer)
        sync(phone, services)
        phone.call("bulk", db="me", docs=[approval, visit])
        sync(phone, services)
        assert phone.call("denied")["denied"] == []
        assert receipt(phone, approval)["status"] == "accepted", receipt(phone, approval)
        assert receipt(phone, visit)["status"] == "accepted", receipt(phone, visit)

    with services.sessions() as s:
        signed = s.scalars(select(CustomerApproval)).one()
        checked = s.scalars(select(Visit)).one()
        assert (signed.no_fix, signed.loc_lat) == ("no fix after 10 s", None)
        assert (checked.check_in_no_fix, checked.check_in_lat) == (
            "location permission denied", None)

    _, verification = build_jobs(services)
    verification.run()
    head = login(server, "hema")
    seen = api(server, "GET", "/api/v1/reports/verifications", head,
               params={"status": "unknown", **SPAN})
    by_type = {r["doc_type"]: r for r in seen["rows"]}
    assert by_type["approval"]["reason"] == by_type["visit"]["reason"] == "no_fix"
    assert by_type["approval"]["message"] == (
        "written without a GPS fix; the phone said: no fix after 10 s")
    integrity = api(server, "GET", "/api/v1/reports/integrity", head, params=SPAN)
    row = next(r for r in integrity["rows"] if r["engineer"] == "asha")
    assert row["reason_codes"] == "without_fix"
    assert row["reasons"] == ("1 signature and 1 check-in saved without a GPS fix "
                              "(location permission denied; no fix after 10 s)")
    assert integrity["summary"]["days_by_reason"] == {"without_fix": 1}


def test_a_lead_refused_for_its_typed_value_is_accepted_once_fixed_with_its_history(
        server: LiveServer, services: Services) -> None:
    lead = make_lead("asha", stage="po", customer_id="C-1")
    lead["details"]["proposal"]["value"] = "4,50,000"  # as the old form saved it
    with Phone(server.url, login(server, "asha")) as phone:
        lead["_rev"] = phone.call("put", db="me", doc=lead)["rev"]
        sync(phone, services)
        refused = phone.call("denied")["denied"]
        assert lead["_id"] in str(refused), refused

        # The fix the phone writes: the value as parseMoney reads "4,50,000", nothing else.
        fixed = {**lead, "details": {**lead["details"], "proposal": {"value": "450000.00"}},
                 "updated_at": "2026-12-02T10:00:00+05:30"}
        fixed["_rev"] = phone.call("put", db="me", doc=fixed)["rev"]
        sync(phone, services)
        got = receipt(phone, fixed)
        assert (got["status"], got["doc_rev"]) == ("accepted", fixed["_rev"]), got

    with services.sessions() as s:
        steps = s.scalars(select(LeadStageHistory.stage).where(
            LeadStageHistory.lead_id == lead["_id"]).order_by(LeadStageHistory.position)).all()
    assert steps == ["potential", "proposal", "po"]
