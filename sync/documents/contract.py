"""The document contract as data: each field's rule, its label for people, its JSON Schema.

One source for the server's validators (the shape checks walk these specs), the JSON Schema the
phones validate with before saving, and the keys of the refusal messages (`catalogue.py`).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sync.documents import fields as f
from sync.documents.canonical import quantity_decimal
from sync.documents.fields import Checks, message_key
from sync.documents.schema import (
    CURRENT_SCHEMA_VERSION,
    EXPENSE_MODES,
    LEAD_STAGES,
    MAX_LINES,
    MAX_TRACK_POINTS,
    OFFER_STATUSES,
    SUPPLIES,
)

MAX_QUANTITY = 1_000_000
MAX_HISTORY = 500
# What a well-formed value looks like on the phone (the server parses with the same patterns).
MONEY_PATTERN = r"^-?[0-9]{1,12}\.[0-9]{2}$"
PERCENT_PATTERN = r"^[0-9]{1,3}(\.[0-9]{1,4})?$"
OVER_100_PATTERN = r"^((10[1-9]|1[1-9][0-9]|[2-9][0-9]{2})(\.[0-9]*)?|100\.[0-9]*[1-9][0-9]*)$"
# A date of the calendar, as the server's date parser reads it, so a phone's schema check refuses
# 30 February, 31 April and 29 February outside leap years (and year 0) before saving: days per
# month, then 29 February of years divisible by 4 but not 100, or by 400.
DATE_PATTERN = (
    r"^(?!0000)[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))$"
    r"|^(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29$"
)
MOMENT_PATTERN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
                  r"(Z|[+-][0-9]{2}:[0-9]{2})$")
HASH_PATTERN = r"^sha256:[0-9a-f]{64}$"
KEY_PATTERN = "[A-Za-z0-9_.-]{1,64}"
_KEY = re.compile(KEY_PATTERN)
_HASH = re.compile(HASH_PATTERN[1:-1])


@dataclass(frozen=True, kw_only=True)
class Spec(ABC):
    """One field: its label for people and whether it must be there."""

    label: str
    required: bool = True

    @abstractmethod
    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        """Check `obj[key]`, record its problems in `c`; returns the value when it passed."""

    @abstractmethod
    def schema(self) -> dict[str, Any]:
        """The field's JSON Schema (without the message keys)."""

    def rules(self) -> dict[str, str]:
        """JSON Schema keyword -> rule name (the last part of the message key)."""
        return {"type": "type"}

    def texts(self) -> dict[str, str]:
        """Rule name -> the sentence a person reads."""
        return {"required": f"{self.label} is needed"}


@dataclass(frozen=True, kw_only=True)
class Text(Spec):
    max_len: int = 200
    choices: tuple[str, ...] = ()

    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        return f.text(c, obj, key, prefix, required=self.required, max_len=self.max_len,
                      choices=self.choices)

    def schema(self) -> dict[str, Any]:
        if self.choices:
            return {"type": "string", "enum": list(self.choices)}
        return {"type": "string", "maxLength": self.max_len, "pattern": r"\S"}

    def rules(self) -> dict[str, str]:
        if self.choices:
            return {"type": "type", "enum": "choice"}
        return {"type": "type", "maxLength": "too_long", "pattern": "blank"}

    def texts(self) -> dict[str, str]:
        if self.choices:
            words = ", ".join(c.replace("_", " ") for c in self.choices)
            return {**super().texts(), "type": f"{self.label} must be one of: {words}",
                    "choice": f"{self.label} must be one of: {words}"}
        return {**super().texts(), "type": f"{self.label} must be written as text",
                "blank": f"{self.label} cannot be empty",
                "too_long": f"{self.label} can be at most {self.max_len:,} characters"}


