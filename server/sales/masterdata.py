"""Master-data values checked and normalised: customers, products, price lists (pure).

The REST API and the CSV/XLSX import both go through these checks, so a value refused in one is
refused in the other with the same words. Each `check_*` returns clean values or raises
InvalidRequestError whose `errors` map every bad field to its problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from server.sales.errors import InvalidRequestError

ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
GSTIN = re.compile(r"[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]")
_GSTIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATE_CODES = frozenset({f"{n:02d}" for n in range(1, 39)} | {"97"})
GST_RATES = tuple(Decimal(r) for r in ("0", "0.1", "0.25", "1.5", "3", "5", "12", "18", "28",
                                       "40"))
HSN = re.compile(r"[0-9]{4}([0-9]{2}){0,2}")
PINCODE = re.compile(r"[1-9][0-9]{5}")
MONEY = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
TRUE_WORDS = {"1", "true", "yes", "y", "active"}
FALSE_WORDS = {"0", "false", "no", "n", "inactive"}


def territory_code(raw: str) -> str:
    """A territory code as stored: upper-case, so "blr" and "BLR" name one territory (and one
    customers database on the phones)."""
    return raw.strip().upper()


def gstin_check_char(first14: str) -> str:
    """The GSTIN's 15th character: a mod-36 checksum over the first fourteen."""
    total = 0
    for index, char in enumerate(first14):
        value = _GSTIN_CHARS.index(char) * (2 if index % 2 else 1)
        total += value // 36 + value % 36
    return _GSTIN_CHARS[(36 - total % 36) % 36]


class _Errors:
    """Problems collected per field while checking one record."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_if_any(self, what: str) -> None:
        if self.by_field:
            first = next(iter(self.by_field.items()))
            raise InvalidRequestError(f"{what}: {first[0]}: {first[1][0]}", self.by_field)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets hand back 560001.0 for a typed 560001
    return str(value).strip()


def _required(e: _Errors, row: Mapping[str, Any], name: str, max_len: int) -> str:
    value = _text(row.get(name))
    if not value:
        e.add(name, "is required")
    elif len(value) > max_len:
        e.add(name, f"is at most {max_len} characters")
    return value


def _identifier(e: _Errors, row: Mapping[str, Any], name: str) -> str:
    value = _text(row.get(name))
    if not ID.fullmatch(value):
        e.add(name, "must be 1-64 letters, digits, '_', '.' or '-'")
    return value


def _flag(e: _Errors, row: Mapping[str, Any], name: str, default: bool) -> bool:
    value = row.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    e.add(name, "must be true or false")
    return default


def _decimal(e: _Errors, row: Mapping[str, Any], name: str) -> Decimal | None:
    value = row.get(name)
    if isinstance(value, bool):
        e.add(name, "must be a number")
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else _text(value))
    except InvalidOperation:
        e.add(name, "must be a number")
        return None
    if not number.is_finite():
        e.add(name, "must be a finite number")
        return None
    return number


def _coordinate(e: _Errors, row: Mapping[str, Any], name: str, limit: int) -> float | None:
    if _text(row.get(name)) == "":
        return None
    number = _decimal(e, row, name)
    if number is None:
        return None
    if not -limit <= number <= limit:
        e.add(name, f"must be between -{limit} and {limit}")
        return None
    return float(number)


@dataclass(frozen=True)
class CustomerValues:
    """A customer as master data holds it."""

    customer_id: str
    name: str
    state_code: str
    territory_code: str
    gstin: str | None = None
    address: str = ""
    city: str = ""
    pincode: str = ""
    lat: float | None = None
    lon: float | None = None
    active: bool = True
    customer_group: str | None = None  # a price list may apply to the group


def _state_code(e: _Errors, row: Mapping[str, Any]) -> str:
    state = _text(row.get("state_code")).zfill(2) if _text(row.get("state_code")) else ""
    if state not in STATE_CODES:
        e.add("state_code", "must be a GST state code from 01 to 38 (29 is Karnataka), or 97")
    return state


def _gstin(e: _Errors, row: Mapping[str, Any], state: str) -> str | None:
    gstin = _text(row.get("gstin")).upper()
    if not gstin:
        return None
    if not GSTIN.fullmatch(gstin):
        e.add("gstin", "must be 15 characters: state code, PAN, entity number, 'Z', checksum")
    elif gstin_check_char(gstin[:14]) != gstin[14]:
        e.add("gstin", "has a wrong check character; copy it again from the GST certificate")
    elif state and gstin[:2] != state:
        e.add("gstin", f"starts with state {gstin[:2]} but the customer's state_code is {state}")
    return gstin


def check_customer(row: Mapping[str, Any], territories: Callable[[str], bool] | None = None
                   ) -> CustomerValues:
    """A customer's values, or InvalidRequestError naming each bad field."""
    e = _Errors()
    customer_id = _identifier(e, row, "customer_id")
    name = _required(e, row, "name", 200)
    state = _state_code(e, row)
    gstin = _gstin(e, row, state)
    territory = territory_code(_required(e, row, "territory_code", 32))
    if territory and territories is not None and not territories(territory):
        e.add("territory_code", f"territory {territory!r} does not exist; create it first")
    pincode = _text(row.get("pincode"))
    if pincode and not PINCODE.fullmatch(pincode):
        e.add("pincode", "must be 6 digits, not starting with 0")
    lat, lon = _coordinate(e, row, "lat", 90), _coordinate(e, row, "lon", 180)
    if (lat is None) != (lon is None) and "lat" not in e.by_field and "lon" not in e.by_field:
        e.add("lat" if lat is None else "lon", "give both lat and lon, or neither")
    for key, limit in (("address", 2000), ("city", 100)):
        if len(_text(row.get(key))) > limit:
            e.add(key, f"is at most {limit} characters")
    active = _flag(e, row, "active", True)
    group = _text(row.get("customer_group")) or None
    if group is not None and len(group) > 64:
        e.add("customer_group", "is at most 64 characters")
    e.raise_if_any(f"customer {customer_id or '?'}")
    return CustomerValues(customer_id, name, state, territory, gstin, _text(row.get("address")),
                          _text(row.get("city")), pincode, lat, lon, active, group)


