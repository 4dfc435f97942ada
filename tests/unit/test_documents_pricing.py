"""GST arithmetic: the shared vectors, money parsing and the properties of pricing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.documents.canonical import quantity_decimal
from sync.documents.errors import DocumentError, InvalidValue
from sync.documents.pricing import (
    LineInput,
    format_money,
    parse_money,
    price_document,
    price_line,
)

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "gst.json").read_text())
LINE_KEYS = ("gross", "taxable", "discount", "cgst", "sgst", "igst", "total")
TOTAL_KEYS = ("taxable", "discount", "cgst", "sgst", "igst", "gst", "grand_total")


def _inputs(line: dict[str, Any]) -> LineInput:
    return LineInput(quantity_decimal(line["quantity"]), Decimal(line["unit_price"]),
                     Decimal(line["discount_pct"]), Decimal(line["gst_rate"]))


def test_vectors_cover_the_cases_the_contract_names() -> None:
    cases = VECTORS["cases"]
    rates = {line["gst_rate"] for case in cases for line in case["lines"]}
    assert len(cases) >= 25
    assert {"0", "5", "12", "18", "28"} <= rates
    assert {case["supply"] for case in cases} == {"intra", "inter"}
    assert any(len(case["lines"]) > 1 for case in cases)
    assert any(isinstance(line["quantity"], float) for case in cases for line in case["lines"])


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["name"])
def test_gst_vector(case: dict[str, Any]) -> None:
    totals = price_document([_inputs(line) for line in case["lines"]], case["supply"])
    for line, amounts in zip(case["lines"], totals.lines, strict=True):
        got = {key: format_money(getattr(amounts, key)) for key in LINE_KEYS}
        assert got == line["expected"]
    assert {key: format_money(getattr(totals, key)) for key in TOTAL_KEYS} == case[
        "expected_totals"]


def test_half_paisa_rounds_up_not_to_even() -> None:
    amounts = price_line(Decimal(1), Decimal("0.50"), Decimal(0), Decimal(18), "intra")
    assert (amounts.cgst, amounts.sgst, amounts.total) == (
        Decimal("0.05"), Decimal("0.05"), Decimal("0.60"))


def test_price_line_refuses_an_unknown_supply() -> None:
    with pytest.raises(InvalidValue, match="supply"):
        price_line(Decimal(1), Decimal("1.00"), Decimal(0), Decimal(18), "export")


@pytest.mark.parametrize(("text", "value"), [
    ("1180.00", Decimal("1180.00")), ("0.00", Decimal("0")), ("999999999999.99", None),
])
def test_parse_money_accepts_two_place_strings(text: str, value: Decimal | None) -> None:
    assert parse_money(text) == (value if value is not None else Decimal(text))


@pytest.mark.parametrize(("value", "words"), [
    ("12.345", "exactly two decimal places"),
    ("12.3", "exactly two decimal places"),
    ("abc", "exactly two decimal places"),
    ("1e3", "exactly two decimal places"),
    (" 12.00", "exactly two decimal places"),
    (12.5, "not a number (12.5)"),
    (12, "not a number (12)"),
    (None, "not null"),
    (True, "not true"),
    ("-5.00", "must not be negative"),
])
def test_parse_money_refuses_with_a_reason(value: Any, words: str) -> None:
    with pytest.raises(DocumentError) as caught:
        parse_money(value)
    assert words in str(caught.value)


def test_parse_money_allows_negative_when_asked() -> None:
    assert parse_money("-5.00", allow_negative=True) == Decimal("-5.00")


def test_format_money() -> None:
    assert format_money(Decimal("1180")) == "1180.00"
    assert format_money(Decimal("0.005")) == "0.01"
    assert format_money(Decimal("1E+3")) == "1000.00"


money = st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2)
percent = st.decimals(min_value=0, max_value=100, places=2)
quantity = st.decimals(min_value=Decimal("0.001"), max_value=100000, places=3)
supply = st.sampled_from(["intra", "inter"])
line_input = st.builds(LineInput, quantity, money, percent, st.sampled_from(
    [Decimal(r) for r in ("0", "0.25", "3", "5", "12", "18", "28")]))


@given(line_input, supply)
def test_line_total_is_taxable_plus_taxes(line: LineInput, kind: str) -> None:
    a = price_line(*line, kind)
    assert a.total == a.taxable + a.cgst + a.sgst + a.igst
    assert a.discount + a.taxable == a.gross
    assert all(v.as_tuple().exponent == -2 for v in (a.taxable, a.cgst, a.sgst, a.igst, a.total))
    assert (a.igst == 0) if kind == "intra" else (a.cgst == a.sgst == 0)
    assert a.cgst == a.sgst
    assert a.taxable >= 0 and a.discount >= 0


@given(st.lists(line_input, min_size=1, max_size=12), supply)
def test_document_totals_are_sums_of_lines(lines: list[LineInput], kind: str) -> None:
    totals = price_document(lines, kind)
    singles = [price_line(*line, kind) for line in lines]
    assert list(totals.lines) == singles
    for key in ("taxable", "discount", "cgst", "sgst", "igst", "total"):
        assert sum(getattr(a, key) for a in singles) == getattr(
            totals, "grand_total" if key == "total" else key)
    assert totals.gst == totals.cgst + totals.sgst + totals.igst
    assert totals.grand_total == totals.taxable + totals.gst
