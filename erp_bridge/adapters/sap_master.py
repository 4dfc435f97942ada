"""SAP master data rows (`API_BUSINESS_PARTNER`, `API_PRODUCT_SRV`, pricing condition records)
as FieldSync records; the field names are SAP's (README: [I] marks the inferred ones)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from erp_bridge.adapters.base import CustomerRecord, PriceRecord, ProductRecord
from erp_bridge.mapping import odata_quote, parse_odata_date, parse_odata_time
from erp_bridge.master_codes import MasterCodes, clean_gstin, resolve_state

PRICES = "/sap/opu/odata/sap/API_SLSPRICINGCONDITIONRECORD_SRV"
CUSTOMER_EXPAND = "to_Customer,to_BusinessPartnerAddress,to_BusinessPartnerTax"
PRODUCT_EXPAND = "to_Description,to_Plant,to_SalesTax"
PRICE_EXPAND = "to_SlsPrcgConditionRecord"
OPEN_END = date(9999, 12, 31)  # SAP's "valid until further notice"


def results(row: dict[str, Any], navigation: str) -> list[dict[str, Any]]:
    """The rows of an expanded navigation property (`{"results": […]}`, or one entity)."""
    value = row.get(navigation) or {}
    if isinstance(value, dict) and "results" in value:
        return list(value["results"])
    return [value] if isinstance(value, dict) and "__deferred" not in value else []


def customer(row: dict[str, Any], codes: MasterCodes) -> CustomerRecord | None:
    account = row.get("to_Customer") or {}
    number = account.get("Customer") or row.get("Customer")
    if not number:
        return None  # a partner that is not a customer (a supplier, a contact person)
    changed = parse_odata_date(row.get("LastChangeDate"))
    if changed is not None:
        changed += parse_odata_time(row.get("LastChangeTime"))
    blocked = bool(row.get("BusinessPartnerIsBlocked") or account.get("OrderIsBlockedForCustomer")
                   or account.get("DeletionIndicator"))
    name = account.get("CustomerName") or row.get("BusinessPartnerFullName") or number
    gstin = next((clean_gstin(t.get("BPTaxNumber")) for t in results(row, "to_BusinessPartnerTax")
                  if t.get("BPTaxType") == codes.gstin_tax_type), None)
    addresses = results(row, "to_BusinessPartnerAddress")
    where = next((a for a in addresses if a.get("Country") == "IN"), addresses[0] if addresses
                 else {})
    # SAP's region codes are not GST state codes: only the deployment's mapping translates them.
    state = codes.region_states.get(str(where.get("Region") or ""))
    street = " ".join(str(where.get(k) or "") for k in ("HouseNumber", "StreetName")).strip()
    return CustomerRecord(str(number), str(name), blocked, changed,
                          state_code=resolve_state(state, gstin), gstin=gstin, address=street,
                          city=str(where.get("CityName") or ""),
                          pincode=str(where.get("PostalCode") or ""))


def product(row: dict[str, Any], codes: MasterCodes) -> ProductRecord:
    descriptions = results(row, "to_Description")
    english = [d.get("ProductDescription") for d in descriptions if d.get("Language") == "EN"]
    name = (english or [d.get("ProductDescription") for d in descriptions] or [row["Product"]])[0]
    # India: the HSN is the plant's control code (ConsumptionTaxCtrlCode) [I].
    hsn = next((str(p["ConsumptionTaxCtrlCode"]) for p in results(row, "to_Plant")
                if p.get("ConsumptionTaxCtrlCode")), "")
    taxes = [t for t in results(row, "to_SalesTax") if t.get("Country") in ("IN", None)]
    tax_code = str(taxes[0].get("TaxClassification") or "") if taxes else ""
    return ProductRecord(str(row["Product"]), str(name), str(row.get("BaseUnit") or ""),
                         not row.get("IsMarkedForDeletion"),
                         parse_odata_date(row.get("LastChangeDateTime")), hsn_code=hsn[:8],
                         gst_rate=codes.rate(tax_code), tax_code=tax_code)


def price_filter(codes: MasterCodes) -> str:
    """List prices of the configured condition type, in the sales area orders are sent to."""
    terms = [f"ConditionType eq {odata_quote(codes.price_condition)}"]
    for name in ("SalesOrganization", "DistributionChannel"):
        if codes.order_defaults.get(name):
            terms.append(f"{name} eq {odata_quote(codes.order_defaults[name])}")
    return " and ".join(terms)


def price(row: dict[str, Any], codes: MasterCodes) -> PriceRecord | None:
    record = next(iter(results(row, "to_SlsPrcgConditionRecord")), None)
    if not row.get("Material") or record is None or record.get("ConditionIsDeleted"):
        return None
    try:
        rate = Decimal(str(record["ConditionRateValue"]))
        per = Decimal(str(record.get("ConditionQuantity") or "1")) or Decimal(1)
    except (InvalidOperation, KeyError):
        return None
    start, end = (parse_odata_date(row.get(k)) for k in ("ConditionValidityStartDate",
                                                         "ConditionValidityEndDate"))
    return PriceRecord(
        codes.price_condition, str(row["Material"]), rate / per,
        valid_from=start.date() if start else None,
        valid_to=end.date() if end and end.date() < OPEN_END else None,
        customer_id=str(row["Customer"]) if row.get("Customer") else None,
        currency=str(record.get("ConditionRateValueUnit") or codes.currency))