@dataclass(frozen=True, kw_only=True)
class Ref(Text):
    """The `_id` of another document of `kind`."""

    kind: str

    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        value = f.text(c, obj, key, prefix, required=self.required,
                       max_len=len(self.kind) + 65)
        if value is None:
            return None
        head, _, rest = value.partition(":")
        if head != self.kind or not _KEY.fullmatch(rest):
            c.add(f.join(prefix, key), f'{key} must be the id of an {self.kind}, like '
                  f'"{self.kind}:<id>", not "{value}"', "format")
            return None
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^{self.kind}:{KEY_PATTERN}$"}

    def rules(self) -> dict[str, str]:
        return {"type": "type", "pattern": "format"}

    def texts(self) -> dict[str, str]:
        return {"required": f"{self.label} is needed",
                "type": f"{self.label} is not one this phone made; pick it again",
                "format": f"{self.label} is not one this phone made; pick it again"}


@dataclass(frozen=True, kw_only=True)
class Money(Spec):
    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        return f.money(c, obj, key, prefix, required=self.required)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": MONEY_PATTERN,
                "not": {"type": "string", "pattern": "^-"}}

    def rules(self) -> dict[str, str]:
        return {"type": "format", "pattern": "format", "not": "negative"}

    def texts(self) -> dict[str, str]:
        return {**super().texts(),
                "format": f"{self.label} must be in rupees, like 1180 or 1180.50",
                "negative": f"{self.label} cannot be less than 0"}


@dataclass(frozen=True, kw_only=True)
class Percent(Spec):
    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        return f.percent(c, obj, key, prefix)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": PERCENT_PATTERN,
                "not": {"type": "string", "pattern": OVER_100_PATTERN}}

    def rules(self) -> dict[str, str]:
        return {"type": "format", "pattern": "format", "not": "too_large"}

    def texts(self) -> dict[str, str]:
        return {**super().texts(), "format": f"{self.label} must be a percentage, like 18 or 7.5",
                "too_large": f"{self.label} can be at most 100 %"}


@dataclass(frozen=True, kw_only=True)
class Number(Spec):
    """A JSON number within [low, high] (or (low, high] when `above_low`)."""

    low: float
    high: float
    above_low: bool = False
    unit: str = ""
    places: int | None = None  # at most this many decimal places

    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        value = f.number(c, obj, key, prefix, low=self.low, high=self.high,
                         above_low=self.above_low, required=self.required)
        if value is None or self.places is None:
            return value
        exact = quantity_decimal(value)
        if exact.as_tuple().exponent < -self.places:  # type: ignore[operator]
            c.add(f.join(prefix, key), f"{key} may have at most {self.places} decimal places, "
                  f"not {value!r}", "decimals")
            return None
        return exact

    def schema(self) -> dict[str, Any]:
        lower = "exclusiveMinimum" if self.above_low else "minimum"
        out: dict[str, Any] = {"type": "number", lower: _plain(self.low),
                               "maximum": _plain(self.high)}
        if self.places is not None:
            out["multipleOf"] = float(f"1e-{self.places}")
        return out

    def rules(self) -> dict[str, str]:
        lower = "exclusiveMinimum" if self.above_low else "minimum"
        rules = {"type": "type", lower: "too_small", "maximum": "too_large"}
        if self.places is not None:
            rules["multipleOf"] = "decimals"
        return rules

    def texts(self) -> dict[str, str]:
        unit = f" {self.unit}" if self.unit else ""
        low, high = f"{_plain(self.low):,}{unit}", f"{_plain(self.high):,}{unit}"
        small = (f"{self.label} must be more than {low}" if self.above_low
                 else f"{self.label} cannot be less than {low}")
        texts = {**super().texts(), "type": f"{self.label} must be a number",
                 "too_small": small, "too_large": f"{self.label} can be at most {high}"}
        if self.places is not None:
            texts["decimals"] = f"{self.label} can have at most {self.places} decimal places"
        return texts


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True, kw_only=True)
class Flag(Spec):
    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        return f.boolean(c, obj, key, prefix, required=self.required)

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def texts(self) -> dict[str, str]:
        return {**super().texts(), "type": f"{self.label} must be yes or no"}


