"""Pure: the frozen snapshot of a sales order that the outbox carries to the ERP."""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from erp_bridge.errors import SnapshotError

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


def build_snapshot(order_doc: dict[str, Any], currency: str = "INR") -> dict[str, Any]:
    """What will be sent, as JSON-safe strings (money and quantities never pass a float)."""
    order_id = _text(order_doc, "_id")
    customer = _text(order_doc, "customer_id")
    raw_lines = order_doc.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise SnapshotError(f"Order {order_id} has no lines; an ERP order needs at least one.")
    totals = order_doc.get("totals")
    totals = totals if isinstance(totals, dict) else {}
    return {
        "order_id": order_id,
        "key": idempotency_key(order_id),
        "owner": str(order_doc.get("owner", "")),
        "customer_id": customer,
        "po_number": str(order_doc.get("po_number") or ""),
        "order_date": str(order_doc.get("created_at", ""))[:10],
        "delivery_date": str(order_doc.get("delivery_date") or ""),
        "currency": currency,
        "grand_total": str(_decimal(totals.get("grand_total", "0"), "totals.grand_total")),
        "lines": [_line(order_id, n, line) for n, line in enumerate(raw_lines, start=1)],
    }


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
