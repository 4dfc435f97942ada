"""Order documents shaped like the phone writes them (docs/documents.md), for ERP tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.documents.pricing import format_money, price_line, sum_lines


def order_doc(n: int, customer: str = "17100001", owner: str = "asha") -> dict[str, Any]:
    return {
        "_id": f"order:ord-{n:06d}", "type": "order", "owner": owner, "schema_version": 2,
        "device_id": "phone-1", "created_at": "2026-11-29T10:15:00+05:30",
        "updated_at": "2026-11-29T10:15:00+05:30", "offer_id": f"offer:off-{n:06d}",
        "approval_id": f"approval:apr-{n:06d}", "customer_id": customer, "supply": "intra",
        "delivery_date": "2026-12-10",
        "lines": [
            {"product_id": "TG11", "quantity": 5, "unit_price": "100.00", "discount_pct": "0",
             "gst_rate": "18", "taxable": "500.00", "cgst": "45.00", "sgst": "45.00",
             "igst": "0.00", "total": "590.00"},
            {"product_id": "TG12", "quantity": 2.5, "unit_price": "40.00", "discount_pct": "10",
             "gst_rate": "18", "taxable": "90.00", "cgst": "8.10", "sgst": "8.10",
             "igst": "0.00", "total": "106.20"},
        ],
        "totals": {"taxable": "590.00", "discount": "10.00", "cgst": "53.10", "sgst": "53.10",
                   "igst": "0.00", "gst": "106.20", "grand_total": "696.20"},
    }


def priced_order(n: int, customer: str, supply: str,
                 lines: list[tuple[str, int, str, str, str]], owner: str = "asha",
                 **extra: Any) -> dict[str, Any]:
    """An order whose lines (product, quantity, unit price, discount %, GST %) are priced with
    the worker's own GST rules, as the phone prices them."""
    written, amounts = [], []
    for product, quantity, price, discount, rate in lines:
        amount = price_line(Decimal(quantity), Decimal(price), Decimal(discount),
                            Decimal(rate), supply)
        amounts.append(amount)
        written.append({"product_id": product, "quantity": quantity, "unit_price": price,
                        "discount_pct": discount, "gst_rate": rate,
                        **{name: format_money(getattr(amount, name))
                           for name in ("taxable", "cgst", "sgst", "igst", "total")}})
    totals = sum_lines(amounts)
    return {**order_doc(n, customer, owner), "supply": supply, "lines": written, **extra,
            "totals": {name: format_money(getattr(totals, name)) for name in
                       ("taxable", "discount", "cgst", "sgst", "igst", "gst", "grand_total")}}
