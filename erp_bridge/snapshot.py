"""Pure: the frozen snapshot of a sales order that the outbox carries to the ERP."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from erp_bridge.errors import SnapshotError
from sync.documents.errors import InvalidValue
from sync.documents.pricelists import effective_discount
from sync.documents.pricing import DocumentTotals, LineAmounts, format_money, price_line, sum_lines

KEY_PREFIX = "FS-"
# SAP's PurchaseOrderByCustomer holds 35 characters; one key serves every ERP.
MAX_KEY_LENGTH = 35


def idempotency_key(order_id: str) -> str:
    """The stable key an ERP knows this order by, reused on every attempt."""
    local = order_id.split(":", 1)[-1]
    key = KEY_PREFIX + local
    if len(key) <= MAX_KEY_LENGTH:
        return key
    digest = hashlib.sha256(order_id.encode()).hexdigest()
    return KEY_PREFIX + digest[: MAX_KEY_LENGTH - len(KEY_PREFIX)]


@dataclass(frozen=True)
class ProductInfo:
    """What master data adds to an order line for the ERP: HSN code and unit."""

    hsn_code: str = ""
    unit: str = ""


def build_snapshot(order_doc: dict[str, Any], currency: str = "INR", *,
                   products: Mapping[str, ProductInfo] | None = None,
                   list_prices: Mapping[str, Decimal] | None = None) -> dict[str, Any]:
    """What will be sent, as JSON-safe strings (money and quantities never pass a float).

    Every amount comes from the GST rules the worker validated the order with
    (`sync.documents.pricing`), so the ERP receives the very figures the customer signed.
    `list_prices` are the customer's price list on the offer's date (none: the line's price).
    """
    order_id = _text(order_doc, "_id")
    customer = _text(order_doc, "customer_id")
    raw_lines = order_doc.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise SnapshotError(f"Order {order_id} has no lines; an ERP order needs at least one.")
    totals = order_doc.get("totals")
    totals = totals if isinstance(totals, dict) else {}
    lines = [_line(order_id, n, line) for n, line in enumerate(raw_lines, start=1)]
    supply = str(order_doc.get("supply") or "")
    priced = _commercial(order_id, supply, lines, raw_lines, products or {}, list_prices or {})
    written = _decimal(totals.get("grand_total", "0"), "totals.grand_total")
    if written != priced.grand_total:
        raise SnapshotError(f"Order {order_id} says grand_total {format_money(written)} but its "
                            f"lines add up to {format_money(priced.grand_total)}.")
    return {
        "order_id": order_id,
        "key": idempotency_key(order_id),
        "owner": str(order_doc.get("owner", "")),
        "customer_id": customer,
        "po_number": str(order_doc.get("po_number") or ""),
        "po_date": _iso_date(order_doc.get("po_date")),
        "order_date": str(order_doc.get("created_at", ""))[:10],
        "delivery_date": str(order_doc.get("delivery_date") or ""),
        "currency": currency,
        "supply": supply,
        "grand_total": format_money(written),
        "totals": _totals(priced),
        "lines": lines,
    }


def _commercial(order_id: str, supply: str, lines: list[dict[str, Any]], raw: list[Any],
                products: Mapping[str, ProductInfo],
                list_prices: Mapping[str, Decimal]) -> DocumentTotals:
    """Price each line with the worker's GST rules and add what the ERP needs to the line."""
    amounts: list[LineAmounts] = []
    for number, (line, source) in enumerate(zip(lines, raw, strict=True), start=1):
        rate = _decimal(source.get("gst_rate"), f"lines[{number}].gst_rate")
        quantity, price = Decimal(line["quantity"]), Decimal(line["unit_price"])
        discount = Decimal(line["discount_pct"])
        try:
            amount = price_line(quantity, price, discount, rate, supply)
        except InvalidValue as exc:
            raise SnapshotError(f"Order {order_id}: {exc}") from exc
        listed = list_prices.get(line["product_id"], price)
        info = products.get(line["product_id"], ProductInfo())
        line.update({
            "gst_rate": _rate(rate), "list_price": format_money(listed),
            # What the customer pays per unit before tax, exact (not rounded to paise).
            "net_unit_price": _rate(price * (100 - discount) / 100),
            "effective_discount_pct": _rate(effective_discount(quantity, price, discount,
                                                               listed)),
            "hsn_code": info.hsn_code, "unit": info.unit,
            **{name: format_money(getattr(amount, name))
               for name in ("taxable", "discount", "cgst", "sgst", "igst", "total")}})
        amounts.append(amount)
    return sum_lines(amounts)


def _totals(priced: DocumentTotals) -> dict[str, str]:
    return {name: format_money(getattr(priced, name))
            for name in ("taxable", "discount", "cgst", "sgst", "igst", "gst", "grand_total")}


def _rate(value: Decimal) -> str:
    """A rate or exact unit price as the shortest plain decimal ("9", "2.5", "874.125")."""
    return f"{value.normalize():f}"


def _iso_date(value: Any) -> str:
    """The customer's PO date when the order carries a real date, else empty."""
    try:
        return date.fromisoformat(value).isoformat() if isinstance(value, str) else ""
    except ValueError:
        return ""


def _line(order_id: str, number: int, line: Any) -> dict[str, Any]:
    if not isinstance(line, dict):
        raise SnapshotError(f"Order {order_id} line {number} is not an object.")
    product = line.get("product_id")
    if not isinstance(product, str) or not product:
        raise SnapshotError(f"Order {order_id} line {number} has no product_id.")
    quantity = _decimal(line.get("quantity"), f"lines[{number}].quantity")
    if quantity <= 0:
        raise SnapshotError(f"Order {order_id} line {number} has quantity {quantity}; "
                            "it must be more than zero.")
    return {
        "line_no": number * 10,
        "product_id": product,
        "quantity": str(quantity),
        "unit_price": str(_decimal(line.get("unit_price", "0"), f"lines[{number}].unit_price")),
        "discount_pct": str(_decimal(line.get("discount_pct", "0"),
                                     f"lines[{number}].discount_pct")),
        "total": str(_decimal(line.get("total", "0"), f"lines[{number}].total")),
    }


def _text(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    if not isinstance(value, str) or not value:
        raise SnapshotError(f"The order has no {name}; it cannot be sent to the ERP.")
    return value


def _decimal(value: Any, name: str) -> Decimal:
    # JSON numbers (quantities) go through str() so 0.1 stays 0.1, not a binary float.
    if isinstance(value, bool) or value is None:
        raise SnapshotError(f"{name} is missing or not a number.")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise SnapshotError(f"{name} is {value!r}, which is not a number.") from exc
    if not number.is_finite():
        raise SnapshotError(f"{name} is {value!r}, which is not a finite number.")
    return number