@dataclass(frozen=True, kw_only=True)
class Day(Spec):
    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        return f.day(c, obj, key, prefix, required=self.required)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": DATE_PATTERN}

    def rules(self) -> dict[str, str]:
        return {"type": "format", "pattern": "format"}

    def texts(self) -> dict[str, str]:
        return {**super().texts(), "format": f"{self.label} must be a date from the calendar"}


@dataclass(frozen=True, kw_only=True)
class Moment(Spec):
    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        return f.moment(c, obj, key, prefix, required=self.required)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": MOMENT_PATTERN}

    def rules(self) -> dict[str, str]:
        return {"type": "format", "pattern": "format"}

    def texts(self) -> dict[str, str]:
        return {**super().texts(),
                "format": f"{self.label} must be a date and time with the phone's time zone"}


@dataclass(frozen=True, kw_only=True)
class Hash(Text):
    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        value = f.text(c, obj, key, prefix, max_len=80)
        if value is not None and not _HASH.fullmatch(value):
            c.add(f.join(prefix, key), f'{key} must be "sha256:" followed by 64 lowercase hex '
                  "digits", "format")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": HASH_PATTERN}

    def rules(self) -> dict[str, str]:
        return {"type": "type", "pattern": "format"}

    def texts(self) -> dict[str, str]:
        return {"required": f"{self.label} is needed",
                "type": f"{self.label} is damaged; capture the approval again",
                "format": f"{self.label} is damaged; capture the approval again"}


@dataclass(frozen=True, kw_only=True)
class Shape(Spec):
    """An object with known fields; unknown extra fields are kept (phones may be newer)."""

    fields: dict[str, Spec] = field(default_factory=dict)

    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        value = f.obj(c, obj, key, prefix, required=self.required)
        if value is not None:
            check_fields(c, value, self.fields, f.join(prefix, key))
        return value

    def schema(self) -> dict[str, Any]:
        return object_schema(self.fields)

    def texts(self) -> dict[str, str]:
        return {**super().texts(), "type": f"{self.label} is damaged; fill it in again"}


@dataclass(frozen=True, kw_only=True)
class Loc(Shape):
    """A location fix; valid only as a whole, like `fields.loc`.

    With `or_reason`, a required fix may be left out when the sibling `no_fix` gives the phone's
    reason for having none: a customer signing in a basement still signs, and the reports flag it.
    """

    or_reason: bool = False

    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        return f.loc(c, obj, key, prefix, required=self.required and not self.excused(obj))

    def excused(self, obj: dict[str, Any]) -> bool:
        """True when `obj` carries a well-formed reason that stands in for the fix."""
        return self.or_reason and NO_FIX.check(Checks(), obj, NO_FIX_KEY, "") is not None

    def always_required(self) -> bool:
        return self.required and not self.or_reason


@dataclass(frozen=True, kw_only=True)
class Kept(Spec):
    """A value the shape does not check when the document arrives (a track's points)."""

    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        return obj.get(key)

    def schema(self) -> dict[str, Any]:
        return {}

    def rules(self) -> dict[str, str]:
        return {}


@dataclass(frozen=True, kw_only=True)
class ListOf(Spec):
    """A list of `low` to `high` entries of `item`; `noun` names one entry for people."""

    item: Spec
    low: int
    high: int
    noun: str

    def check(self, c: Checks, obj: dict[str, Any], key: str, prefix: str) -> Any:
        return f.items(c, obj, key, prefix, low=self.low, high=self.high,
                       required=self.required)

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "minItems": self.low, "maxItems": self.high}

    def rules(self) -> dict[str, str]:
        return {"type": "type", "minItems": "too_few", "maxItems": "too_many"}

    def texts(self) -> dict[str, str]:
        few = "one" if self.low == 1 else f"{self.low:,}"
        return {**super().texts(), "type": f"The {self.noun}s are damaged; fill them in again",
                "too_few": f"Add at least {few} {self.noun}{'' if self.low == 1 else 's'}",
                "too_many": f"At most {self.high:,} {self.noun}s fit in one document"}