@dataclass(frozen=True)
class ProductValues:
    """A product as master data holds it."""

    product_id: str
    name: str
    gst_rate: Decimal
    hsn_code: str = ""
    unit: str = "nos"
    active: bool = True


def check_product(row: Mapping[str, Any]) -> ProductValues:
    """A product's values, or InvalidRequestError naming each bad field."""
    e = _Errors()
    product_id = _identifier(e, row, "product_id")
    name = _required(e, row, "name", 200)
    hsn = _text(row.get("hsn_code"))
    if not HSN.fullmatch(hsn):
        e.add("hsn_code", "must be an HSN code of 4, 6 or 8 digits")
    rate = _decimal(e, row, "gst_rate") if _text(row.get("gst_rate")) else None
    if rate is None and "gst_rate" not in e.by_field:
        e.add("gst_rate", "is required")
    elif rate is not None and rate not in GST_RATES:
        shown = ", ".join(str(r) for r in GST_RATES)
        e.add("gst_rate", f"must be a GST rate in percent: one of {shown}")
    unit = _text(row.get("unit")) or "nos"
    if len(unit) > 16:
        e.add("unit", "is at most 16 characters")
    active = _flag(e, row, "active", True)
    e.raise_if_any(f"product {product_id or '?'}")
    assert rate is not None
    return ProductValues(product_id, name, rate.normalize() + 0, hsn, unit, active)


@dataclass(frozen=True)
class PriceListValues:
    """A price list and its unit prices by product."""

    price_list_id: str
    name: str
    valid_from: date
    valid_to: date | None = None
    active: bool = True
    prices: dict[str, Decimal] = field(default_factory=dict)
    customer_id: str | None = None  # whom it applies to: at most one of these three,
    customer_group: str | None = None  # none for a default list
    territory_code: str | None = None


SCOPES = ("customer_id", "customer_group", "territory_code")


def _price(e: _Errors, product_id: str, value: Any) -> Decimal | None:
    text = _text(value)
    if isinstance(value, float) or not MONEY.fullmatch(text):
        e.add(f"items.{product_id}", 'must be rupees as text with up to two places, like "499.00"')
        return None
    return Decimal(text).quantize(Decimal("0.01"))


def check_price_list(values: Mapping[str, Any], products: Callable[[str], bool]
                     ) -> PriceListValues:
    """A price list's values (dates already parsed), or InvalidRequestError per bad field."""
    e = _Errors()
    list_id = _identifier(e, values, "price_list_id")
    name = _required(e, values, "name", 200)
    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if not isinstance(valid_from, date):
        e.add("valid_from", "is required (YYYY-MM-DD)")
    elif valid_to is not None and valid_to < valid_from:
        e.add("valid_to", "must not be before valid_from")
    prices: dict[str, Decimal] = {}
    for product_id, value in dict(values.get("items") or {}).items():
        if not products(product_id):
            e.add(f"items.{product_id}", f"product {product_id!r} is not in master data")
            continue
        price = _price(e, product_id, value)
        if price is not None:
            prices[product_id] = price
    active = _flag(e, values, "active", True)
    scope = {key: _text(values.get(key)) or None for key in SCOPES}
    named = [key for key, value in scope.items() if value is not None]
    if len(named) > 1:
        e.add(named[1], f"a price list applies to one customer, one customer group or one "
              f"territory (or, naming none, to every customer), not {' and '.join(named)}")
    e.raise_if_any(f"price list {list_id or '?'}")
    assert isinstance(valid_from, date)
    return PriceListValues(list_id, name, valid_from, valid_to, active, prices, **scope)
