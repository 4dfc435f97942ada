"""ERP payloads from a snapshot and ERP answers read back, without any server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from erp_bridge.mapping import (
    erpnext_order_payload,
    frappe_error_text,
    merged_codes,
    odata_datetime,
    oracle_error_text,
    oracle_failed,
    oracle_order_payload,
    parse_defaults,
    parse_odata_date,
    parse_odata_time,
    sap_error_text,
    sap_order_payload,
)
from erp_bridge.snapshot import build_snapshot
from server.config import Settings
from tests.support.erp_servers.orders import order_doc

SNAP = build_snapshot(order_doc(1))
SAP = merged_codes(Settings().erp_sap_codes, "")
ORACLE = merged_codes(Settings().erp_oracle_codes, "")
ERPNEXT = merged_codes(Settings().erp_erpnext_codes, "")


def test_defaults_string() -> None:
    assert parse_defaults("SalesOrganization=1010; DistributionChannel=20;;x") == {
        "SalesOrganization": "1010", "DistributionChannel": "20"}


def test_sap_deep_insert() -> None:
    body = sap_order_payload(SNAP, {"SalesOrganization": "1010"}, SAP)
    assert body["SalesOrganization"] == "1010" and body["SalesOrderType"] == "OR"
    assert body["PurchaseOrderByCustomer"] == "FS-ord-000001"
    assert {k: v for k, v in body["to_Item"][1].items() if k != "to_PricingElement"} == {
        "SalesOrderItem": "20", "Material": "TG12", "RequestedQuantity": "2.5"}
    assert body["RequestedDeliveryDate"] == odata_datetime("2026-12-10")


def test_odata_dates() -> None:
    assert odata_datetime("1970-01-02") == "/Date(86400000)/" and odata_datetime("") is None
    assert parse_odata_date("/Date(1472796947125+0000)/") == datetime(
        2016, 9, 2, 6, 15, 47, 125000, tzinfo=UTC)
    assert parse_odata_date(None) is None
    assert parse_odata_time("PT10H15M03S") == timedelta(hours=10, minutes=15, seconds=3)


def test_sap_error_body_becomes_a_sentence() -> None:
    body = json.dumps({"error": {"code": "V1/123", "message": {"lang": "en",
                      "value": "Sold-to party 9999 not defined"}, "innererror": {
                      "errordetails": [{"message": "Sold-to party 9999 not defined"},
                                       {"message": "Enter a valid sales area"}]}}})
    assert sap_error_text(400, body) == ("Sold-to party 9999 not defined (V1/123); "
                                         "Enter a valid sales area")
    assert sap_error_text(403, "CSRF token validation failed") == (
        "SAP answered 403: CSRF token validation failed")


def test_oracle_create_and_answers() -> None:
    body = oracle_order_payload(SNAP, "FSYNC", {"BusinessUnitName": "Bengaluru BU"}, ORACLE)
    assert body["SourceTransactionId"] == body["SourceTransactionNumber"] == "FS-ord-000001"
    assert body["RequestingBusinessUnitName"] == "Bengaluru BU"
    assert [line["OrderedQuantity"] for line in body["lines"]] == [5, 2.5]
    assert "OrderedUOM" not in body and body["lines"][0]["OrderedUOM"] == "EA"
    assert oracle_failed("The application didn't submit the sales order because it failed "
                         "validation.")
    assert not oracle_failed("The application successfully imported the sales order.")
    adf = json.dumps({"title": "Bad Request", "o:errorDetails": [{"detail": "Bad BU"}]})
    assert oracle_error_text(400, adf) == "Bad Request; Bad BU"
    assert oracle_error_text(404, "Not found") == "Oracle answered 404: Not found"


def test_erpnext_order_and_errors() -> None:
    body = erpnext_order_payload(SNAP, {"company": "Acme India"}, ERPNEXT)
    assert (body["fieldsync_order_id"], body["company"], body["docstatus"]) == (
        "FS-ord-000001", "Acme India", 1)
    assert "po_no" not in body  # no customer PO on this order: the key is not a PO number
    assert {k: body["items"][0][k] for k in ("item_code", "qty", "rate", "delivery_date")} == {
        "item_code": "TG11", "qty": "5", "rate": "100.00", "delivery_date": "2026-12-10"}
    messages = json.dumps([json.dumps({"message": "Could not find Customer: X"})])
    assert frappe_error_text(417, json.dumps({"_server_messages": messages})) == (
        "Could not find Customer: X")
    assert frappe_error_text(500, "<html>") == "ERPNext answered 500: <html>"
