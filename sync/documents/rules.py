"""Business rules that need master data or earlier documents; pure over the MasterData port."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sync.documents.canonical import business_key
from sync.documents.discounts import discount_problem
from sync.documents.facts import CustomerFacts, MasterData, OfferFacts
from sync.documents.fields import Checks
from sync.documents.stages import FORWARD, REQUIRED_DETAILS, move_problem

_CHANGED = "sync the latest version first"


def check_facts(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    """Add the master-data problems of a structurally valid, migrated document."""
    rule = _RULES.get(doc.get("type", ""))
    if rule is not None:
        rule(c, doc, facts)


def _customer(c: Checks, doc: dict[str, Any], facts: MasterData, *,
              active: bool = True) -> CustomerFacts | None:
    customer_id = doc.get("customer_id")
    if customer_id is None:
        return None
    customer = facts.customer(customer_id)
    if customer is None:
        c.add("customer_id", f'customer_id "{customer_id}" is not in master data; '
              "pick the customer again from the list")
    elif active and not customer.active:
        c.add("customer_id", f'customer_id "{customer_id}" is inactive in master data; '
              "choose an active customer")
        return None
    return customer


def _lead_ref(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    lead_id = doc.get("lead_id")
    if lead_id is not None and facts.lead_stage(lead_id) is None:
        c.add("lead_id", f'lead_id "{lead_id}" is not a lead the server knows; sync the lead first')


def _priced(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    """Customer, supply and products of an offer or order."""
    customer = _customer(c, doc, facts)
    if customer is not None:
        want = "intra" if customer.state_code == facts.company_state else "inter"
        if doc["supply"] != want:
            c.add("supply", f'supply is "{doc["supply"]}" but the customer is in state '
                  f"{customer.state_code} and the company in {facts.company_state}, "
                  f'so it must be "{want}"')
    for index, line in enumerate(doc["lines"]):
        _product(c, line, f"lines[{index}]", facts)


def _product(c: Checks, line: dict[str, Any], path: str, facts: MasterData) -> None:
    product_id = line["product_id"]
    product = facts.product(product_id)
    if product is None:
        c.add(f"{path}.product_id", f'product_id "{product_id}" is not in master data')
    elif not product.active:
        c.add(f"{path}.product_id", f'product_id "{product_id}" is inactive in master data; '
              "remove the line or pick another product")
    elif Decimal(line["gst_rate"]) != product.gst_rate:
        c.add(f"{path}.gst_rate", f"gst_rate is {line['gst_rate']}% but product {product_id} "
              f"carries {product.gst_rate}% in master data; {_CHANGED}")


def _offer(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _priced(c, doc, facts)


def _approval(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    offer = facts.offer(doc["offer_id"])
    if offer is None or offer.owner != doc["owner"]:
        c.add("offer_id", f'offer_id "{doc["offer_id"]}" is not one of your offers the server '
              "has accepted yet; sync the offer first (this is checked again when it arrives)")
    elif offer.content_hash != doc["offer_hash"]:
        c.add("offer_hash", "offer_hash does not match the offer as the server has it: the "
              "offer changed after it was signed; capture the customer's approval again")
    else:
        _head_decision(c, offer, facts)


def _head_decision(c: Checks, offer: OfferFacts, facts: MasterData) -> None:
    """A discount above the engineer's limit needs the head's approval before the customer's."""
    limit = facts.discount_limit(offer.owner)
    if limit is None:  # not a known engineer: nothing to compare with
        return
    why = discount_problem(offer.max_discount_pct, limit, facts.decision(offer.offer_id))
    if why is not None:
        c.add("offer_id", why)


def _order(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _priced(c, doc, facts)
    offer = facts.offer(doc["offer_id"])
    if offer is None or offer.owner != doc["owner"]:
        c.add("offer_id", f'offer_id "{doc["offer_id"]}" is not one of your offers the server '
              "has accepted yet; sync the offer first (this is checked again when it arrives)")
    elif not offer.approved:
        c.add("offer_id", f'offer_id "{doc["offer_id"]}" has no accepted customer approval; '
              "capture the approval before converting the offer to an order")
    else:
        _same_as_offer(c, business_key(doc), offer.business_key)


def _same_as_offer(c: Checks, mine: str, theirs: str) -> None:
    """Name each part of the business key where the order departs from its offer."""
    if mine == theirs:
        return
    a, b = mine.split("|"), theirs.split("|")
    names = ["customer_id", "supply", "totals.grand_total"]
    names += [f"lines[{i}]" for i in range(max(len(a), len(b)) - 3)]
    for index, field in enumerate(names):
        if index < len(a) and index < len(b) and a[index] == b[index]:
            continue
        what = f"line {index - 2}" if index >= 3 else field.split(".")[-1]
        if index >= len(b):
            c.add(field, f"{what} is not in the approved offer; an order must carry the "
                  "offer's lines unchanged")
        elif index >= len(a):
            c.add("lines", f"line {index - 2} of the approved offer is missing from the order")
        else:
            c.add(field, f"{what} differs from the approved offer; an order must carry the "
                  "offer's customer, supply, lines and totals unchanged")


def _lead(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _customer(c, doc, facts, active=False)
    history = doc["history"]
    owner = doc["owner"]
    first = history[0]
    if first["stage"] != FORWARD[0] and first["by"] == owner:
        c.add("history[0].stage", f'a lead starts at "potential", not "{first["stage"]}"')
    for index in range(1, len(history)):
        step = history[index]
        why = move_problem(history[index - 1]["stage"], step["stage"], by=step["by"], owner=owner)
        if why is not None:
            c.add(f"history[{index}].stage", why)
    _server_stage(c, doc, facts)
    _details_present(c, doc)


def _server_stage(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    """Moves made offline since the last sync must continue from the stage the server holds."""
    held = facts.lead_stage(doc["_id"])
    if held is None or held == doc["stage"]:
        return
    if all(entry["stage"] != held for entry in doc["history"]):
        c.add("stage", f'the server has this lead at "{held}" but its history never passes '
              f'through "{held}"; {_CHANGED}')


def _details_present(c: Checks, doc: dict[str, Any]) -> None:
    details = doc.get("details") or {}
    reached = dict.fromkeys(entry["stage"] for entry in doc["history"])
    for stage in reached:
        needed = REQUIRED_DETAILS.get(stage, ())
        part = details.get(stage) or {}
        missing = [key for key in needed if part.get(key) is None]
        if missing:
            c.add(f"details.{stage}", f'details.{stage} needs {", ".join(missing)}: the lead '
                  f'reached "{stage}"')


def _activity(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _customer(c, doc, facts, active=False)
    _lead_ref(c, doc, facts)


_RULES = {
    "offer": _offer,
    "approval": _approval,
    "order": _order,
    "lead": _lead,
    "visit": _activity,
    "expense": _activity,
    "todo": _activity,
}