def _always_required(spec: Spec) -> bool:
    """Required whatever the other fields say (a fix excused by a reason is not)."""
    return spec.always_required() if isinstance(spec, Loc) else spec.required


def check_fields(c: Checks, obj: dict[str, Any], specs: dict[str, Spec], prefix: str = "",
                 skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Check each declared field of `obj` by its spec; returns the values that passed."""
    return {key: spec.check(c, obj, key, prefix) for key, spec in specs.items()
            if key not in skip}


# --- the fields of each document type ---------------------------------------------------------

def _loc(label: str = "Location", required: bool = False, or_reason: bool = False) -> Loc:
    return Loc(label=label, required=required, or_reason=or_reason, fields={
        "lat": Number(label="Latitude", low=-90, high=90),
        "lon": Number(label="Longitude", low=-180, high=180),
        "accuracy_m": Number(label="Location accuracy", low=0, high=1e7, unit="m"),
        "at": Moment(label="Time of the location fix"),
        "mock": Flag(label="Mock location flag"),
    })


def _customer(required: bool = True) -> Text:
    return Text(label="Customer", max_len=64, required=required)


def _notes(label: str = "Notes") -> Text:
    return Text(label=label, max_len=4000, required=False)


LINE = Shape(label="Line", fields={
    "product_id": Text(label="Product", max_len=64),
    "quantity": Number(label="Quantity", low=0, high=MAX_QUANTITY, above_low=True, places=3),
    "unit_price": Money(label="Price"),
    "discount_pct": Percent(label="Discount"),
    "gst_rate": Percent(label="GST rate"),
    "taxable": Money(label="Taxable amount"),
    "cgst": Money(label="CGST"),
    "sgst": Money(label="SGST"),
    "igst": Money(label="IGST"),
    "total": Money(label="Line total"),
})
TOTALS = Shape(label="Totals", fields={
    "taxable": Money(label="Taxable total"),
    "discount": Money(label="Discount total"),
    "cgst": Money(label="CGST total"),
    "sgst": Money(label="SGST total"),
    "igst": Money(label="IGST total"),
    "gst": Money(label="GST total"),
    "grand_total": Money(label="Grand total"),
})
PRICED: dict[str, Spec] = {
    "supply": Text(label="Supply", choices=SUPPLIES),
    "lines": ListOf(label="Lines", item=LINE, low=1, high=MAX_LINES, noun="product"),
    "totals": TOTALS,
}
HISTORY_ENTRY = Shape(label="History entry", fields={
    "stage": Text(label="Stage", choices=LEAD_STAGES),
    "at": Moment(label="Time of the stage change"),
    "by": Text(label="Who moved the lead", max_len=64),
    "loc": _loc(),
})
DETAILS = Shape(label="Stage details", required=False, fields={
    "proposal": Shape(label="Proposal", required=False, fields={
        "value": Money(label="Proposal value")}),
    "po": Shape(label="Purchase order", required=False, fields={
        "number": Text(label="PO number", max_len=64),
        "date": Day(label="PO date"),
        "amount": Money(label="PO amount")}),
    "advance": Shape(label="Advance", required=False, fields={
        "amount": Money(label="Advance amount"),
        "payment_ref": Text(label="Payment reference", max_len=64)}),
    "order_acceptance": Shape(label="Order acceptance", required=False, fields={
        "number": Text(label="Order acceptance number", max_len=64),
        "date": Day(label="Order acceptance date")}),
    "installation": Shape(label="Installation", required=False, fields={
        "date": Day(label="Installation date"),
        "notes": _notes("Installation notes")}),
})
# Why the phone had no fix ("no fix after 10 s"); stands in for the fix of a signature or a
# check-in (`Loc.or_reason`).
NO_FIX_KEY = "no_fix"
MAX_NO_FIX = 200
NO_FIX = Text(label="Why there is no location", max_len=MAX_NO_FIX, required=False)
STAMP_FIELDS: dict[str, Spec] = {"at": Moment(label="Time"),
                                 "loc": _loc(required=True, or_reason=True),
                                 NO_FIX_KEY: NO_FIX}

COMMON: dict[str, Spec] = {
    "device_id": Text(label="Device", max_len=64),
    "created_at": Moment(label="Time created"),
    "updated_at": Moment(label="Time changed"),
    "loc": _loc(),
}
FIELDS: dict[str, dict[str, Spec]] = {
    "offer": {
        "customer_id": _customer(),
        "valid_until": Day(label="Valid until"),
        "status": Text(label="Status", choices=OFFER_STATUSES),
        "price_list_id": Text(label="Price list", max_len=64, required=False),
        "notes": _notes(),
        **PRICED,
    },
    "approval": {
        "offer_id": Ref(label="Offer", kind="offer"),
        "offer_hash": Hash(label="The offer's fingerprint"),
        "signed_by": Text(label="Customer's name"),
        "signed_at": Moment(label="Time signed"),
        "loc": _loc(required=True, or_reason=True),
        NO_FIX_KEY: NO_FIX,
        "signature": Text(label="Signature"),
    },
    "order": {
        "offer_id": Ref(label="Offer", kind="offer"),
        "approval_id": Ref(label="Customer approval", kind="approval"),
        "customer_id": _customer(),
        "po_number": Text(label="PO number", max_len=64, required=False),
        "delivery_date": Day(label="Delivery date", required=False),
        "notes": _notes(),
        **PRICED,
    },
    "lead": {
        "customer_id": _customer(required=False),
        "prospect": Shape(label="Prospect", required=False, fields={
            "name": Text(label="Prospect's name"),
            "phone": Text(label="Prospect's phone", max_len=32, required=False),
            "city": Text(label="Prospect's city", required=False)}),
        "title": Text(label="Title"),
        "expected_value": Money(label="Expected value", required=False),
        "stage": Text(label="Stage", choices=LEAD_STAGES),
        "lost_reason": Text(label="Reason the lead was lost", max_len=2000, required=False),
        "details": DETAILS,
        "history": ListOf(label="History", item=HISTORY_ENTRY, low=1, high=MAX_HISTORY,
                          noun="history entry"),
    },
    "visit": {
        "customer_id": _customer(required=False),
        "lead_id": Ref(label="Lead", kind="lead", required=False),
        "purpose": Text(label="Purpose", max_len=2000),
        "check_in": Shape(label="Check-in", fields=STAMP_FIELDS),
        "check_out": Shape(label="Check-out", required=False, fields=STAMP_FIELDS),
        "outcome": _notes("Outcome"),
        "next_action": Text(label="Next action", max_len=2000, required=False),
        "next_action_date": Day(label="Next action date", required=False),
    },
    "expense": {
        "date": Day(label="Date"),
        "from_place": Text(label="From"),
        "to_place": Text(label="To"),
        "mode": Text(label="Mode of travel", choices=EXPENSE_MODES),
        "km": Number(label="Distance", low=0, high=100_000, unit="km"),
        "amount": Money(label="Amount"),
        "purpose": Text(label="Purpose", max_len=2000),
        "customer_id": _customer(required=False),
        "lead_id": Ref(label="Lead", kind="lead", required=False),
    },
    "todo": {
        "title": Text(label="Title"),
        "due_date": Day(label="Due date", required=False),
        "done": Flag(label="Done"),
        "notes": _notes(),
        "customer_id": _customer(required=False),
        "lead_id": Ref(label="Lead", kind="lead", required=False),
    },
    "cancellation": {
        "order_id": Ref(label="Order", kind="order"),
        "reason": Text(label="Reason for cancelling", max_len=200),
    },
    "track": {
        "points": ListOf(label="Points", item=Kept(label="Point"), low=1, high=MAX_TRACK_POINTS,
                         noun="point"),
    },
}


# --- JSON Schema ------------------------------------------------------------------------------

LOC_REF = "#/$defs/loc"


def field_schema(spec: Spec) -> dict[str, Any]:
    """The spec's JSON Schema; a location fix refers to the one definition of it."""
    if isinstance(spec, Loc):
        out: dict[str, Any] = {"type": "object", "$ref": LOC_REF}
    elif isinstance(spec, Shape):
        out = object_schema(spec.fields)
    elif isinstance(spec, ListOf):
        out = {**spec.schema(), "items": field_schema(spec.item)}
    else:
        out = spec.schema()
    return out if _always_required(spec) else _nullable(out)


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    """A JSON null counts as leaving an optional field out, as the server reads it."""
    out = dict(out)
    if isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def object_schema(specs: dict[str, Spec]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "required": [key for key, spec in specs.items() if _always_required(spec)],
        "properties": {key: field_schema(spec) for key, spec in specs.items()},
    }
    for key, spec in specs.items():
        if isinstance(spec, Loc) and spec.required and spec.or_reason:
            # Required unless a well-formed reason is given (a null counts as left out).
            out["if"] = {"required": [NO_FIX_KEY], "properties": {NO_FIX_KEY: NO_FIX.schema()}}
            out["else"] = {"required": [key], "properties": {key: {"type": "object"}}}
    return out


def document_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one phone-written document type at the current schema version."""
    specs = {**COMMON, **FIELDS[kind]}
    out = object_schema(specs)
    loc = _loc()
    out["$id"] = kind
    out["$defs"] = {"loc": {"required": list(loc.fields),
                            "properties": {k: field_schema(v) for k, v in loc.fields.items()}}}
    out["required"] = ["_id", "type", "owner", "schema_version", *out["required"]]
    out["properties"] = {
        "_id": {"type": "string", "pattern": f"^{kind}:{KEY_PATTERN}$"},
        "type": {"const": kind},
        "owner": {"type": "string", "minLength": 1},
        "schema_version": {"const": CURRENT_SCHEMA_VERSION},
        **out["properties"],
    }
    return out


# Keywords of the common fields the shapes above do not declare, and the rule each one breaks.
_IDENTITY_RULES = {
    "_id": {"type": "format", "pattern": "format", "required": "format"},
    "type": {"const": "unknown", "required": "unknown"},
    "owner": {"type": "wrong", "minLength": "wrong", "required": "wrong"},
    "schema_version": {"const": "unsupported", "required": "unsupported"},
}


def rule_table() -> dict[str, dict[str, str]]:
    """Generic field path -> {JSON Schema keyword -> rule}: how the phone names a schema error
    with the same message key as the server's validators."""
    table: dict[str, dict[str, str]] = dict(_IDENTITY_RULES)

    def walk(specs: dict[str, Spec], prefix: str) -> None:
        for key, spec in specs.items():
            path = f.join(prefix, key)
            table.setdefault(path, {}).update({**spec.rules(), "required": "required"})
            if isinstance(spec, Shape):
                walk(spec.fields, path)
            elif isinstance(spec, ListOf) and isinstance(spec.item, Shape):
                walk(spec.item.fields, path)
    for kind in sorted(FIELDS):
        walk({**COMMON, **FIELDS[kind]}, "")
    return dict(sorted(table.items()))


def all_schemas() -> dict[str, dict[str, Any]]:
    return {kind: document_schema(kind) for kind in sorted(FIELDS)}


def field_texts() -> Iterator[tuple[str, str, str]]:
    """(message key, generic field path, text) for every field rule of every type."""
    def walk(specs: dict[str, Spec], prefix: str) -> Iterator[tuple[str, str, str]]:
        for key, spec in specs.items():
            path = f.join(prefix, key)
            for rule, text in spec.texts().items():
                yield message_key(path, rule), path, text
            if isinstance(spec, Shape):
                yield from walk(spec.fields, path)
            elif isinstance(spec, ListOf) and isinstance(spec.item, Shape):
                yield from walk(spec.item.fields, path)
    for kind in sorted(FIELDS):
        yield from walk({**COMMON, **FIELDS[kind]}, "")

