"""Each ERP adapter against its test server: create, lookup, faults, errors, master data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from erp_bridge.adapters import ErpAdapter, adapter_from_settings
from erp_bridge.errors import ErpRejected, ErpTransient
from erp_bridge.snapshot import build_snapshot
from server.config import Settings
from tests.support.api import gstin
from tests.support.erp_servers.base import ErpTestServer
from tests.support.erp_servers.erpnext import ErpNextServer
from tests.support.erp_servers.fixtures import (  # noqa: F401
    erpnext_server,
    oracle_server,
    sap_server,
)
from tests.support.erp_servers.oracle import OracleServer
from tests.support.erp_servers.orders import order_doc
from tests.support.erp_servers.sap import SapServer

KINDS = ["sap", "oracle", "erpnext"]


def make_adapter(kind: str, server: ErpTestServer, **extra: Any) -> ErpAdapter:
    user, password = ("key", "secret") if kind == "erpnext" else ("erpuser", "erppass")
    values: dict[str, Any] = {"erp_kind": kind, "erp_url": server.url, "erp_username": user,
                              "erp_password": password, "erp_timeout_s": 0.3,
                              "erp_page_size": 2}
    settings = Settings(**{**values, **extra})
    return adapter_from_settings(settings)


@pytest.fixture(params=KINDS)
def erp(request: pytest.FixtureRequest) -> tuple[ErpAdapter, Any]:
    server = request.getfixturevalue(f"{request.param}_server")
    adapter = make_adapter(request.param, server)
    request.addfinalizer(adapter.close)
    return adapter, server


def test_create_then_find_by_key(erp: tuple[ErpAdapter, Any]) -> None:
    adapter, server = erp
    snapshot = build_snapshot(order_doc(1))
    assert adapter.find_order(snapshot) is None
    created = adapter.create_order(snapshot)
    found = adapter.find_order(snapshot)
    assert found is not None and found.number == created.number
    assert server.count(snapshot["key"]) == 1


@pytest.mark.parametrize("fault", ["drop-after-commit", "504-after-commit", "slow"])
def test_unknown_outcome_then_lookup_finds_the_order(erp: tuple[ErpAdapter, Any],
                                                     fault: str) -> None:
    adapter, server = erp
    snapshot = build_snapshot(order_doc(2))
    server.faults.push(fault)
    with pytest.raises(ErpTransient) as caught:
        adapter.create_order(snapshot)
    assert caught.value.outcome_unknown
    found = adapter.find_order(snapshot)
    assert found is not None
    assert server.count(snapshot["key"]) == 1


@pytest.mark.parametrize(("fault", "wait"), [("429", 2.0), ("503", 2.0), ("429-date", 3.0)])
def test_overload_is_retryable_and_honours_retry_after(erp: tuple[ErpAdapter, Any], fault: str,
                                                       wait: float) -> None:
    adapter, server = erp
    snapshot = build_snapshot(order_doc(3))
    server.faults.push(fault)
    with pytest.raises(ErpTransient) as caught:
        adapter.create_order(snapshot)
    assert not caught.value.outcome_unknown
    assert caught.value.retry_after_s == pytest.approx(wait, abs=1.0)
    assert server.count(snapshot["key"]) == 0
    adapter.create_order(snapshot)
    assert server.count(snapshot["key"]) == 1


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_server_error_and_dropped_request_are_retryable(erp: tuple[ErpAdapter, Any],
                                                        fault: str) -> None:
    adapter, server = erp
    server.faults.push(fault)
    with pytest.raises(ErpTransient):
        adapter.create_order(build_snapshot(order_doc(4)))


def test_validation_error_is_rejected_with_the_erps_text(erp: tuple[ErpAdapter, Any]) -> None:
    adapter, server = erp
    snapshot = build_snapshot(order_doc(5, customer="BAD-1"))
    with pytest.raises(ErpRejected) as caught:
        adapter.create_order(snapshot)
    expected = {SapServer: "Sold-to party BAD-1 not defined",
                OracleServer: "failed validation", ErpNextServer: "Could not find Customer"}
    assert expected[type(server)] in str(caught.value)
    assert server.count(snapshot["key"]) == 0


def test_wrong_credentials_are_not_taken_for_success(erp: tuple[ErpAdapter, Any]) -> None:
    _, server = erp
    kind = {SapServer: "sap", OracleServer: "oracle", ErpNextServer: "erpnext"}[type(server)]
    adapter = make_adapter(kind, server, erp_password="wrong")
    try:
        with pytest.raises((ErpTransient, ErpRejected)):
            adapter.create_order(build_snapshot(order_doc(6)))
    finally:
        adapter.close()


def test_sap_token_expiry_refetches_once(sap_server: SapServer) -> None:  # noqa: F811
    adapter = make_adapter("sap", sap_server)
    snapshot = build_snapshot(order_doc(7))
    adapter.create_order(build_snapshot(order_doc(8)))
    sap_server.expire_tokens()
    adapter.create_order(snapshot)
    sap_server.faults.push("token-expiry", "token-expiry")
    with pytest.raises(ErpTransient, match="CSRF"):
        adapter.create_order(build_snapshot(order_doc(9)))
    assert sap_server.count(snapshot["key"]) == 1
    assert sap_server.count(build_snapshot(order_doc(9))["key"]) == 0
    adapter.close()


def test_sap_refuses_writes_without_token_and_cookie(sap_server: SapServer) -> None:  # noqa: F811
    response = httpx.post(f"{sap_server.url}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder",
                          auth=("erpuser", "erppass"), json={})
    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"


def test_sap_update_sends_if_match(sap_server: SapServer) -> None:  # noqa: F811
    adapter = make_adapter("sap", sap_server)
    assert hasattr(adapter, "update_order")
    created = adapter.create_order(build_snapshot(order_doc(10)))
    adapter.update_order(created.number, {"CustomerPaymentTerms": "0004"})
    assert sap_server.orders[created.number]["CustomerPaymentTerms"] == "0004"
    url = (f"{sap_server.url}/sap/opu/odata/sap/API_SALES_ORDER_SRV/"
           f"A_SalesOrder('{created.number}')")
    with httpx.Client(auth=("erpuser", "erppass")) as client:
        token = client.head(url.rsplit("/", 1)[0] + "/",
                            headers={"x-csrf-token": "Fetch"}).headers["x-csrf-token"]
        missing = client.patch(url, json={}, headers={"x-csrf-token": token})
        stale = client.patch(url, json={}, headers={"x-csrf-token": token, "If-Match": 'W/"x"'})
    assert (missing.status_code, stale.status_code) == (428, 412)
    adapter.close()


def test_oracle_duplicate_returns_the_existing_order(oracle_server: OracleServer) -> None:  # noqa: F811
    adapter = make_adapter("oracle", oracle_server)
    snapshot = build_snapshot(order_doc(11))
    first = adapter.create_order(snapshot)
    again = adapter.create_order(snapshot)
    assert again.number == first.number
    assert oracle_server.count(snapshot["key"]) == 1
    adapter.close()


def stamp(day: int, kind: str) -> Any:
    moment = datetime(2026, 11, day, 9, 30, tzinfo=UTC)
    if kind == "sap":
        return moment
    if kind == "oracle":
        return moment.isoformat()
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


HSN = "84182100"


def _gstin(n: int) -> str | None:
    """Customers 1-5 carry a GSTIN (5 of Maharashtra, the rest of Karnataka); 6 and 7 none."""
    return None if n >= 6 else gstin("27" if n == 5 else "29", pan=f"AABCS{n:04d}B")


def seed_master(server: Any, kind: str) -> None:
    """Seven customers and products per test ERP, in each ERP's own fields: customer 7 has a
    state in its address but no GSTIN, customer 6 neither; every product is at 18 %."""
    for n in range(1, 8):
        day = 10 + n
        if kind == "sap":
            _seed_sap(server, n, day)
        elif kind == "oracle":
            _seed_oracle(server, n, day)
        else:
            _seed_erpnext(server, n, day)
    if kind == "sap":
        server.prices.append(_sap_price("P1", "185000.00"))
    elif kind == "oracle":
        server.price_lists.append({
            "PriceListId": 300100000001, "PriceListName": "Standard Selling",
            "CurrencyCode": "INR", "StartDate": "2026-01-01", "EndDate": None,
            "items": [{"ItemNumber": "P1", "PricingUOMCode": "Ea",
                       "charges": [{"BasePrice": 185000, "StartDate": "2026-01-01",
                                    "EndDate": None}]}]})
    else:
        server.docs["Item Tax Template"].append({"name": "GST 18% - FS", "gst_rate": 18})
        server.docs["Item Price"].append({
            "name": "IP-0001", "item_code": "P1", "price_list": "Standard Selling",
            "price_list_rate": 185000.0, "currency": "INR", "selling": 1, "customer": None,
            "valid_from": "2026-01-01", "valid_upto": None, "modified": stamp(11, kind)})


def _seed_sap(server: Any, n: int, day: int) -> None:
    ms = int(datetime(2026, 11, day, tzinfo=UTC).timestamp() * 1000)
    taxes = [{"BusinessPartner": f"BP{n}", "BPTaxType": "IN3", "BPTaxNumber": _gstin(n)}]
    server.partners.append({
        "BusinessPartner": f"BP{n}", "BusinessPartnerFullName": f"Partner {n}",
        "BusinessPartnerIsBlocked": n == 3, "LastChangeDate": f"/Date({ms})/",
        "LastChangeTime": "PT09H30M00S",
        "to_Customer": {"Customer": f"C{n}", "CustomerName": f"Customer {n}"},
        "to_BusinessPartnerAddress": {"results": [{
            "BusinessPartner": f"BP{n}", "AddressID": "1", "HouseNumber": str(n),
            "StreetName": "MG Road", "CityName": "Bengaluru", "PostalCode": "560001",
            "Region": "10" if n == 7 else "", "Country": "IN"}]},
        "to_BusinessPartnerTax": {"results": taxes if _gstin(n) else []}})
    changed = int(stamp(day, "sap").timestamp() * 1000)
    server.products.append({
        "Product": f"P{n}", "BaseUnit": "PC", "IsMarkedForDeletion": n == 4,
        "LastChangeDateTime": f"/Date({changed}+0000)/",
        "to_Description": {"results": [{"Language": "EN", "ProductDescription": f"Product {n}"}]},
        "to_Plant": {"results": [{"Product": f"P{n}", "Plant": "1710",
                                  "ConsumptionTaxCtrlCode": HSN}]},
        "to_SalesTax": {"results": [{"Product": f"P{n}", "Country": "IN", "TaxCategory": "JOIG",
                                     "TaxClassification": "3"}]}})


def _sap_price(material: str, rate: str, customer: str = "") -> dict[str, Any]:
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)
    end = int(datetime(9999, 12, 31, tzinfo=UTC).timestamp() * 1000)
    record = f"{len(material) + len(customer):04d}{material}{customer}"
    return {"ConditionRecord": record, "ConditionType": "PR00", "Material": material,
            "Customer": customer, "SalesOrganization": "1710", "DistributionChannel": "10",
            "ConditionValidityStartDate": f"/Date({start})/",
            "ConditionValidityEndDate": f"/Date({end})/",
            "to_SlsPrcgConditionRecord": {
                "ConditionRecord": record, "ConditionType": "PR00", "ConditionRateValue": rate,
                "ConditionRateValueUnit": "INR", "ConditionQuantity": "1",
                "ConditionIsDeleted": False}}


def _seed_oracle(server: Any, n: int, day: int) -> None:
    server.accounts.append({
        "PartyNumber": f"C{n}", "OrganizationName": f"Customer {n}",
        "PartyStatus": "I" if n == 3 else "A", "LastUpdateDate": stamp(day, "oracle"),
        "TaxpayerIdentificationNumber": _gstin(n),
        "PrimaryAddress": [{"AddressNumber": f"A{n}", "AddressLine1": f"{n} MG Road",
                            "City": "Bengaluru", "State": "Karnataka" if n == 7 else None,
                            "PostalCode": "560001", "Country": "IN",
                            "Latitude": 12.97, "Longitude": 77.59}]})
    server.items.append({
        "ItemNumber": f"P{n}", "ItemDescription": f"Product {n}", "PrimaryUOMValue": "Each",
        "ItemStatusValue": "Inactive" if n == 4 else "Active",
        "LastUpdateDate": stamp(day, "oracle"), "OutputTaxClassificationCodeValue": "GST18",
        "ItemCategory": [{"ItemCatalog": "HSN", "CategoryCode": HSN}]})


def _seed_erpnext(server: Any, n: int, day: int) -> None:
    server.docs["Customer"].append({
        "name": f"C{n}", "customer_name": f"Customer {n}", "disabled": int(n == 3),
        "modified": stamp(day, "erpnext"), "gstin": _gstin(n),
        "customer_primary_address": f"C{n}-Billing"})
    server.docs["Address"].append({
        "name": f"C{n}-Billing", "address_line1": f"{n} MG Road", "city": "Bengaluru",
        "pincode": "560001", "gstin": _gstin(n), "state": "Karnataka" if n != 6 else "",
        "gst_state_number": "29" if n == 7 else ("27" if n == 5 else "29") if n != 6 else ""})
    server.docs["Item"].append({
        "name": f"P{n}", "item_name": f"Product {n}", "stock_uom": "Nos",
        "disabled": int(n == 4), "modified": stamp(day, "erpnext"), "gst_hsn_code": HSN,
        "taxes": [{"item_tax_template": "GST 18% - FS", "valid_from": None}]})


def test_master_data_pull_pages_and_delta(erp: tuple[ErpAdapter, Any]) -> None:
    adapter, server = erp
    seed_master(server, adapter.kind)
    customers = list(adapter.pull_customers(None))
    products = list(adapter.pull_products(None))
    assert [c.id for c in customers] == [f"C{n}" for n in range(1, 8)]
    assert [p.id for p in products] == [f"P{n}" for n in range(1, 8)]
    assert [c.blocked for c in customers].count(True) == 1 and customers[2].blocked
    assert not products[3].active and products[0].name == "Product 1"
    pages = sum(1 for method, path in server.requests if method == "GET"
                and path.endswith(("A_BusinessPartner", "accounts", "Customer")))
    assert pages >= 3  # seven rows in pages of two (or three on the SAP server)
    since = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
    assert [c.id for c in adapter.pull_customers(since)] == ["C5", "C6", "C7"]
    assert [p.id for p in adapter.pull_products(since)] == ["P5", "P6", "P7"]
