"""ERPNext master data (Customer and Address, Item and Item Tax Template, Item Price) as
FieldSync records; the GST fields are the India Compliance app's (README: [I] where inferred)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from erp_bridge.adapters.base import CustomerRecord, PriceRecord, ProductRecord
from erp_bridge.master_codes import MasterCodes, clean_gstin, parse_rate, resolve_state, state_code

CUSTOMER_FIELDS = ["name", "customer_name", "disabled", "modified", "gstin",
                   "customer_primary_address"]
ADDRESS_FIELDS = ["name", "address_line1", "address_line2", "city", "pincode", "gstin",
                  "gst_state_number", "state"]
ITEM_FIELDS = ["name", "item_name", "stock_uom", "disabled", "modified", "gst_hsn_code"]
PRICE_FIELDS = ["name", "item_code", "price_list", "price_list_rate", "currency", "customer",
                "valid_from", "valid_upto"]


def customer(row: dict[str, Any], address: dict[str, Any], changed: Any) -> CustomerRecord:
    """The customer with its primary address; the address's GSTIN stands in for the customer's."""
    gstin = clean_gstin(row.get("gstin")) or clean_gstin(address.get("gstin"))
    state = state_code(address.get("gst_state_number")) or state_code(address.get("state"))
    street = ", ".join(str(address[k]) for k in ("address_line1", "address_line2")
                       if address.get(k))
    return CustomerRecord(str(row["name"]), str(row.get("customer_name") or row["name"]),
                          bool(row.get("disabled")), changed,
                          state_code=resolve_state(state, gstin), gstin=gstin, address=street,
                          city=str(address.get("city") or ""),
                          pincode=str(address.get("pincode") or ""))


def template_rates(rows: list[dict[str, Any]], codes: MasterCodes) -> dict[str, Decimal]:
    """Item Tax Template name -> GST percent: the settings' mapping, else its `gst_rate` [I]."""
    found = {}
    for row in rows:
        rate = codes.rate(row.get("name"))
        rate = rate if rate is not None else parse_rate(row.get("gst_rate"))
        if rate is not None:
            found[str(row["name"])] = rate
    return found


def tax_template(item: dict[str, Any], today: date) -> str:
    """The Item Tax Template in force today (the latest `valid_from` not after today)."""
    live = [t for t in item.get("taxes") or []
            if t.get("item_tax_template") and str(t.get("valid_from") or "") <= today.isoformat()]
    live.sort(key=lambda t: str(t.get("valid_from") or ""))
    return str(live[-1]["item_tax_template"]) if live else ""


def product(row: dict[str, Any], item: dict[str, Any], rates: dict[str, Decimal],
            changed: Any, today: date) -> ProductRecord:
    template = tax_template(item, today)
    return ProductRecord(str(row["name"]), str(row.get("item_name") or row["name"]),
                         str(row.get("stock_uom") or ""), not row.get("disabled"), changed,
                         hsn_code=str(row.get("gst_hsn_code") or "")[:8],
                         gst_rate=rates.get(template), tax_code=template)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def price(row: dict[str, Any]) -> PriceRecord | None:
    try:
        amount = Decimal(str(row["price_list_rate"]))
    except (InvalidOperation, KeyError):
        return None
    return PriceRecord(str(row["price_list"]), str(row["item_code"]), amount,
                       valid_from=_day(row.get("valid_from")),
                       valid_to=_day(row.get("valid_upto")),
                       customer_id=str(row["customer"]) if row.get("customer") else None,
                       currency=str(row.get("currency") or "INR"))
