"""Pure: ERP payloads from an order snapshot, and ERP answers into FieldSync terms."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

SAP_HEADER_DEFAULTS = {"SalesOrderType": "OR", "SalesOrganization": "1710",
                       "DistributionChannel": "10", "OrganizationDivision": "00"}
ORACLE_HEADER_DEFAULTS = {"BusinessUnitName": "Vision Operations",
                          "TransactionType": "Standard Orders", "OrderedUOM": "EA"}
ERPNEXT_DEFAULTS = {"company": "FieldSync Customer"}
ORACLE_FAILED_MARKERS = ("failed validation", "didn't submit", "did not submit")


def parse_defaults(raw: str) -> dict[str, str]:
    """`Name=value;Name2=value2` from FIELDSYNC_ERP_ORDER_DEFAULTS into a dict."""
    pairs = (item.split("=", 1) for item in raw.split(";") if "=" in item)
    return {name.strip(): value.strip() for name, value in pairs if name.strip()}


def odata_datetime(day: str) -> str | None:
    """`YYYY-MM-DD` as OData V2 `Edm.DateTime` (`/Date(ms)/`), or None when empty."""
    if not day:
        return None
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)
    return f"/Date({int(start.timestamp() * 1000)})/"


def parse_odata_date(value: Any) -> datetime | None:
    """`/Date(ms)/` or `/Date(ms+0000)/` into an aware UTC datetime."""
    match = re.fullmatch(r"/Date\((-?\d+)([+-]\d{4})?\)/", str(value or ""))
    if match is None:
        return None
    return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)


def parse_odata_time(value: Any) -> timedelta:
    """`Edm.Time` (`PT10H15M00S`) as an offset into the day."""
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", str(value or ""))
    if match is None:
        return timedelta()
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def sap_order_payload(snapshot: dict[str, Any], defaults: dict[str, str]) -> dict[str, Any]:
    """A deep insert of header and items for `A_SalesOrder`; decimals travel as strings."""
    header = {**SAP_HEADER_DEFAULTS, **defaults}
    payload: dict[str, Any] = {
        **header,
        "SoldToParty": snapshot["customer_id"],
        "PurchaseOrderByCustomer": snapshot["key"],
        "TransactionCurrency": snapshot["currency"],
        "to_Item": [{"SalesOrderItem": str(line["line_no"]), "Material": line["product_id"],
                     "RequestedQuantity": line["quantity"]} for line in snapshot["lines"]],
    }
    delivery = odata_datetime(snapshot.get("delivery_date", ""))
    if delivery:
        payload["RequestedDeliveryDate"] = delivery
    return payload


def sap_error_text(status: int, body: str) -> str:
    """SAP's `error.message.value` plus its error details, or the raw body when not JSON."""
    try:
        error = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        return f"SAP answered {status}: {body.strip()[:500] or 'no details'}"
    message = error.get("message", {})
    text = message.get("value") if isinstance(message, dict) else str(message)
    details = error.get("innererror", {}).get("errordetails", []) or []
    extra = [d.get("message", "") for d in details
             if isinstance(d, dict) and d.get("message") and d.get("message") != text]
    code = error.get("code", "")
    parts = [f"{text} ({code})" if code else str(text), *extra]
    return "; ".join(p for p in parts if p)


def odata_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def oracle_quantity(quantity: str) -> int | float:
    number = Decimal(quantity)
    # Quantities are plain JSON numbers in Oracle's samples; money never goes this way.
    return int(number) if number == number.to_integral_value() else float(number)


def oracle_order_payload(snapshot: dict[str, Any], system: str,
                         defaults: dict[str, str]) -> dict[str, Any]:
    """A `salesOrdersForOrderHub` create; id and number are both the idempotency key."""
    merged = {**ORACLE_HEADER_DEFAULTS, **defaults}
    uom = merged.pop("OrderedUOM")
    payload: dict[str, Any] = {
        "SourceTransactionNumber": snapshot["key"], "SourceTransactionId": snapshot["key"],
        "SourceTransactionSystem": system, "SourceTransactionRevisionNumber": "1",
        "RequestingBusinessUnitName": merged["BusinessUnitName"], **merged,
        "BuyingPartyNumber": snapshot["customer_id"],
        "TransactionalCurrencyCode": snapshot["currency"], "SubmittedFlag": True,
        "lines": [_oracle_line(line, uom) for line in snapshot["lines"]],
    }
    if snapshot.get("po_number"):
        payload["CustomerPONumber"] = snapshot["po_number"]
    if snapshot.get("delivery_date"):
        payload["RequestedShipDate"] = snapshot["delivery_date"] + "T00:00:00+00:00"
    return payload


def _oracle_line(line: dict[str, Any], uom: str) -> dict[str, Any]:
    number = str(line["line_no"])
    return {"SourceTransactionLineId": number, "SourceTransactionLineNumber": number,
            "SourceTransactionScheduleId": number, "SourceScheduleNumber": number,
            "TransactionCategoryCode": "ORDER", "TransactionLineType": "Buy",
            "ProductNumber": line["product_id"],
            "OrderedQuantity": oracle_quantity(line["quantity"]), "OrderedUOM": uom}


def oracle_failed(message_text: str) -> bool:
    """A 201 whose `MessageText` says the order was not submitted is a failure."""
    lowered = message_text.lower()
    return any(marker in lowered for marker in ORACLE_FAILED_MARKERS)


def oracle_error_text(status: int, body: str) -> str:
    """Plain text (framework version 1) or the ADF error JSON (version 4+), for people."""
    try:
        data = json.loads(body)
    except ValueError:
        return f"Oracle answered {status}: {body.strip()[:500] or 'no details'}"
    if not isinstance(data, dict):
        return f"Oracle answered {status}: {body.strip()[:500]}"
    details = [d.get("detail", "") for d in data.get("o:errorDetails", []) if isinstance(d, dict)]
    return "; ".join(p for p in [data.get("title", ""), *details] if p) or body[:500]


def erpnext_order_payload(snapshot: dict[str, Any], defaults: dict[str, str]) -> dict[str, Any]:
    """A submitted (`docstatus` 1) Sales Order keyed by `po_no`."""
    merged = {**ERPNEXT_DEFAULTS, **defaults}
    order_date = snapshot.get("order_date") or ""
    delivery = snapshot.get("delivery_date") or order_date
    return {**merged, "customer": snapshot["customer_id"], "po_no": snapshot["key"],
            "transaction_date": order_date, "delivery_date": delivery, "docstatus": 1,
            "items": [{"item_code": line["product_id"], "qty": line["quantity"],
                       "rate": line["unit_price"], "delivery_date": delivery}
                      for line in snapshot["lines"]]}


def frappe_error_text(status: int, body: str) -> str:
    """Frappe's `exception` or `_server_messages` (a JSON list of JSON objects), for people."""
    try:
        data = json.loads(body)
    except ValueError:
        return f"ERPNext answered {status}: {body.strip()[:500] or 'no details'}"
    messages: list[str] = []
    try:
        for raw in json.loads(data.get("_server_messages", "[]")):
            item = json.loads(raw) if isinstance(raw, str) else raw
            messages.append(str(item.get("message", item)))
    except (ValueError, AttributeError, TypeError):
        messages = []
    text = "; ".join(messages) or str(data.get("exception") or data.get("message") or "")
    return text or f"ERPNext answered {status}"
