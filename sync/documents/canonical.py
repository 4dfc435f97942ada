"""Canonical offer content, its hash, and the business key an order must share with its offer."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from sync.documents.errors import DocumentError

_LINE_FIELDS = ("product_id", "quantity", "unit_price", "discount_pct", "gst_rate")


def quantity_decimal(value: Any) -> Decimal:
    """A JSON quantity as the exact decimal it was written as (2.5 stays 2.5, never 2.4999...)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DocumentError(f"quantity must be a number, not {value!r}", "quantity")
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def format_quantity(value: Any) -> str:
    """The shortest plain decimal for a quantity: 2, 2.5, 0.125 (no exponent, no trailing 0)."""
    return f"{quantity_decimal(value).normalize():f}"


def _text(doc: dict[str, Any], key: str, where: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise DocumentError(f"{key} must be text to build the {where}, not {value!r}", key)
    return value


def _lines_part(doc: dict[str, Any]) -> str:
    lines = doc.get("lines")
    if not isinstance(lines, list):
        raise DocumentError("lines must be a list to build the canonical content", "lines")
    parts = []
    for index, line in enumerate(lines):
        if not isinstance(line, dict):
            raise DocumentError("each line must be an object", f"lines[{index}]")
        values = [
            format_quantity(line.get(key)) if key == "quantity" else _text(line, key, "line")
            for key in _LINE_FIELDS
        ]
        parts.append("|" + ",".join(values))
    return "".join(parts)


def _grand_total(doc: dict[str, Any]) -> str:
    totals = doc.get("totals")
    if not isinstance(totals, dict):
        raise DocumentError("totals must be an object", "totals")
    return _text(totals, "grand_total", "canonical content")


def canonical_content(offer: dict[str, Any]) -> str:
    """`customer_id|valid_until|supply|grand_total` then `|product,qty,price,disc,rate` per line."""
    head = [
        _text(offer, "customer_id", "canonical content"),
        _text(offer, "valid_until", "canonical content"),
        _text(offer, "supply", "canonical content"),
        _grand_total(offer),
    ]
    return "|".join(head) + _lines_part(offer)


def offer_hash(offer: dict[str, Any]) -> str:
    """`sha256:<hex>` of the UTF-8 canonical content; what a customer approval signs."""
    digest = hashlib.sha256(canonical_content(offer).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def business_key(doc: dict[str, Any]) -> str:
    """The canonical content without `valid_until|`; equal for an order and its offer."""
    head = [
        _text(doc, "customer_id", "business key"),
        _text(doc, "supply", "business key"),
        _grand_total(doc),
    ]
    return "|".join(head) + _lines_part(doc)


def terms_hash(doc: dict[str, Any]) -> str:
    """`sha256:<hex>` of an offer's commercial terms (its business key): what a head approves.

    Customer, supply, every line's product, quantity, price, discount and GST rate, and the
    grand total; the validity date is not a commercial term.
    """
    return key_hash(business_key(doc))


def key_hash(key: str) -> str:
    """The terms hash of an already built business key (SQL keeps the key of every offer)."""
    return "sha256:" + hashlib.sha256(f"terms|{key}".encode()).hexdigest()


def expense_terms(amount: Any, km: Any, mode: Any) -> str:
    """`sha256:<hex>` of what a head approves on an expense: amount, kilometres and mode."""
    km_text = f"{Decimal(repr(km) if isinstance(km, float) else str(km)).normalize():f}"
    text = f"expense|{amount}|{km_text}|{mode}"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
