"""What each ERP receives of an order's commercial truth: prices, discounts, GST and the
customer's PO, built from the snapshot alone (no server, no fixtures)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from erp_bridge.errors import SnapshotError
from erp_bridge.mapping import (
    erpnext_order_payload,
    merged_codes,
    oracle_order_payload,
    sap_net_differences,
    sap_order_payload,
)
from erp_bridge.snapshot import ProductInfo, build_snapshot
from server.config import Settings
from tests.support.erp_servers.orders import priced_order

SAP = merged_codes(Settings().erp_sap_codes, "discount=DRV1")
ORACLE = merged_codes(Settings().erp_oracle_codes, "")
ERPNEXT = merged_codes(Settings().erp_erpnext_codes, "cgst=CGST Out - AC")
PRODUCTS = {"P-100": ProductInfo("84186990", "nos"), "P-400": ProductInfo("84151010", "nos")}


def order(supply: str, lines: list[tuple[str, int, str, str, str]], **extra: Any
          ) -> dict[str, Any]:
    return {**priced_order(1, "C-1003", supply, lines, **extra), "_id": "order:o-1"}


INTRA = order("intra", [("P-100", 2, "185000.00", "15", "18"),
                        ("P-400", 1, "42000.00", "0", "28")],
              po_number="KA/PO/7781", po_date="2026-11-27")
# Below the list (185000.00) and discounted: the list price travels with the net.
INTER = order("inter", [("P-100", 3, "180000.00", "12.5", "18")], po_number="MH-55")
LISTS = {"P-100": Decimal("185000.00"), "P-400": Decimal("42000.00")}


def snap(doc: dict[str, Any]) -> dict[str, Any]:
    return build_snapshot(doc, products=PRODUCTS, list_prices=LISTS)


def test_snapshot_carries_the_worker_amounts_list_price_and_hsn() -> None:
    s = snap(INTER)
    line = s["lines"][0]
    # 3 x 180000.00 = 540000.00, less 12.5 % = 472500.00; IGST 18 % = 85050.00
    assert (line["taxable"], line["discount"], line["igst"], line["cgst"]) == (
        "472500.00", "67500.00", "85050.00", "0.00")
    assert (line["list_price"], line["net_unit_price"], line["hsn_code"]) == (
        "185000.00", "157500", "84186990")
    # 1 - 472500 / (3 x 185000) = 14.864...% rounded up: the effective discount on the list
    assert line["effective_discount_pct"] == "14.87"
    assert s["totals"] == {"taxable": "472500.00", "discount": "67500.00", "cgst": "0.00",
                           "sgst": "0.00", "igst": "85050.00", "gst": "85050.00",
                           "grand_total": "557550.00"}
    assert (s["po_number"], s["supply"]) == ("MH-55", "inter")


def test_snapshot_refuses_totals_that_do_not_add_up() -> None:
    bad = {**INTRA, "totals": {**INTRA["totals"], "grand_total": "1.00"}}
    with pytest.raises(SnapshotError, match=r"grand_total 1\.00 but its lines add up to"):
        snap(bad)


def test_sap_gets_pricing_elements_and_the_customer_po_as_a_header_text() -> None:
    body = sap_order_payload(snap(INTRA), {}, {**SAP, "po_text": "Z017"})
    assert body["PurchaseOrderByCustomer"] == "FS-o-1"  # the idempotency key stays here
    assert body["to_Text"] == [{"Language": "EN", "LongTextID": "Z017",
                                "LongText": "Customer PO KA/PO/7781 dated 2026-11-27"}]
    assert body["to_Item"][0]["to_PricingElement"] == [
        {"ConditionType": "PR00", "ConditionRateValue": "185000.00",
         "ConditionCurrency": "INR", "ConditionQuantity": "1"},
        {"ConditionType": "DRV1", "ConditionRateValue": "-15"},
        {"ConditionType": "JOCG", "ConditionRateValue": "9"},
        {"ConditionType": "JOSG", "ConditionRateValue": "9"}]
    # no discount, no discount condition; 28 % GST is 14 + 14
    assert [e["ConditionType"] for e in body["to_Item"][1]["to_PricingElement"]] == [
        "PR00", "JOCG", "JOSG"]
    assert body["to_Item"][1]["to_PricingElement"][1]["ConditionRateValue"] == "14"
    inter = sap_order_payload(snap(INTER), {}, SAP)["to_Item"][0]["to_PricingElement"]
    assert inter[-1] == {"ConditionType": "JOIG", "ConditionRateValue": "18"}


def test_sap_net_amounts_are_compared_item_by_item() -> None:
    s = snap(INTRA)
    same = {"TotalNetAmount": "356500.00", "to_Item": {"results": [
        {"SalesOrderItem": "10", "NetAmount": "314500.00"},
        {"SalesOrderItem": "20", "NetAmount": "42000.00"}]}}
    assert sap_net_differences(s, same) == []
    other = {"TotalNetAmount": "356499.99", "to_Item": [
        {"SalesOrderItem": "10", "NetAmount": "314499.99"},
        {"SalesOrderItem": "20", "NetAmount": "42000.00"}]}
    assert sap_net_differences(s, other) == [
        "total net 356499.99 in SAP, 356500.00 in FieldSync",
        "item 10 (P-100) net 314499.99 in SAP, 314500.00 in FieldSync"]


def test_oracle_gets_list_and_selling_prices_adjustments_frozen_tax_and_po() -> None:
    body = oracle_order_payload(snap(INTER), "FSYNC", {}, ORACLE)
    assert (body["CustomerPONumber"], body["FreezePriceFlag"], body["FreezeTaxFlag"]) == (
        "MH-55", True, True)
    line = body["lines"][0]
    assert (line["UnitListPrice"], line["UnitSellingPrice"], line["ExtendedAmount"],
            line["ProductFiscalCategory"]) == ("185000.00", "157500", "472500.00", "84186990")
    assert [(a["SequenceNumber"], a["AdjustmentTypeCode"], a["AdjustmentAmount"])
            for a in line["manualPriceAdjustments"]] == [
        (1, "PRICE_OVERRIDE", "180000.00"), (2, "DISCOUNT_PERCENT", "12.5")]
    assert line["taxDetails"] == [{"TaxRegimeCode": "IN GST", "TaxRateCode": "IGST",
                                   "TaxRate": "18", "TaxableAmount": "472500.00",
                                   "TaxAmount": "85050.00"}]
    assert [(t["TotalCode"], t["TotalAmount"]) for t in body["totals"]] == [
        ("QP_TOTAL_NET_PRICE", "472500.00"), ("QP_TOTAL_TAX", "85050.00"),
        ("QP_TOTAL_PAY_NOW", "557550.00")]


def test_erpnext_gets_list_rate_discount_net_rate_taxes_and_the_customer_po() -> None:
    body = erpnext_order_payload(snap(INTRA), {}, ERPNEXT)
    assert (body["po_no"], body["po_date"], body["fieldsync_order_id"]) == (
        "KA/PO/7781", "2026-11-27", "FS-o-1")
    first = body["items"][0]
    assert (first["price_list_rate"], first["discount_percentage"], first["rate"],
            first["amount"], first["gst_hsn_code"]) == (
        "185000.00", "15", "157250.00", "314500.00", "84186990")
    assert json.loads(first["item_tax_rate"]) == {"CGST Out - AC": 9.0,
                                                  "Output Tax SGST - FS": 9.0}
    assert json.loads(body["items"][1]["item_tax_rate"])["CGST Out - AC"] == 14.0
    # 314500.00 x 9 % = 28305.00 and 42000.00 x 14 % = 5880.00, per account
    assert [(t["account_head"], t["charge_type"], t["rate"], t["tax_amount"])
            for t in body["taxes"]] == [
        ("CGST Out - AC", "On Net Total", 0, "34185.00"),
        ("Output Tax SGST - FS", "On Net Total", 0, "34185.00")]
    assert (body["net_total"], body["total_taxes_and_charges"], body["grand_total"]) == (
        "356500.00", "68370.00", "424870.00")
    inter = erpnext_order_payload(snap(INTER), {}, ERPNEXT)
    assert [(t["account_head"], t["rate"]) for t in inter["taxes"]] == [
        ("Output Tax IGST - FS", 18.0)]
    assert inter["items"][0]["price_list_rate"] == "185000.00"


def test_a_snapshot_queued_before_prices_travelled_is_refused_with_a_reason() -> None:
    old = {**snap(INTRA), "totals": None}
    with pytest.raises(SnapshotError, match="queued without its prices"):
        erpnext_order_payload(old, {}, ERPNEXT)
