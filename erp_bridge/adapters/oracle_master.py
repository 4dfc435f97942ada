"""Oracle Fusion master data rows (`accounts`, `itemsV2`, `priceLists`) as FieldSync records;
the attribute names are Oracle's (README: [I] marks the inferred ones)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from erp_bridge.adapters.base import CustomerRecord, PriceRecord, ProductRecord
from erp_bridge.master_codes import MasterCodes, clean_gstin, resolve_state, state_code

PRICE_LISTS = "/fscmRestApi/resources/11.13.18.05/priceLists"
ADDRESS = "PrimaryAddress"
ACCOUNT_FIELDS = ("PartyNumber,OrganizationName,PartyStatus,LastUpdateDate,"
                  f"TaxpayerIdentificationNumber;{ADDRESS}:AddressLine1,AddressLine2,City,"
                  "State,PostalCode,Country,Latitude,Longitude")
ITEM_FIELDS = ("ItemNumber,ItemDescription,PrimaryUOMValue,ItemStatusValue,LastUpdateDate,"
               "OutputTaxClassificationCodeValue;ItemCategory:ItemCatalog,CategoryCode")
LIST_FIELDS = "PriceListId,PriceListName,CurrencyCode,StartDate,EndDate"
LIST_ITEM_FIELDS = "ItemNumber,PricingUOMCode;charges:BasePrice,StartDate,EndDate"


def iso(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def day(value: Any) -> date | None:
    moment = iso(value)
    return moment.date() if moment else None


def _coordinate(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def customer(row: dict[str, Any]) -> CustomerRecord:
    gstin = clean_gstin(row.get("TaxpayerIdentificationNumber"))
    where: dict[str, Any] = next(iter(row.get(ADDRESS) or []), {})
    street = ", ".join(str(where[k]) for k in ("AddressLine1", "AddressLine2") if where.get(k))
    return CustomerRecord(
        str(row["PartyNumber"]), str(row.get("OrganizationName") or row["PartyNumber"]),
        str(row.get("PartyStatus") or "A") != "A", iso(row.get("LastUpdateDate")),
        state_code=resolve_state(state_code(where.get("State")), gstin), gstin=gstin,
        address=street, city=str(where.get("City") or ""),
        pincode=str(where.get("PostalCode") or ""), lat=_coordinate(where.get("Latitude")),
        lon=_coordinate(where.get("Longitude")))


def product(row: dict[str, Any], codes: MasterCodes) -> ProductRecord:
    hsn = next((str(c["CategoryCode"]) for c in row.get("ItemCategory") or []
                if c.get("ItemCatalog") == codes.hsn_catalog and c.get("CategoryCode")), "")
    tax_code = str(row.get("OutputTaxClassificationCodeValue") or "")
    return ProductRecord(str(row["ItemNumber"]),
                         str(row.get("ItemDescription") or row["ItemNumber"]),
                         str(row.get("PrimaryUOMValue") or ""),
                         str(row.get("ItemStatusValue") or "Active") == "Active",
                         iso(row.get("LastUpdateDate")), hsn_code=hsn[:8],
                         gst_rate=codes.rate(tax_code), tax_code=tax_code)


def prices(price_list: dict[str, Any], item: dict[str, Any]) -> list[PriceRecord]:
    """One record per charge of a price list's item (a charge has its own validity)."""
    found = []
    for charge in item.get("charges") or []:
        try:
            amount = Decimal(str(charge["BasePrice"]))
        except (InvalidOperation, KeyError):
            continue
        found.append(PriceRecord(
            str(price_list.get("PriceListName") or price_list["PriceListId"]),
            str(item["ItemNumber"]), amount,
            valid_from=day(charge.get("StartDate")) or day(price_list.get("StartDate")),
            valid_to=day(charge.get("EndDate")) or day(price_list.get("EndDate")),
            currency=str(price_list.get("CurrencyCode") or "INR")))
    return found
