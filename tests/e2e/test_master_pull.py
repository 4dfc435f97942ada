"""Master data from each test ERP to a PouchDB phone and back through the worker: the pull
brings GST states, GSTINs, HSN codes, GST rates and list prices; the phone gets the price
list; an offer at that price is accepted, and what the ERP left incomplete is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from erp_bridge.adapters import adapter_from_settings
from erp_bridge.master_codes import MasterCodes
from erp_bridge.master_pull import UNASSIGNED, MasterDataPuller
from server.audit.recorder import record
from server.bootstrap import Services
from sync.publish import MasterDataPublisher
from tests.e2e.test_api_sales_flow import login
from tests.e2e.test_territory import api
from tests.factories import make_offer
from tests.integration.test_erp_adapters import HSN, seed_master
from tests.integration.test_erp_master_pull import TAX_CODES
from tests.support.api import seed
from tests.support.erp_servers.erpnext import ErpNextServer
from tests.support.erp_servers.harness import erp_settings
from tests.support.erp_servers.oracle import OracleServer
from tests.support.erp_servers.sap import SapServer
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

pytestmark = [pytest.mark.timeout(240)]
SERVERS = {"sap": SapServer, "oracle": OracleServer, "erpnext": ErpNextServer}


@pytest.fixture(params=sorted(SERVERS))
def erp(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
    server = SERVERS[request.param]()
    server.start()
    seed_master(server, request.param)
    yield request.param, server
    server.stop()


@pytest.fixture
def server(services: Services) -> Iterator[LiveServer]:
    seed(services)
    with LiveServer(services) as live:
        yield live


def pull(services: Services, kind: str, erp_server: Any) -> Any:
    settings = erp_settings(services, kind, erp_server, erp_page_size=2, **TAX_CODES[kind])
    adapter = adapter_from_settings(settings)
    try:
        publisher = MasterDataPublisher(services.store, services.sessions, settings.db_prefix)
        return MasterDataPuller(services.sessions, adapter, publisher, settings.company_state,
                                codes=MasterCodes.from_settings(settings), audit=record).pull()
    finally:
        adapter.close()


def test_prices_pulled_from_the_erp_price_the_phones_offers(
        erp: tuple[str, Any], server: LiveServer, services: Services) -> None:
    kind, erp_server = erp
    report = pull(services, kind, erp_server)
    assert (report.customers, report.products, report.prices, report.error) == (7, 7, 1, "")
    assert any(p.startswith("customer C6 (Customer 6): the ERP gives no GST state")
               for p in report.problems)
    admin = login(server, "adam")
    # Customers new from the ERP wait unassigned; the admin lets asha sell to them.
    api(server, "PATCH", "/api/v1/users/asha", admin, json={"extra_territories": [UNASSIGNED]})
    with Phone(server.url, login(server, "asha")) as phone:
        phone.call("pull", db="catalog")
        product = phone.call("get", db="catalog", id="product:P1")
        assert (product["gst_rate"], product["hsn_code"]) == ("18", HSN)
        held = phone.call("all_docs", db="catalog", options={"include_docs": True})["rows"]
        lists = [row["doc"] for row in held if row["id"].startswith("price_list:")]
        assert [pl["prices"] for pl in lists] == [{"P1": "185000.00"}]

        at_list = make_offer("asha", "C1", [("P1", 2, "185000.00", "0", "18")])
        no_state = make_offer("asha", "C6", [("P1", 1, "185000.00", "0", "18")])
        unlisted = make_offer("asha", "C1", [("P2", 1, "1000.00", "0", "18")])
        phone.call("bulk", db="me", docs=[at_list, no_state, unlisted])
        phone.call("push", db="me")
        services.worker().run_until_idle()
        phone.call("pull", db="me")
        got = {doc["_id"]: phone.call("get", db="me", id=f"receipt:{doc['_id']}")
               for doc in (at_list, no_state, unlisted)}
    assert (got[at_list["_id"]]["status"], got[at_list["_id"]]["reason"]) == ("accepted", "")
    assert got[no_state["_id"]]["status"] == "rejected"
    assert 'Customer "C6" has no GST state in master data' in got[no_state["_id"]]["reason"]
    assert got[unlisted["_id"]]["status"] == "rejected"
    assert f'product "P2" is not on price list {lists[0]["price_list_id"]}' in \
        got[unlisted["_id"]]["reason"]
    offer = api(server, "GET", f"/api/v1/offers/{at_list['_id']}", admin)
    assert offer["customer_id"] == "C1" and offer["grand_total"] == "436600.00"
