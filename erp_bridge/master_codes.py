"""Master data from an ERP in Indian GST terms: state codes, GSTINs, tax rates (pure).

Each ERP names states and tax rates in its own codes; the mappings of a deployment's codes
come from settings (`FIELDSYNC_ERP_TAX_RATES`, `FIELDSYNC_ERP_REGION_STATES`), never constants.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from erp_bridge.mapping import parse_defaults

# GST state codes by state or union territory name, as they appear in addresses.
GST_STATES = {
    "jammu and kashmir": "01", "himachal pradesh": "02", "punjab": "03", "chandigarh": "04",
    "uttarakhand": "05", "haryana": "06", "delhi": "07", "rajasthan": "08",
    "uttar pradesh": "09", "bihar": "10", "sikkim": "11", "arunachal pradesh": "12",
    "nagaland": "13", "manipur": "14", "mizoram": "15", "tripura": "16", "meghalaya": "17",
    "assam": "18", "west bengal": "19", "jharkhand": "20", "odisha": "21",
    "chhattisgarh": "22", "madhya pradesh": "23", "gujarat": "24",
    "dadra and nagar haveli and daman and diu": "26", "maharashtra": "27",
    "karnataka": "29", "goa": "30", "lakshadweep": "31", "kerala": "32", "tamil nadu": "33",
    "puducherry": "34", "andaman and nicobar islands": "35", "telangana": "36",
    "andhra pradesh": "37", "ladakh": "38",
}
GSTIN = re.compile(r"^[0-9]{2}[A-Z0-9]{13}$")
STATE_CODE = re.compile(r"^(0[1-9]|[12][0-9]|3[0-8]|97)$")


@dataclass(frozen=True)
class MasterCodes:
    """A deployment's ERP codes for what the pulls translate."""

    tax_rates: Mapping[str, Decimal] = field(default_factory=dict)  # tax code -> GST %
    region_states: Mapping[str, str] = field(default_factory=dict)  # region -> state code
    gstin_tax_type: str = "IN3"
    price_condition: str = "PR00"
    price_list: str = "Standard Selling"
    hsn_catalog: str = "HSN"
    currency: str = "INR"
    order_defaults: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Any) -> MasterCodes:
        rates = {}
        for code, value in parse_defaults(settings.erp_tax_rates).items():
            rate = parse_rate(value)
            if rate is not None:
                rates[code] = rate
        return cls(rates, parse_defaults(settings.erp_region_states),
                   settings.erp_gstin_tax_type, settings.erp_price_condition,
                   settings.erp_price_list, settings.erp_hsn_catalog, settings.erp_currency,
                   parse_defaults(settings.erp_order_defaults))

    def rate(self, tax_code: Any) -> Decimal | None:
        """The GST percent a tax classification code stands for, when the settings name it."""
        return self.tax_rates.get(str(tax_code or "").strip())


def parse_rate(value: Any) -> Decimal | None:
    """A GST percent from 0 to 100, or None."""
    try:
        rate = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        return None
    return rate.normalize() + 0 if rate.is_finite() and 0 <= rate <= 100 else None


def clean_gstin(value: Any) -> str | None:
    """A GSTIN as stored (upper case, 15 characters), or None when the value is not one."""
    text = str(value or "").strip().upper()
    return text if GSTIN.match(text) and STATE_CODE.match(text[:2]) else None


def state_code(value: Any) -> str | None:
    """A GST state code from a code ("29", "9") or a state's name ("Karnataka")."""
    text = str(value or "").strip()
    if text.isdigit() and STATE_CODE.match(text.zfill(2)):
        return text.zfill(2)
    return GST_STATES.get(" ".join(text.lower().replace("&", "and").split()))


def resolve_state(state: str | None, gstin: str | None) -> str | None:
    """The customer's GST state: the ERP's, else the GSTIN's first two digits, else unknown."""
    return state or (gstin[:2] if gstin else None)
