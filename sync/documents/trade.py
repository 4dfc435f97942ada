"""Shapes and arithmetic of offers, orders and customer approvals (no master data needed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.documents import fields as f
from sync.documents.contract import FIELDS, LINE, MAX_QUANTITY, PRICED, TOTALS, Ref, check_fields
from sync.documents.fields import Checks
from sync.documents.pricing import LineAmounts, LineInput, describe, format_money, price_line

__all__ = ["MAX_QUANTITY", "check_approval", "check_offer", "check_order", "doc_ref"]
_STATED = ("taxable", "cgst", "sgst", "igst", "total")
# Patterns of the fast path, in the order _fast_line reads the values.
_FAST = (*[f.PLAIN_MONEY.fullmatch] * 6, f.PERCENT.fullmatch, f.PERCENT.fullmatch)
_TOTALS = ("taxable", "discount", "cgst", "sgst", "igst", "gst", "grand_total")
_SUPPLY_WORDS = {"intra": "within the state (intra)", "inter": "across states (inter)"}


def doc_ref(c: Checks, doc: dict[str, Any], key: str, kind: str, prefix: str = "") -> str | None:
    """A reference to another document of `kind`, like "offer:01J9..."."""
    value: str | None = Ref(label=kind, kind=kind).check(c, doc, key, prefix)
    return value


def check_offer(c: Checks, doc: dict[str, Any]) -> None:
    check_fields(c, doc, FIELDS["offer"], skip=tuple(PRICED))
    check_priced(c, doc)


def check_order(c: Checks, doc: dict[str, Any]) -> None:
    check_fields(c, doc, FIELDS["order"], skip=tuple(PRICED))
    check_priced(c, doc)


def check_approval(c: Checks, doc: dict[str, Any]) -> None:
    signature = check_fields(c, doc, FIELDS["approval"])["signature"]
    attachments = doc.get("_attachments")
    if signature and isinstance(attachments, dict) and signature not in attachments:
        c.add("signature", f'signature names the attachment "{signature}", which the '
              "document does not carry; attach the signature image", "not_attached")


def check_priced(c: Checks, doc: dict[str, Any]) -> None:
    """Lines, supply and totals, and that they add up per the GST rules."""
    supply = PRICED["supply"].check(c, doc, "supply", "")
    lines = PRICED["lines"].check(c, doc, "lines", "")
    totals = f.obj(c, doc, "totals")
    checked = [_check_line(c, line, i, supply) for i, line in enumerate(lines or ())]
    totals_values = _totals_values(c, totals) if totals is not None else None
    if lines is None or totals_values is None or any(s is None for s, _ in checked):
        return
    _check_totals(c, totals_values, checked)


Checked = tuple[dict[str, Decimal] | None, LineAmounts | None]


def _check_line(c: Checks, line: Any, index: int, supply: str | None) -> Checked:
    """Check one line; return its stated amounts and the recomputed ones, where known."""
    fast = _fast_line(line)
    if fast is not None and supply is not None:
        amounts = price_line(*fast[0], supply)
        if _matches(fast[1], amounts):
            return fast[1], amounts
    prefix = f"lines[{index}]"
    if not isinstance(line, dict):
        c.add(prefix, f"line {index + 1} must be an object, not {describe(line)}", "type")
        return None, None
    before = len(c.problems)
    given = check_fields(c, line, LINE.fields, prefix, skip=_STATED)
    quantity, unit_price = given["quantity"], given["unit_price"]
    discount, rate = given["discount_pct"], given["gst_rate"]
    inputs_ok = len(c.problems) == before
    stated = check_fields(c, line, LINE.fields, prefix, skip=tuple(given))
    values = {k: v for k, v in stated.items() if v is not None}
    if len(values) != len(_STATED):
        return None, None
    if not inputs_ok or supply is None:
        return values, None
    assert quantity is not None and unit_price is not None  # no problems: all present
    assert discount is not None and rate is not None
    amounts = price_line(quantity, unit_price, discount, rate, supply)
    _compare_line(c, prefix, values, amounts, rate, supply)
    return values, amounts


def _fast_line(line: Any) -> tuple[LineInput, dict[str, Decimal]] | None:
    """Parse a well-formed line in one go; None sends it to the detailed checks."""
    if line.__class__ is not dict:
        return None
    get = line.get
    quantity, product = get("quantity"), get("product_id")
    if quantity.__class__ is int:
        exact = Decimal(quantity)
    elif quantity.__class__ is float:
        written = repr(quantity)
        if "e" in written or len(written) - written.find(".") > 4:  # more than 3 places
            return None
        exact = Decimal(written)
    else:
        return None
    if not 0 < quantity <= MAX_QUANTITY or product.__class__ is not str:
        return None
    if not 0 < len(product) <= 64 or product.isspace():
        return None
    money: tuple[Any, ...] = (get("unit_price"), get("taxable"), get("cgst"), get("sgst"),
                              get("igst"), get("total"), get("discount_pct"), get("gst_rate"))
    for index, value in enumerate(money):
        if value.__class__ is not str or not _FAST[index](value):
            return None
    price, taxable, cgst, sgst, igst, total, discount, rate = map(Decimal, money)
    if discount > 100 or rate > 100:
        return None
    stated = {"taxable": taxable, "cgst": cgst, "sgst": sgst, "igst": igst, "total": total}
    return LineInput(exact, price, discount, rate), stated


def _matches(stated: dict[str, Decimal], amounts: LineAmounts) -> bool:
    return (stated["taxable"] == amounts.taxable and stated["cgst"] == amounts.cgst
            and stated["sgst"] == amounts.sgst and stated["igst"] == amounts.igst
            and stated["total"] == amounts.total)


def _compare_line(
    c: Checks, prefix: str, stated: dict[str, Decimal], amounts: LineAmounts, rate: Decimal,
    supply: str,
) -> None:
    expected = {"taxable": amounts.taxable, "cgst": amounts.cgst, "sgst": amounts.sgst,
                "igst": amounts.igst, "total": amounts.total}
    for key, want in expected.items():
        have = stated[key]
        if have != want:
            c.add(f.join(prefix, key), _line_mismatch(key, have, want, amounts, rate, supply),
                  "mismatch")


def _line_mismatch(
    key: str, have: Decimal, want: Decimal, amounts: LineAmounts, rate: Decimal, supply: str
) -> str:
    shown, right = format_money(have), format_money(want)
    if key == "taxable":
        return f"taxable is {shown} but quantity × unit_price less the discount is {right}"
    if key == "total":
        return f"total is {shown} but taxable + cgst + sgst + igst is {right}"
    if want == 0:
        return f"{key} is {shown} but must be 0.00 for supply {_SUPPLY_WORDS[supply]}"
    share = "half of " if key in ("cgst", "sgst") else ""
    return (f"{key} is {shown} but {share}{rate}% GST on {format_money(amounts.taxable)} "
            f"is {right}")


def _totals_values(c: Checks, totals: dict[str, Any]) -> dict[str, Decimal] | None:
    values = check_fields(c, totals, TOTALS.fields, "totals")
    if any(v is None for v in values.values()):
        return None
    return {k: v for k, v in values.items() if v is not None}


def _check_totals(c: Checks, totals: dict[str, Decimal], lines: list[Checked]) -> None:
    """Totals are the sums of the lines as written (each line is checked on its own)."""
    taxable = cgst = sgst = igst = grand = discount = Decimal("0.00")
    for stated, amounts in lines:
        assert stated is not None  # the caller only sums lines whose amounts parsed
        taxable += stated["taxable"]
        cgst += stated["cgst"]
        sgst += stated["sgst"]
        igst += stated["igst"]
        grand += stated["total"]
        discount += amounts.discount if amounts is not None else 0
    sums = {"taxable": taxable, "cgst": cgst, "sgst": sgst, "igst": igst,
            "gst": cgst + sgst + igst, "grand_total": grand}
    if all(amounts is not None for _, amounts in lines):
        sums["discount"] = discount
    for key in _TOTALS:
        if key in sums and totals[key] != sums[key]:
            c.add(f"totals.{key}", f"{key} is {format_money(totals[key])} but the lines add up "
                  f"to {format_money(sums[key])}", "sum")
