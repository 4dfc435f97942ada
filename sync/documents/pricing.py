"""GST and totals of offers and orders: Decimal arithmetic, rounded half up to paise."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any, NamedTuple

from sync.documents.errors import InvalidValue

PAISE = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# Wide enough that quantity x price x (100 - discount) never rounds before we say so;
# its rounding is half up, so every quantize() under it rounds to paise as the contract says.
_EXACT = Context(prec=60, rounding=ROUND_HALF_UP)
_MONEY = re.compile(r"-?[0-9]{1,12}\.[0-9]{2}")
MONEY_EXAMPLE = '"1180.00"'


class LineInput(NamedTuple):
    """What the engineer chose for one line."""

    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    gst_rate: Decimal


class LineAmounts(NamedTuple):
    """The amounts of one line, each rounded to paise."""

    gross: Decimal
    taxable: Decimal
    discount: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    total: Decimal

    @property
    def gst(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


@dataclass(frozen=True)
class DocumentTotals:
    """An offer's or order's totals: the sums of its lines."""

    taxable: Decimal
    discount: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    gst: Decimal
    grand_total: Decimal
    lines: tuple[LineAmounts, ...] = ()


def round_paise(value: Decimal) -> Decimal:
    """Round to paise, half up (0.005 -> 0.01), as the phone does."""
    return value.quantize(PAISE, rounding=ROUND_HALF_UP)


def price_line(
    quantity: Decimal, unit_price: Decimal, discount_pct: Decimal, gst_rate: Decimal, supply: str
) -> LineAmounts:
    """Price one line per docs/documents.md; `supply` is "intra" or "inter"."""
    if supply not in ("intra", "inter"):
        raise InvalidValue(f'supply must be "intra" or "inter", not {supply!r}', "supply")
    with localcontext(_EXACT):
        gross = quantity * unit_price
        taxable = (gross * (HUNDRED - discount_pct) / HUNDRED).quantize(PAISE)
        rounded_gross = gross.quantize(PAISE)
        if supply == "intra":
            cgst = (taxable * gst_rate / 200).quantize(PAISE)
            igst = ZERO
        else:
            cgst = ZERO
            igst = (taxable * gst_rate / HUNDRED).quantize(PAISE)
    # round(gross - taxable) with halves going up, as the phone's Math.round does; never negative.
    discount = rounded_gross - taxable
    total = taxable + cgst * 2 + igst
    return LineAmounts(rounded_gross, taxable, discount, cgst, cgst, igst, total)


def sum_lines(amounts: Iterable[LineAmounts]) -> DocumentTotals:
    """Document totals as the sums of already priced lines."""
    lines = tuple(amounts)
    taxable = sum((a.taxable for a in lines), ZERO)
    cgst = sum((a.cgst for a in lines), ZERO)
    sgst = sum((a.sgst for a in lines), ZERO)
    igst = sum((a.igst for a in lines), ZERO)
    discount = sum((a.discount for a in lines), ZERO)
    gst = cgst + sgst + igst
    return DocumentTotals(taxable, discount, cgst, sgst, igst, gst, taxable + gst, lines)


def price_document(lines: Iterable[LineInput | tuple[Any, ...]], supply: str) -> DocumentTotals:
    """Price every line and add them up."""
    return sum_lines(price_line(q, p, d, r, supply) for q, p, d, r in lines)


def format_money(value: Decimal) -> str:
    """Money as the documents carry it: a plain decimal string with two places ("1180.00")."""
    return f"{round_paise(value):f}"


def parse_money(value: Any, *, allow_negative: bool = False, name: str = "money") -> Decimal:
    """Parse a money string with exactly two decimal places; refuse numbers and other text."""
    if isinstance(value, bool) or not isinstance(value, str):
        kind = describe(value)
        raise InvalidValue(
            f"{name} must be a string with two decimal places like {MONEY_EXAMPLE}, not {kind}",
            name,
        )
    if not _MONEY.fullmatch(value):
        raise InvalidValue(
            f"{name} must be digits with exactly two decimal places like {MONEY_EXAMPLE}, "
            f"not {value!r}",
            name,
        )
    if value[0] == "-" and not allow_negative:
        raise InvalidValue(f"{name} must not be negative, got {value!r}", name)
    return Decimal(value)


def describe(value: Any) -> str:
    """A short description of a JSON value for error messages: 'a list', 'text ("2")'."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'text ("{shown}")'
    return f"a number ({value!r})"
