"""Building documents as a phone does: priced lines and totals from the pricing rules."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sync.documents.canonical import quantity_decimal
from sync.documents.pricing import format_money, price_line, sum_lines

Doc = dict[str, Any]
Line = tuple[str, float | int, str, str, str]  # product_id, quantity, unit_price, discount, gst


def priced_lines(lines: Sequence[Line], supply: str) -> tuple[list[Doc], Doc]:
    """Line objects and totals exactly as the phone computes them."""
    out, amounts = [], []
    for product_id, quantity, unit_price, discount_pct, gst_rate in lines:
        a = price_line(quantity_decimal(quantity), Decimal(unit_price), Decimal(discount_pct),
                       Decimal(gst_rate), supply)
        amounts.append(a)
        out.append({
            "product_id": product_id, "quantity": quantity, "unit_price": unit_price,
            "discount_pct": discount_pct, "gst_rate": gst_rate, "taxable": format_money(a.taxable),
            "cgst": format_money(a.cgst), "sgst": format_money(a.sgst),
            "igst": format_money(a.igst), "total": format_money(a.total),
        })
    t = sum_lines(amounts)
    totals = {key: format_money(getattr(t, key))
              for key in ("taxable", "discount", "cgst", "sgst", "igst", "gst", "grand_total")}
    return out, totals
