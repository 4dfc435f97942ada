"""ERP master data in GST terms: state codes, GSTINs, tax codes and price-list grouping."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from erp_bridge.adapters.base import PriceRecord
from erp_bridge.master_codes import (
    MasterCodes,
    clean_gstin,
    parse_rate,
    resolve_state,
    state_code,
)
from erp_bridge.master_prices import group_prices, list_id
from server.config import Settings


def test_a_state_comes_from_the_erp_else_the_gstin_else_stays_unknown() -> None:
    assert state_code("Karnataka") == "29" and state_code(" tamil  nadu ") == "33"
    assert state_code("9") == "09" and state_code("29") == "29"
    assert state_code("KA") is None and state_code("45") is None and state_code("") is None
    gstin = clean_gstin(" 27aabcs1429b1zq ")
    assert gstin == "27AABCS1429B1ZQ"
    assert resolve_state("29", gstin) == "29"
    assert resolve_state(None, gstin) == "27"
    assert resolve_state(None, None) is None
    assert clean_gstin("NA") is None and clean_gstin("99AABCS1429B1ZQ") is None


def test_tax_and_region_codes_are_the_deployments_settings() -> None:
    codes = MasterCodes.from_settings(Settings(
        erp_tax_rates="3=18; GST5=5%;X=lots", erp_region_states="10=29",
        erp_order_defaults="SalesOrganization=1710"))
    assert codes.rate("3") == Decimal("18") and codes.rate("GST5") == Decimal("5")
    assert codes.rate("X") is None and codes.rate("9") is None
    assert codes.region_states == {"10": "29"}
    assert codes.order_defaults["SalesOrganization"] == "1710"
    assert parse_rate("0") == Decimal("0") and parse_rate("101") is None


def test_a_customers_erp_prices_override_the_general_ones_of_the_same_list() -> None:
    start = date(2026, 1, 1)
    records = [PriceRecord("Standard", "P1", Decimal("100.004"), start),
               PriceRecord("Standard", "P2", Decimal("50"), start),
               PriceRecord("Standard", "P1", Decimal("90"), start, customer_id="C1"),
               PriceRecord("Other", "P1", Decimal("70"))]
    groups = group_prices(records)
    assert groups[("Standard", None, start, None)] == {"P1": Decimal("100.00"),
                                                        "P2": Decimal("50.00")}
    assert groups[("Standard", "C1", start, None)] == {"P1": Decimal("90.00"),
                                                        "P2": Decimal("50.00")}
    assert groups[("Other", None, None, None)] == {"P1": Decimal("70.00")}
    ids = {list_id("ERP-SAP-", key) for key in groups}
    assert len(ids) == 3 and all(len(i) <= 64 for i in ids)
