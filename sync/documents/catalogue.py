"""The refusal messages people read, keyed, each with the field to highlight (pure).

The field rules' messages come from the contract's labels and limits (`contract.py`); the
rules that look at several fields or at master data are written here. The gateway, the worker
(in receipts) and the phones (the generated `phone-data/src/contract.json`) share the one list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sync.documents.contract import COMMON, FIELDS, LINE, TOTALS, ListOf, Spec, field_texts
from sync.documents.errors import Problem
from sync.documents.stages import REQUIRED_DETAILS

_SYNC_AGAIN = "sync, then save it again"


@dataclass(frozen=True)
class Message:
    """One refusal: the field to highlight (a generic path like `lines.quantity`) and its text."""

    field: str
    text: str


class CatalogueError(Exception):
    """Two rules gave one key different texts: the contract contradicts itself."""


_RULE_TEXTS: dict[str, tuple[str, str]] = {
    # key: (field to highlight, text)
    "_id.format": ("", "This document's name is damaged; create it again"),
    "type.unknown": ("", "This kind of document is not one the app writes; update the app"),
    "owner.wrong": ("", "This document belongs to another engineer's phone"),
    "schema_version.unsupported": ("", "This document was written by a newer app; update the app"),
    "check_out.at.before_check_in": ("check_out.at", "Check-out cannot be before check-in"),
    "history.at.out_of_order": ("history.at", "The lead's history is out of order; "
                                + _SYNC_AGAIN),
    "stage.not_in_history": ("stage", "The stage is not in the lead's history; move the lead "
                             "again"),
    "signature.not_attached": ("signature", "The signature is missing; ask the customer to "
                               "sign again"),
    "customer_id.unknown": ("customer_id", "This customer is not in your customer list; pick "
                            "the customer again"),
    "customer_id.inactive": ("customer_id", "This customer is inactive; choose an active "
                             "customer"),
    "customer_id.no_price_list": ("customer_id", "No price list applies to this customer; ask "
                                  "an admin to give the customer one"),
    "lead_id.unknown": ("lead_id", "The server does not know this lead yet; sync the lead "
                        "first"),
    "supply.wrong": ("supply", "Within the state or across states does not match the "
                     "customer's state; pick the customer again"),
    "lines.product_id.unknown": ("lines.product_id", "This product is not in the catalog; pick "
                                 "another product"),
    "lines.product_id.inactive": ("lines.product_id", "This product is no longer sold; remove "
                                  "the line or pick another product"),
    "lines.gst_rate.changed": ("lines.gst_rate", "The product's GST rate has changed; "
                               + _SYNC_AGAIN),
    "lines.unit_price.not_listed": ("lines.unit_price", "This product is not on the customer's "
                                    "price list; remove the line or ask an admin"),
    "lines.unit_price.above_list": ("lines.unit_price", "The price is above the list price; "
                                    "use the list price"),
    "history.stage.first": ("history.stage", "A lead starts at Potential"),
    "history.stage.skip": ("history.stage", "A lead moves one stage at a time"),
    "history.stage.back": ("history.stage", "Only your sales head can move a lead back"),
    "history.by.not_yours": ("history.by", "Only the server writes a step in someone else's "
                             "name; remove it and ask them"),
    "history.missing_step": ("history", "Your sales head moved this lead; " + _SYNC_AGAIN),
    "stage.behind_server": ("stage", "The server has this lead at another stage; "
                            + _SYNC_AGAIN),
    "offer_id.not_accepted": ("offer_id", "The server has not accepted this offer yet; sync "
                              "the offer first"),
    "offer_id.not_approved": ("offer_id", "The customer has not approved this offer yet; "
                              "capture the approval first"),
    "offer_id.head_approval": ("offer_id", "The discount needs your sales head's approval "
                               "before the customer signs"),
    "offer_id.differs": ("offer_id", "The order differs from the approved offer; convert the "
                         "offer again"),
    "offer_hash.changed": ("offer_hash", "The offer changed after it was signed; capture the "
                           "customer's approval again"),
    "amount.reimbursed": ("amount", "This expense was reimbursed and cannot change; file a new "
                          "expense for anything more"),
}


def _arithmetic() -> dict[str, tuple[str, str]]:
    """Amounts the phone computes: a mismatch means the document was damaged on the way."""
    out = {f"lines.{key}.mismatch": (f"lines.{key}", "The line's amounts do not add up; open "
                                     "the offer and save it again")
           for key in LINE.fields}
    out.update({f"totals.{key}.sum": (f"totals.{key}", "The totals do not add up; open the "
                                      "offer and save it again") for key in TOTALS.fields})
    return out


def _stage_details() -> dict[str, tuple[str, str]]:
    """What each lead stage needs, named with the contract's labels."""
    details = FIELDS["lead"]["details"]
    out = {}
    for stage, needed in REQUIRED_DETAILS.items():
        shape = getattr(details, "fields", {})[stage]
        labels = [shape.fields[key].label for key in needed]
        out[f"details.{stage}.missing"] = (
            f"details.{stage}", f"{shape.label} needs: {', '.join(labels)}")
    return out


def build() -> dict[str, Message]:
    """Every key with its message; raises CatalogueError when one key gets two texts."""
    found: dict[str, Message] = {}
    entries = [(key, path, text) for key, path, text in field_texts()]
    entries += [(key, path, text) for key, (path, text) in
                {**_RULE_TEXTS, **_arithmetic(), **_stage_details()}.items()]
    for key, path, text in entries:
        message = Message(path, text)
        if found.setdefault(key, message) != message:
            raise CatalogueError(f"{key}: {found[key]} and {message}")
    return dict(sorted(found.items()))


MESSAGES = build()


def text_of(problem: Problem) -> str:
    """The problem in words a field engineer reads (the rule's own sentence when unkeyed)."""
    message = MESSAGES.get(problem.key)
    return message.text if message is not None else problem.message


def as_entry(problem: Problem) -> dict[str, Any]:
    """A problem as receipts and gateway refusals carry it: `message` stays for older phones."""
    return {"field": problem.field, "message": problem.message, "key": problem.key,
            "text": text_of(problem)}


def export() -> dict[str, dict[str, str]]:
    """The catalogue as JSON for the phones."""
    return {key: {"field": m.field, "text": m.text} for key, m in MESSAGES.items()}


_STEP = re.compile(r"^([^.\[\]]+)(?:\[(\d+)\])?$")


def field_label(doc_type: str, path: str) -> str:
    """The words people know a field by ("Lines, product 1: Quantity") from a problem's path
    (`lines[0].quantity`); "" when the path names no field of the contract."""
    specs: dict[str, Spec] = {**COMMON, **FIELDS.get(doc_type, {})}
    words: list[str] = []
    for step in path.split(".") if path else []:
        match = _STEP.match(step)
        spec = specs.get(match.group(1)) if match else None
        if match is None or spec is None:
            return ""
        if isinstance(spec, ListOf) and match.group(2) is not None:
            words.append(f"{spec.label}, {spec.noun} {int(match.group(2)) + 1}")
            spec = spec.item
        else:
            words.append(spec.label)
        specs = getattr(spec, "fields", {})
    return ": ".join(words)


def for_people(doc_type: str, errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Refusal problems as the office reads them: the field's label and the people's text,
    with the rule's own words kept for whoever looks deeper (older rows have no `text`)."""
    out = []
    for e in errors:
        path, message = str(e.get("field") or e.get("path") or ""), str(e.get("message") or "")
        out.append({"field": path, "label": field_label(doc_type, path),
                    "text": str(e.get("text") or message), "key": str(e.get("key") or ""),
                    "detail": message})
    return out
