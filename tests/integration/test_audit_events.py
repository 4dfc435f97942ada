"""Conflict resolutions, ERP sends and retries, and writes the gateway refuses reach the audit
trail (a real PouchDB phone through the gateway; SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from server.bootstrap import Services
from server.rebuild import rebuild_projection
from sync.provisioning import engineer_db_name
from sync.store import CouchStore
from tests.factories import make_expense, make_offer
from tests.support.api import PASSWORD, ApiClient, api_client, phone_writes, seed
from tests.support.conflict_revisions import make_conflict
from tests.support.erp_servers.clock import FakeClock
from tests.support.erp_servers.fixtures import oracle_server  # noqa: F401
from tests.support.erp_servers.harness import drainer, enqueue, erp_overrides
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

pytestmark = pytest.mark.timeout(300)


def trail(api: ApiClient, **filters: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    reply = api.get(f"/api/v1/audit?page_size=200&{query}", "adam")
    assert reply.status_code == 200, reply.data
    return list(reversed(reply.json["items"]))


def test_an_admins_conflict_resolution_is_recorded(services: Services) -> None:
    seed(services)
    api = api_client(services)
    db = engineer_db_name(services.settings.db_prefix, "asha")
    store = services.store
    assert isinstance(store, CouchStore)
    base = make_offer("asha", "C-1", [("P-100", 1, "1000.00", "0", "18")], offer_id="offer:o1")
    revs = make_conflict(store, db, base,
                         make_offer("asha", "C-1", [("P-100", 1, "950.00", "0", "18")],
                                    offer_id="offer:o1"),
                         make_offer("asha", "C-1", [("P-100", 1, "900.00", "0", "18")],
                                    offer_id="offer:o1"))
    queued = services.conflicts.handle(db, "offer:o1")
    assert queued.conflict_id is not None
    done = api.post(f"/api/v1/conflicts/{queued.conflict_id}/resolve", "adam",
                    json={"method": "keep", "rev": revs[0]})
    assert done.status_code == 200, done.json
    rows = trail(api, action="conflict.resolve")
    assert len(rows) == 1
    row = rows[0]
    assert (row["actor"], row["entity_type"], row["entity_id"]) == ("adam", "conflict",
                                                                    str(queued.conflict_id))
    assert row["address"] == "127.0.0.1"
    assert row["before"]["doc_id"] == "offer:o1" and set(revs) <= set(row["before"]["revisions"])
    assert row["after"]["method"] == "keep"
    assert row["after"]["resulting_rev"] == done.json["resolutions"][0]["resulting_rev"]


def test_erp_sends_and_an_admins_retry_are_recorded(build_services: Callable[..., Services],
                                                    oracle_server: Any) -> None:  # noqa: F811
    services = build_services(**erp_overrides("oracle", oracle_server, erp_max_attempts=1))
    settings = services.settings
    seed(services)
    docs = enqueue(services, range(1, 3), "oracle")
    oracle_server.faults.push("503")
    clock = FakeClock()
    drainer(services, settings, clock).run_until_idle()
    api = api_client(services)
    sends = trail(api, action="erp.send")
    assert len(sends) == 2 and {r["actor"] for r in sends} == {"erp-bridge"}
    by_outcome = {r["after"]["outcome"]: r for r in sends}
    dead, accepted = by_outcome["dead"], by_outcome["accepted"]
    assert "503" in dead["after"]["reason"] and dead["after"]["status"] == "failed"
    assert accepted["after"]["erp_number"] and accepted["before"] == {"status": "queued"}
    assert {r["entity_id"] for r in sends} == {d["_id"] for d in docs}

    assert api.post(f"/api/v1/erp/outbox/{dead['entity_id']}/retry", "adam").status_code == 200
    retry = trail(api, action="erp.retry")[-1]
    assert (retry["actor"], retry["entity_id"]) == ("adam", dead["entity_id"])
    assert retry["before"]["status"] == "failed" and retry["after"]["status"] == "queued"


def test_a_write_the_gateway_refuses_is_recorded_with_the_engineer_and_device(
        services: Services) -> None:
    seed(services)
    broken = {**make_expense("asha"), "km": -5}
    with LiveServer(services) as live:
        r = requests.post(live.url + "/api/v1/auth/login",
                          json={"username": "asha", "password": PASSWORD}, timeout=10)
        r.raise_for_status()
        with Phone(live.url, r.json()["access_token"]) as phone:
            phone.call("bulk", db="me", docs=[broken])
            pushed = phone.call("push", db="me")
    assert pushed["doc_write_failures"] == 1
    rows = trail(api_client(services), action="document.refused")
    assert len(rows) == 1
    row = rows[0]
    assert (row["actor"], row["device_id"], row["address"]) == ("asha", broken["device_id"],
                                                                "127.0.0.1")
    assert (row["entity_type"], row["entity_id"]) == ("expense", broken["_id"])
    assert "km must be at least 0" in row["after"]["reason"]
    assert row["after"]["source"] == "gateway"


def test_a_commercial_document_the_worker_refuses_is_recorded_once(services: Services) -> None:
    seed(services)
    offer = make_offer("asha", "C-404", [("P-100", 1, "1000.00", "0", "18")])
    phone_writes(services, "asha", offer, make_expense("asha"))
    api = api_client(services)
    rows = trail(api, action="document.refused")
    assert len(rows) == 1  # the accepted expense is not in the trail
    row = rows[0]
    assert (row["actor"], row["device_id"]) == ("asha", offer["device_id"])
    assert (row["entity_type"], row["entity_id"]) == ("offer", offer["_id"])
    assert row["after"]["source"] == "worker" and "C-404" in row["after"]["reason"]
    rebuild_projection(services)
    assert len(trail(api, action="document.refused")) == 1
    assert api.get("/api/v1/audit/verify", "adam").json["intact"]
