"""Master-data checks shared by the API and the import, the GST cases and the offer PDF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from server.sales.errors import InvalidRequestError, StateError
from server.sales.masterdata import check_customer, check_price_list, check_product
from server.sales.pdf import OfferSheet, SheetLine, render_offer, totals_of
from tests.support.api import gstin

CUSTOMER = {"customer_id": "C-1", "name": "Sri Lakshmi", "state_code": "29",
            "territory_code": "KA"}


def test_customer_values_are_normalised() -> None:
    values = check_customer({**CUSTOMER, "state_code": 9, "gstin": gstin("09").lower(),
                             "pincode": 560001.0, "lat": "12.5", "lon": 77.25,
                             "active": "no"})
    assert values.state_code == "09" and values.gstin == gstin("09")
    assert values.pincode == "560001" and (values.lat, values.lon) == (12.5, 77.25)
    assert values.active is False


@pytest.mark.parametrize(("change", "field"), [
    ({"gstin": "29AABCS1429B1ZX"}, "gstin"),  # wrong check character
    ({"gstin": gstin("27")}, "gstin"),  # another state's GSTIN
    ({"state_code": "45"}, "state_code"),
    ({"customer_id": "C 1"}, "customer_id"),
    ({"name": ""}, "name"),
    ({"lat": "91", "lon": "10"}, "lat"),
    ({"lat": "12"}, "lon"),
    ({"pincode": "05600"}, "pincode"),
    ({"active": "perhaps"}, "active"),
    ({"territory_code": "XX"}, "territory_code"),
])
def test_customer_problems_name_the_field(change: dict, field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_customer({**CUSTOMER, **change}, lambda code: code == "KA")
    assert field in caught.value.errors


def test_product_checks() -> None:
    good = check_product({"product_id": "P-1", "name": "Chiller", "hsn_code": "8418",
                          "gst_rate": 18.0})
    assert good.gst_rate == Decimal("18") and good.unit == "nos"
    with pytest.raises(InvalidRequestError) as caught:
        check_product({"product_id": "P-1", "name": "x", "hsn_code": "84", "gst_rate": "17"})
    assert set(caught.value.errors) == {"hsn_code", "gst_rate"}


def test_price_list_checks_products_prices_and_dates() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_price_list({"price_list_id": "PL", "name": "2027", "valid_from": date(2027, 1, 1),
                          "valid_to": date(2026, 1, 1),
                          "items": {"P-1": "12.345", "P-X": "1.00"}}, lambda p: p == "P-1")
    assert set(caught.value.errors) == {"valid_to", "items.P-1", "items.P-X"}


def test_a_price_list_applies_to_one_customer_group_or_territory_at_most() -> None:
    base = {"price_list_id": "PL", "name": "Contract", "valid_from": date(2026, 1, 1),
            "items": {"P-1": "100.00"}}
    checked = check_price_list({**base, "customer_id": "C-1"}, lambda p: True)
    assert (checked.customer_id, checked.customer_group, checked.territory_code) == \
        ("C-1", None, None)
    assert check_price_list(base, lambda p: True).customer_id is None  # a default list
    with pytest.raises(InvalidRequestError) as caught:
        check_price_list({**base, "customer_id": "C-1", "territory_code": "KA"}, lambda p: True)
    assert "one customer, one customer group or one territory" in \
        caught.value.errors["territory_code"][0]


def _sheet(lines: list[tuple[str, str, str, str]], supply: str, grand: str) -> OfferSheet:
    return OfferSheet("offer:1", "asha", "Sri Lakshmi & Co <Mysuru>", "12 Road", None, "29",
                      supply, date(2026, 12, 31), date(2026, 11, 30),
                      tuple(SheetLine(f"P-{i}", f"Item {i}", "8418", "nos", Decimal(q),
                                      Decimal(p), Decimal(d), Decimal(r))
                            for i, (q, p, d, r) in enumerate(lines)), Decimal(grand))


def test_gst_intra_state_splits_cgst_and_sgst() -> None:
    totals = totals_of(_sheet([("2", "500.00", "0", "18")], "intra", "1180.00"))
    assert (totals.cgst, totals.sgst, totals.igst) == (Decimal("90.00"), Decimal("90.00"), 0)


def test_gst_inter_state_is_igst() -> None:
    totals = totals_of(_sheet([("2", "500.00", "0", "18")], "inter", "1180.00"))
    assert (totals.cgst, totals.igst) == (0, Decimal("180.00"))


def test_gst_mixed_rates_and_rounding_to_paise() -> None:
    # 3 x 33.33 = 99.99 less 7.5% = 92.49 (92.49075); 5% half = 2.31 each (2.31225)
    # 1.5 x 120.00 = 180.00 at 28% = 25.20 each half
    sheet = _sheet([("3", "33.33", "7.5", "5"), ("1.5", "120.00", "0", "28")], "intra",
                   "327.51")
    totals = totals_of(sheet)
    assert [line.cgst for line in totals.lines] == [Decimal("2.31"), Decimal("25.20")]
    assert totals.taxable == Decimal("272.49") and totals.discount == Decimal("7.50")
    assert totals.cgst == totals.sgst == Decimal("27.51")
    assert totals.grand_total == Decimal("327.51")


def test_gst_half_paisa_rounds_up() -> None:
    # 1 x 0.10 at 5% intra: 0.0025 per half rounds to 0.00; 1 x 0.50 at 5%: 0.0125 -> 0.01
    totals = totals_of(_sheet([("1", "0.50", "0", "5")], "intra", "0.52"))
    assert totals.cgst == Decimal("0.01")
    totals = totals_of(_sheet([("1", "0.30", "0", "5")], "inter", "0.32"))
    assert totals.igst == Decimal("0.02")  # 0.015 rounds half up


def test_offer_pdf_is_rendered_from_checked_totals() -> None:
    pdf = render_offer(_sheet([("2", "500.00", "0", "18")], "intra", "1180.00"))
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    with pytest.raises(StateError, match=r"1180\.00"):
        render_offer(_sheet([("2", "500.00", "0", "18")], "intra", "1000.00"))
