"""Master data from each test ERP into SQL and onto the phones, in pages and by delta."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from erp_bridge.adapters import adapter_from_settings
from erp_bridge.master_codes import MasterCodes
from erp_bridge.master_pull import UNASSIGNED, MasterDataPuller
from server.audit.recorder import record
from server.bootstrap import Services
from server.sql.models.audit import AuditEntry
from server.sql.models.erp import ErpSyncState
from server.sql.models.master import Customer, Product, Territory
from server.sql.session import transaction
from sync.provisioning import catalog_db_name, customers_db_name
from sync.publish import MasterDataPublisher
from tests.integration.test_erp_adapters import HSN, seed_master, stamp
from tests.support.api import gstin
from tests.support.erp_servers.fixtures import (  # noqa: F401
    erpnext_server,
    oracle_server,
    sap_server,
)
from tests.support.erp_servers.harness import erp_settings


@pytest.fixture(params=["sap", "oracle", "erpnext"])
def puller(request: pytest.FixtureRequest, services: Services) -> tuple[MasterDataPuller, Any]:
    kind = request.param
    server = request.getfixturevalue(f"{kind}_server")
    seed_master(server, kind)
    settings = erp_settings(services, kind, server, erp_page_size=2, **TAX_CODES[kind])
    adapter = adapter_from_settings(settings)
    request.addfinalizer(adapter.close)
    publisher = MasterDataPublisher(services.store, services.sessions, settings.db_prefix)
    return MasterDataPuller(services.sessions, adapter, publisher, "29",
                            codes=MasterCodes.from_settings(settings), audit=record), server


# Each deployment names its ERP's codes: SAP's tax classification and region, Oracle's output
# tax classification; ERPNext's Item Tax Templates carry their rate.
TAX_CODES: dict[str, dict[str, str]] = {
    "sap": {"erp_tax_rates": "3=18", "erp_region_states": "10=29"},
    "oracle": {"erp_tax_rates": "GST18=18"}, "erpnext": {}}


def test_pull_upserts_publishes_and_then_reads_only_the_delta(
        services: Services, puller: tuple[MasterDataPuller, Any]) -> None:
    pull, server = puller
    with transaction(services.sessions) as session:
        session.add(Territory(code="KA-N", name="Karnataka North"))
        session.flush()
        session.add(Customer(customer_id="C2", name="Old name", state_code="29",
                             territory_code="KA-N"))
    first = pull.pull()
    assert (first.customers, first.products, first.prices, first.error) == (7, 7, 1, "")
    assert [p for p in first.problems if "customer" in p] == [
        "customer C6 (Customer 6): the ERP gives no GST state and no GSTIN; set its state "
        "code in the console"]
    with services.sessions() as session:
        customers = {c.customer_id: c for c in session.scalars(select(Customer))}
        products = {p.product_id: p for p in session.scalars(select(Product))}
        state = session.get(ErpSyncState, (pull.adapter.kind, "customers"))
        assert state is not None and state.last_count == 7
        audited = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "erp_pull.customers")).one()
        assert (audited.actor, audited.entity_id) == ("erp-bridge", pull.adapter.kind)
        assert json.loads(audited.after) == {"count": 7, "ids": [f"C{n}" for n in range(1, 8)]}
    assert customers["C2"].name == "Customer 2" and customers["C2"].territory_code == "KA-N"
    assert customers["C1"].territory_code == UNASSIGNED and not customers["C3"].active
    assert products["P1"].gst_rate == Decimal("18") and not products["P4"].active
    assert products["P1"].hsn_code == HSN
    assert {c: customers[c].state_code for c in ("C1", "C5", "C6", "C7")} == {
        "C1": "29", "C5": "27", "C6": "", "C7": "29"}
    assert customers["C1"].gstin == gstin("29", pan="AABCS0001B") and customers["C7"].gstin is None
    assert customers["C2"].city == "Bengaluru" and customers["C2"].pincode == "560001"
    lists = [pl for pl in services.store.all_docs(
        catalog_db_name(services.settings.db_prefix), include_docs=True)
        if pl["id"].startswith("price_list:")]
    assert [pl["doc"]["prices"] for pl in lists] == [{"P1": "185000.00"}]
    catalog = services.store.all_docs(catalog_db_name(services.settings.db_prefix),
                                      ["product:P7"], include_docs=True)
    assert catalog[0]["doc"]["name"] == "Product 7"
    unassigned = customers_db_name(services.settings.db_prefix, UNASSIGNED)
    assert services.store.get_doc(unassigned, "customer:C1")["name"] == "Customer 1"

    change_customer(server, pull.adapter.kind)
    second = pull.pull()
    assert second.customers == 2  # the last one seen (inclusive watermark) and the changed one
    with services.sessions() as session:
        assert session.get(Customer, "C1").name == "Renamed 1"  # type: ignore[union-attr]


def change_customer(server: Any, kind: str) -> None:
    if kind == "sap":
        row = server.partners[0]
        day = int(datetime(2026, 11, 28, tzinfo=UTC).timestamp() * 1000)
        row["LastChangeDate"] = f"/Date({day})/"
        row["to_Customer"]["CustomerName"] = "Renamed 1"
    elif kind == "oracle":
        server.accounts[0].update(OrganizationName="Renamed 1", LastUpdateDate=stamp(28, kind))
    else:
        server.docs["Customer"][0].update(customer_name="Renamed 1", modified=stamp(28, kind))


def test_a_failing_erp_leaves_data_alone_and_says_why(
        services: Services, puller: tuple[MasterDataPuller, Any]) -> None:
    pull, server = puller
    server.stop()
    report = pull.pull()
    assert report.error and report.customers == 0
    with services.sessions() as session:
        assert session.scalars(select(Customer)).all() == []
        state = session.get(ErpSyncState, (pull.adapter.kind, "customers"))
        assert state is not None and "could not be reached" in state.last_error
