"""The ERP gets the commercial truth: net prices, discounts, GST and the customer's PO reach
each test ERP in its own fields; totals that do not add up are refused and parked for the
admin with the ERP's message; SAP prices the order itself and a difference is not accepted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from erp_bridge.admin import ErpAdmin
from erp_bridge.outbox import enqueue_order
from erp_bridge.snapshot import idempotency_key
from server.audit.recorder import record
from server.bootstrap import Services
from server.demo import load_master_data
from server.sql.models.erp import ErpOutbox
from server.sql.session import transaction
from tests.support.erp_servers.clock import FakeClock
from tests.support.erp_servers.erpnext import ErpNextServer
from tests.support.erp_servers.fixtures import (  # noqa: F401
    erpnext_server,
    oracle_server,
    sap_server,
)
from tests.support.erp_servers.harness import drainer, engineer_db, erp_settings
from tests.support.erp_servers.oracle import OracleServer
from tests.support.erp_servers.orders import priced_order
from tests.support.erp_servers.sap import SapServer

# Kaveri Agro (Karnataka, like the company): CGST + SGST. Andheri Plastics (Maharashtra): IGST.
CUSTOMER = {"intra": "C-1003", "inter": "C-2001"}
# The list has P-100 at 185000.00 and P-200 at 38900.00; P-200 is written below it.
LINES = [("P-100", 2, "185000.00", "15", "18"), ("P-200", 3, "38000.00", "0", "12")]


def send(services: Services, kind: str, server: Any, doc: dict[str, Any]) -> None:
    with transaction(services.sessions) as session:
        enqueue_order(session, doc, engineer_db(services), kind)
    drainer(services, erp_settings(services, kind, server), FakeClock()).run_until_idle()


def outbox(services: Services, order_id: str) -> ErpOutbox:
    with services.sessions() as session:
        row = session.get(ErpOutbox, order_id)
        assert row is not None
        return row


def order(n: int, supply: str, lines: list[tuple[str, int, str, str, str]] = LINES
          ) -> dict[str, Any]:
    return priced_order(n, CUSTOMER[supply], supply, lines, po_number=f"PO/{n}",
                        po_date="2026-11-27")


@pytest.mark.parametrize("supply", ["intra", "inter"])
def test_erpnext_receives_list_rate_discount_net_rate_gst_and_the_po(
        services: Services, erpnext_server: ErpNextServer, supply: str) -> None:  # noqa: F811
    load_master_data(services)
    doc = order(1, supply)
    send(services, "erpnext", erpnext_server, doc)
    assert outbox(services, doc["_id"]).status == "accepted"
    got = erpnext_server.received(idempotency_key(doc["_id"]))
    assert (got["po_no"], got["po_date"]) == ("PO/1", "2026-11-27")
    # The adapter created the custom field that keeps the key (Frappe drops unknown fields)
    assert got["fieldsync_order_id"] == "FS-ord-000001"
    assert [f["fieldname"] for f in erpnext_server.docs["Custom Field"]] == [
        "fieldsync_order_id"]
    items = [(i["item_code"], i["price_list_rate"], i["discount_percentage"], i["rate"],
              i["gst_hsn_code"]) for i in got["items"]]
    # 1 - 38000 / 38900 = 2.3136 %, rounded up: the price below the list is a discount too
    assert items == [("P-100", "185000.00", "15", "157250.00", "8414"),
                     ("P-200", "38900.00", "2.32", "38000.00", "8419")]
    # 314500.00 at 18 % and 114000.00 at 12 %: 56610.00 + 13680.00 = 70290.00 of GST
    taxes = [(t["account_head"], t["tax_amount"]) for t in got["taxes"]]
    assert taxes == ([("Output Tax CGST - FS", "35145.00"), ("Output Tax SGST - FS", "35145.00")]
                     if supply == "intra" else [("Output Tax IGST - FS", "70290.00")])
    assert (got["net_total"], got["grand_total"]) == ("428500.00", "498790.00")


def test_erpnext_refuses_totals_that_do_not_add_up_and_the_admin_sees_why(
        services: Services, erpnext_server: ErpNextServer) -> None:  # noqa: F811
    load_master_data(services)
    # 7 x 6399.99 less 12.5 % = 39199.93875 -> 39199.94; ERPNext keeps a rate in paise:
    # 5599.99 x 7 = 39199.93. The ERP's arithmetic disagrees with the signed total.
    doc = order(2, "intra", [("P-102", 7, "6399.99", "12.5", "18")])
    send(services, "erpnext", erpnext_server, doc)
    row = outbox(services, doc["_id"])
    assert row.status == "failed" and erpnext_server.count(row.idempotency_key) == 0
    [dead] = ErpAdmin(services.sessions, "erpnext", audit=record).list_dead_letters()
    assert dead["reason"] == "Row #1: Amount 39199.94 is not Rate 5599.99 × Qty 7 = 39199.93"
    right = order(3, "intra", [("P-102", 8, "6400.00", "12.5", "18")])
    send(services, "erpnext", erpnext_server, right)
    assert outbox(services, right["_id"]).status == "accepted"


@pytest.mark.parametrize("supply", ["intra", "inter"])
def test_oracle_receives_frozen_prices_adjustments_gst_and_the_po(
        services: Services, oracle_server: OracleServer, supply: str) -> None:  # noqa: F811
    load_master_data(services)
    doc = order(4, supply)
    send(services, "oracle", oracle_server, doc)
    assert outbox(services, doc["_id"]).status == "accepted"
    got = oracle_server.orders[("FSYNC", idempotency_key(doc["_id"]))]
    assert (got["CustomerPONumber"], got["FreezePriceFlag"], got["FreezeTaxFlag"]) == (
        "PO/4", True, True)
    second = got["lines"][1]
    assert (second["UnitListPrice"], second["UnitSellingPrice"], second["ExtendedAmount"],
            second["ProductFiscalCategory"]) == ("38900.00", "38000", "114000.00", "8419")
    assert [(a["AdjustmentTypeCode"], a["AdjustmentAmount"])
            for a in second["manualPriceAdjustments"]] == [("PRICE_OVERRIDE", "38000.00")]
    kinds = [(t["TaxRateCode"], t["TaxRate"], t["TaxAmount"]) for t in second["taxDetails"]]
    assert kinds == ([("CGST", "6", "6840.00"), ("SGST", "6", "6840.00")] if supply == "intra"
                     else [("IGST", "12", "13680.00")])


def test_oracle_refuses_a_wrong_total_with_its_message_and_takes_a_right_one(
        services: Services, oracle_server: OracleServer) -> None:  # noqa: F811
    load_master_data(services)
    wrong, right = order(5, "inter"), order(6, "inter")
    with transaction(services.sessions) as session:
        enqueue_order(session, wrong, engineer_db(services), "oracle")
        enqueue_order(session, right, engineer_db(services), "oracle")
        row = session.get(ErpOutbox, wrong["_id"])
        assert row is not None
        # A snapshot whose grand total no longer matches its lines (one rupee more)
        snapshot = dict(row.snapshot)
        snapshot["totals"] = {**snapshot["totals"], "grand_total": "498791.00"}
        session.execute(update(ErpOutbox).where(ErpOutbox.order_id == wrong["_id"])
                        .values(snapshot=snapshot))
    settings = erp_settings(services, "oracle", oracle_server)
    drainer(services, settings, FakeClock()).run_until_idle()
    assert outbox(services, right["_id"]).status == "accepted"
    failed = outbox(services, wrong["_id"])
    assert failed.status == "failed" and oracle_server.count(failed.idempotency_key) == 0
    assert failed.last_error == (
        "Oracle answered 400: The order totals 428500.00, 70290.00, 498791.00 don't match "
        "its lines: net 428500.00, tax 70290.00, total 498790.00.")


@pytest.mark.parametrize("supply", ["intra", "inter"])
def test_sap_gets_pricing_elements_and_its_net_amounts_match(
        services: Services, sap_server: SapServer, supply: str) -> None:  # noqa: F811
    load_master_data(services)
    doc = order(7, supply)
    send(services, "sap", sap_server, doc)
    row = outbox(services, doc["_id"])
    assert (row.status, row.erp_number) == ("accepted", "4711")
    got = sap_server.orders["4711"]
    assert got["PurchaseOrderByCustomer"] == "FS-ord-000007"
    assert got["to_Text"][0]["LongText"] == "Customer PO PO/7 dated 2026-11-27"
    assert got["TotalNetAmount"] == "428500.00"
    assert [i["NetAmount"] for i in got["to_Item"]] == ["314500.00", "114000.00"]
    assert [i["TaxAmount"] for i in got["to_Item"]] == ["56610.00", "13680.00"]
    taxes = [e["ConditionType"] for e in got["to_Item"][0]["to_PricingElement"]["results"]]
    assert taxes == (["PR00", "K007", "JOCG", "JOSG"] if supply == "intra"
                     else ["PR00", "K007", "JOIG"])


def test_sap_pricing_differently_is_a_reconciliation_error_not_an_accept(
        services: Services, sap_server: SapServer) -> None:  # noqa: F811
    load_master_data(services)
    sap_server.material_discounts["P-100"] = Decimal("1")  # a K004 record SAP applies itself
    doc = order(8, "intra")
    send(services, "sap", sap_server, doc)
    row = outbox(services, doc["_id"])
    assert row.status == "failed" and sap_server.count(row.idempotency_key) == 1
    assert row.last_error.startswith(
        "SAP order 4711 was created but SAP's net amounts differ from the signed order: "
        "total net 424800.00 in SAP, 428500.00 in FieldSync; item 10 (P-100) net 310800.00 "
        "in SAP, 314500.00 in FieldSync.")
    # The admin corrects the order's pricing in SAP, then retries: found, compared, accepted,
    # and never created a second time.
    stored = sap_server.orders["4711"]
    stored["to_Item"][0]["NetAmount"], stored["TotalNetAmount"] = "314500.00", "428500.00"
    admin = ErpAdmin(services.sessions, "sap", audit=record)
    admin.retry(doc["_id"])
    drainer(services, erp_settings(services, "sap", sap_server), FakeClock()).run_until_idle()
    row = outbox(services, doc["_id"])
    assert (row.status, row.erp_number, sap_server.count(row.idempotency_key)) == (
        "accepted", "4711", 1)
