"""Pure: ERP payloads from an order snapshot, and ERP answers into FieldSync terms."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from erp_bridge.errors import SnapshotError
from sync.documents.pricing import format_money

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


def merged_codes(defaults: str, configured: str) -> dict[str, str]:
    """An ERP's codes: the configured `Name=value;…` over the defaults it leaves out."""
    return {**parse_defaults(defaults), **parse_defaults(configured)}


def commercial_lines(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The snapshot's lines with their amounts; an order queued without them cannot be sent."""
    lines = list(snapshot["lines"])
    if not snapshot.get("totals") or any("taxable" not in line for line in lines):
        raise SnapshotError(f"Order {snapshot.get('order_id')} was queued without its prices "
                            "and taxes; send it again from the order (its snapshot is older "
                            "than this FieldSync).")
    return lines


def gst_parts(line: dict[str, Any], supply: str) -> list[tuple[str, str, str]]:
    """(kind, rate %, amount) of the line's GST: CGST and SGST at half the rate, or IGST."""
    if supply == "intra":
        half = _plain(Decimal(line["gst_rate"]) / 2)
        return [("cgst", half, line["cgst"]), ("sgst", half, line["sgst"])]
    return [("igst", line["gst_rate"], line["igst"])]


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def sap_order_payload(snapshot: dict[str, Any], defaults: dict[str, str],
                      codes: dict[str, str]) -> dict[str, Any]:
    """A deep insert of header, items and their pricing elements; decimals travel as strings.

    `PurchaseOrderByCustomer` holds FieldSync's idempotency key, so the customer's own PO
    number travels as a header text (`to_Text`, text id `codes["po_text"]`).
    """
    header = {**SAP_HEADER_DEFAULTS, **defaults}
    payload: dict[str, Any] = {
        **header,
        "SoldToParty": snapshot["customer_id"],
        "PurchaseOrderByCustomer": snapshot["key"],
        "TransactionCurrency": snapshot["currency"],
        "to_Item": [_sap_item(line, snapshot, codes) for line in commercial_lines(snapshot)],
    }
    delivery = odata_datetime(snapshot.get("delivery_date", ""))
    if delivery:
        payload["RequestedDeliveryDate"] = delivery
    if snapshot.get("po_number"):
        dated = f" dated {snapshot['po_date']}" if snapshot.get("po_date") else ""
        payload["to_Text"] = [{"Language": "EN", "LongTextID": codes["po_text"],
                               "LongText": f"Customer PO {snapshot['po_number']}{dated}"}]
    return payload


def _sap_item(line: dict[str, Any], snapshot: dict[str, Any],
              codes: dict[str, str]) -> dict[str, Any]:
    """The item with its manual conditions: price per unit, percent discount, GST rates."""
    currency = snapshot["currency"]
    elements: list[dict[str, Any]] = [
        {"ConditionType": codes["price"], "ConditionRateValue": line["unit_price"],
         "ConditionCurrency": currency, "ConditionQuantity": "1"}]
    if Decimal(line["discount_pct"]) != 0:
        # Percentage conditions carry a negative rate for a discount and no currency.
        elements.append({"ConditionType": codes["discount"],
                         "ConditionRateValue": _plain(-Decimal(line["discount_pct"]))})
    elements += [{"ConditionType": codes[kind], "ConditionRateValue": rate}
                 for kind, rate, _ in gst_parts(line, snapshot["supply"])]
    return {"SalesOrderItem": str(line["line_no"]), "Material": line["product_id"],
            "RequestedQuantity": line["quantity"], "to_PricingElement": elements}


def sap_net_differences(snapshot: dict[str, Any], order: dict[str, Any]) -> list[str]:
    """Where SAP's own net amounts (`TotalNetAmount`, item `NetAmount`) differ from FieldSync's."""
    found: list[str] = []
    ours = snapshot["totals"]["taxable"]
    theirs = order.get("TotalNetAmount")
    if theirs is None or Decimal(str(theirs)) != Decimal(ours):
        found.append(f"total net {theirs} in SAP, {ours} in FieldSync")
    items = order.get("to_Item")
    items = items.get("results", []) if isinstance(items, dict) else items or []
    by_number = {str(item.get("SalesOrderItem")): item for item in items}
    for line in snapshot["lines"]:
        number = str(line["line_no"])
        net = by_number.get(number, {}).get("NetAmount")
        if net is None or Decimal(str(net)) != Decimal(line["taxable"]):
            found.append(f"item {number} ({line['product_id']}) net {net} in SAP, "
                         f"{line['taxable']} in FieldSync")
    return found


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


def oracle_order_payload(snapshot: dict[str, Any], system: str, defaults: dict[str, str],
                         codes: dict[str, str]) -> dict[str, Any]:
    """A `salesOrdersForOrderHub` create; id and number are both the idempotency key.

    Prices and tax are frozen: Oracle keeps the negotiated selling price and FieldSync's GST.
    """
    merged = {**ORACLE_HEADER_DEFAULTS, **defaults}
    uom = merged.pop("OrderedUOM")
    totals = snapshot.get("totals") or {}
    payload: dict[str, Any] = {
        "SourceTransactionNumber": snapshot["key"], "SourceTransactionId": snapshot["key"],
        "SourceTransactionSystem": system, "SourceTransactionRevisionNumber": "1",
        "RequestingBusinessUnitName": merged["BusinessUnitName"], **merged,
        "BuyingPartyNumber": snapshot["customer_id"],
        "TransactionalCurrencyCode": snapshot["currency"], "SubmittedFlag": True,
        "FreezePriceFlag": True, "FreezeTaxFlag": True,
        "lines": [_oracle_line(line, uom, snapshot, codes)
                  for line in commercial_lines(snapshot)],
        "totals": [{"TotalCode": codes[name], "TotalAmount": totals[field],
                    "CurrencyCode": snapshot["currency"]}
                   for name, field in (("net_total", "taxable"), ("tax_total", "gst"),
                                       ("total", "grand_total"))],
    }
    if snapshot.get("po_number"):
        payload["CustomerPONumber"] = snapshot["po_number"]
    if snapshot.get("delivery_date"):
        payload["RequestedShipDate"] = snapshot["delivery_date"] + "T00:00:00+00:00"
    return payload


def _oracle_line(line: dict[str, Any], uom: str, snapshot: dict[str, Any],
                 codes: dict[str, str]) -> dict[str, Any]:
    number = str(line["line_no"])
    return {"SourceTransactionLineId": number, "SourceTransactionLineNumber": number,
            "SourceTransactionScheduleId": number, "SourceScheduleNumber": number,
            "TransactionCategoryCode": "ORDER", "TransactionLineType": "Buy",
            "ProductNumber": line["product_id"],
            "OrderedQuantity": oracle_quantity(line["quantity"]), "OrderedUOM": uom,
            "UnitListPrice": line["list_price"], "UnitSellingPrice": line["net_unit_price"],
            "ExtendedAmount": line["taxable"], "ProductFiscalCategory": line["hsn_code"],
            "manualPriceAdjustments": _oracle_adjustments(line, codes),
            "taxDetails": [{"TaxRegimeCode": codes["regime"], "TaxRateCode": codes[kind],
                            "TaxRate": rate, "TaxableAmount": line["taxable"],
                            "TaxAmount": amount}
                           for kind, rate, amount in gst_parts(line, snapshot["supply"])]}


def _oracle_adjustments(line: dict[str, Any], codes: dict[str, str]) -> list[dict[str, Any]]:
    """From the list price to the selling price: the negotiated price, then the discount."""
    found: list[dict[str, Any]] = []
    if Decimal(line["unit_price"]) != Decimal(line["list_price"]):
        found.append({"AdjustmentTypeCode": codes["override"],
                      "AdjustmentAmount": line["unit_price"]})
    if Decimal(line["discount_pct"]) != 0:
        found.append({"AdjustmentTypeCode": codes["discount"],
                      "AdjustmentAmount": line["discount_pct"]})
    number = str(line["line_no"])
    return [{**adjustment, "SequenceNumber": index, "ChargeDefinitionCode": codes["charge"],
             "SourceManualPriceAdjustmentId": f"{number}-{index}",
             "Comments": "negotiated in FieldSync"}
            for index, adjustment in enumerate(found, start=1)]


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


def erpnext_order_payload(snapshot: dict[str, Any], defaults: dict[str, str],
                          codes: dict[str, str]) -> dict[str, Any]:
    """A submitted (`docstatus` 1) Sales Order keyed by a custom field (`order_id_field`).

    `po_no`/`po_date` carry the customer's own PO; each item its list rate, discount and net
    rate; GST travels as `taxes` rows on the CGST/SGST/IGST accounts named in `codes`.
    """
    merged = {**ERPNEXT_DEFAULTS, **defaults}
    order_date = snapshot.get("order_date") or ""
    delivery = snapshot.get("delivery_date") or order_date
    lines = commercial_lines(snapshot)
    totals = snapshot["totals"]
    payload = {**merged, "customer": snapshot["customer_id"],
               codes["order_id_field"]: snapshot["key"], "currency": snapshot["currency"],
               "transaction_date": order_date, "delivery_date": delivery, "docstatus": 1,
               "items": [_erpnext_item(line, snapshot["supply"], delivery, codes)
                         for line in lines],
               "taxes": _erpnext_taxes(lines, snapshot["supply"], codes),
               "net_total": totals["taxable"], "total_taxes_and_charges": totals["gst"],
               "grand_total": totals["grand_total"]}
    if snapshot.get("po_number"):
        payload["po_no"] = snapshot["po_number"]
        if snapshot.get("po_date"):
            payload["po_date"] = snapshot["po_date"]
    return payload


def erpnext_rate(line: dict[str, Any]) -> str:
    """The net rate per unit, in paise as ERPNext keeps it (amount = rate × qty)."""
    return format_money(Decimal(line["taxable"]) / Decimal(line["quantity"]))


def _erpnext_item(line: dict[str, Any], supply: str, delivery: str,
                  codes: dict[str, str]) -> dict[str, Any]:
    rates = {codes[kind]: float(Decimal(rate)) for kind, rate, _ in gst_parts(line, supply)}
    item = {"item_code": line["product_id"], "qty": line["quantity"],
            "price_list_rate": line["list_price"],
            "discount_percentage": line["effective_discount_pct"],
            "rate": erpnext_rate(line), "amount": line["taxable"],
            # Frappe keeps an item's own tax rates as JSON text: account head -> percent.
            "item_tax_rate": json.dumps(rates), "delivery_date": delivery}
    if line.get("hsn_code"):
        item["gst_hsn_code"] = line["hsn_code"]
    return item


def _erpnext_taxes(lines: list[dict[str, Any]], supply: str,
                   codes: dict[str, str]) -> list[dict[str, Any]]:
    """One "On Net Total" row per GST account; items name their own rate in item_tax_rate."""
    rows: dict[str, dict[str, Any]] = {}
    for line in lines:
        for kind, rate, amount in gst_parts(line, supply):
            row = rows.setdefault(kind, {"charge_type": "On Net Total",
                                         "account_head": codes[kind], "rates": set(),
                                         "description": kind.upper(),
                                         "tax_amount": Decimal(0)})
            row["rates"].add(rate)
            row["tax_amount"] += Decimal(amount)
    return [{"charge_type": row["charge_type"], "account_head": row["account_head"],
             "description": row["description"],
             # A row's own rate applies to items without one; several rates: items say.
             "rate": float(Decimal(next(iter(row["rates"])))) if len(row["rates"]) == 1 else 0,
             "tax_amount": format_money(row["tax_amount"])} for row in rows.values()]


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
