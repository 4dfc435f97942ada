"""Business rules that need master data or earlier documents; pure over the MasterData port."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sync.documents.cancellations import check_cancellation_rules
from sync.documents.canonical import business_key, expense_terms, terms_hash
from sync.documents.discounts import (
    binding,
    discount_problem,
    limit_of,
    max_discount,
    needs_head_approval,
    voided_note,
)
from sync.documents.facts import CustomerFacts, MasterData, OfferFacts, server_step
from sync.documents.fields import Checks
from sync.documents.pricelists import (
    LinePrice,
    PriceListFacts,
    applicable_list,
    format_pct,
    judge_line,
    max_effective,
)
from sync.documents.pricing import format_money
from sync.documents.revisions import check_revision, superseded_problem
from sync.documents.stages import FORWARD, REQUIRED_DETAILS, move_kind, move_problem

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
              "pick the customer again from the list", "unknown")
    elif active and not customer.active:
        c.add("customer_id", f'customer_id "{customer_id}" is inactive in master data; '
              "choose an active customer", "inactive")
        return None
    return customer


def _in_territory(c: Checks, doc: dict[str, Any], customer: CustomerFacts | None,
                  facts: MasterData) -> None:
    """An engineer sells to the customers of their territory and of those an admin allowed."""
    allowed = facts.territories(str(doc.get("owner", "")))
    if customer is None or not allowed or customer.territory in allowed:
        return
    where = f" ({customer.city})" if customer.city else ""
    c.add("customer_id", f"Customer {customer.customer_id}{where} is outside your territory "
          f"{allowed[0]}: ask an admin to allow {customer.territory}")


def _lead_ref(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    lead_id = doc.get("lead_id")
    if lead_id is not None and facts.lead_stage(lead_id) is None:
        c.add("lead_id", f'lead_id "{lead_id}" is not a lead the server knows; sync the lead first',
              "unknown")


def _priced(c: Checks, doc: dict[str, Any], facts: MasterData) -> CustomerFacts | None:
    """Customer, supply and products of an offer or order; the customer when known."""
    customer = _customer(c, doc, facts)
    if customer is not None and not customer.state_code:
        c.add("customer_id", f'customer "{customer.customer_id}" has no GST state in master '
              "data, so intra- or inter-state supply cannot be told; ask an admin to set it")
    elif customer is not None:
        want = "intra" if customer.state_code == facts.company_state else "inter"
        if doc["supply"] != want:
            c.add("supply", f'supply is "{doc["supply"]}" but the customer is in state '
                  f"{customer.state_code} and the company in {facts.company_state}, "
                  f'so it must be "{want}"', "wrong")
    for index, line in enumerate(doc["lines"]):
        _product(c, line, f"lines[{index}]", facts)
    return customer


def _product(c: Checks, line: dict[str, Any], path: str, facts: MasterData) -> None:
    product_id = line["product_id"]
    product = facts.product(product_id)
    if product is None:
        c.add(f"{path}.product_id", f'product_id "{product_id}" is not in master data', "unknown")
    elif not product.active:
        c.add(f"{path}.product_id", f'product_id "{product_id}" is inactive in master data; '
              "remove the line or pick another product", "inactive")
    elif Decimal(line["gst_rate"]) != product.gst_rate:
        c.add(f"{path}.gst_rate", f"gst_rate is {line['gst_rate']}% but product {product_id} "
              f"carries {product.gst_rate}% in master data; {_CHANGED}", "changed")


def _offer(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _in_territory(c, doc, _priced(c, doc, facts), facts)
    chosen, missing = _price_list(doc, facts)
    if missing is not None:
        c.add("customer_id", missing, "no_price_list")
    for price in line_prices(doc, facts, chosen):
        if price.problem is not None:
            c.add(f"lines[{price.index}].unit_price", price.problem,
                  "not_listed" if price.list_price is None else "above_list")
    check_revision(c, doc, facts)


def _offer_day(doc: dict[str, Any]) -> date:
    """The offer's date, on which its customer's price list is read (the day it was made)."""
    return datetime.fromisoformat(doc["created_at"]).date()


def _price_list(doc: dict[str, Any], facts: MasterData
                ) -> tuple[PriceListFacts | None, str | None]:
    """The list that prices the offer, or why there is none.

    Master data without any price list leaves prices to the engineer: nothing to check against.
    """
    lists = facts.price_lists()
    customer = facts.customer(doc["customer_id"]) if lists else None
    if customer is None:  # no lists, or an unknown customer (refused as such)
        return None, None
    day = _offer_day(doc)
    chosen = applicable_list(lists, customer.customer_id, customer.group, customer.territory,
                             day)
    if chosen is None:
        return None, (f'no price list applies to customer "{customer.customer_id}" on '
                      f"{day.isoformat()}; ask an admin to give the customer a price list")
    return chosen, None


def line_prices(doc: dict[str, Any], facts: MasterData,
                chosen: PriceListFacts | None = None) -> list[LinePrice]:
    """Each line judged against the customer's price list (none when no list applies)."""
    if chosen is None:
        chosen = _price_list(doc, facts)[0]
    if chosen is None:
        return []
    return [judge_line(i, line, chosen) for i, line in enumerate(doc["lines"])]


def effective_max_discount(doc: dict[str, Any], facts: MasterData) -> Decimal:
    """The offer's largest discount, counting a price below the list as a discount."""
    return max(max_discount(doc["lines"]), max_effective(line_prices(doc, facts)))


def offer_note(doc: dict[str, Any], facts: MasterData, max_pct: Decimal) -> str | None:
    """Why an accepted offer waits for its head: a price below the list took its discount
    over the engineer's limit (the phone cannot tell from discount_pct), or its terms changed
    after a decision."""
    limit = limit_of(facts.discount_limit(doc["owner"]))
    if not needs_head_approval(max_pct, limit):
        return None  # within the engineer's limit: the head is not needed
    decision = facts.decision(doc["_id"])
    if decision is None:
        if max_pct <= max_discount(doc["lines"]):
            return None  # the phone shows this wait itself
        return (f"a price below the list makes the discount {format_pct(max_pct)}%, above "
                f"your limit of {format_pct(limit)}%; wait for your sales head to approve it "
                "before the customer signs")
    if decision.terms_hash in (None, terms_hash(doc)):
        return None
    return voided_note(decision.outcome, decision.terms, f"{format_pct(max_pct)}%")


def expense_note(doc: dict[str, Any], facts: MasterData) -> str | None:
    """Why an accepted expense waits for its head again: amount, km or mode changed."""
    decision = facts.decision(doc["_id"])
    if decision is None or decision.terms_hash in (None, _expense_hash(doc)):
        return None
    return voided_note(decision.outcome, decision.terms, expense_summary(doc))


def expense_summary(doc: dict[str, Any]) -> str:
    """What a head decides on an expense, for people: "₹500.00 for 12.5 km by bike"."""
    raw = doc["km"]
    km = f"{Decimal(repr(raw) if isinstance(raw, float) else str(raw)).normalize():f}"
    return f"₹{format_money(Decimal(doc['amount']))} for {km} km by {doc['mode']}"


def _expense_hash(doc: dict[str, Any]) -> str:
    return expense_terms(doc["amount"], doc["km"], doc["mode"])


def _expense(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _activity(c, doc, facts)
    decision = facts.decision(doc["_id"])
    if decision is None or not decision.reimbursed:
        return
    if decision.terms_hash not in (None, _expense_hash(doc)):
        c.add("amount", f"the expense was reimbursed as {decision.terms}; its amount, km and "
              "mode can no longer change: file a new expense for anything more", "reimbursed")


def _approval(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    offer = facts.offer(doc["offer_id"])
    if offer is None or offer.owner != doc["owner"]:
        c.add("offer_id", f'offer_id "{doc["offer_id"]}" is not one of your offers the server '
              "has accepted yet; sync the offer first (this is checked again when it arrives)",
              "not_accepted")
    elif offer.content_hash != doc["offer_hash"]:
        c.add("offer_hash", "offer_hash does not match the offer as the server has it: the "
              "offer changed after it was signed; capture the customer's approval again",
              "changed")
    elif (superseded := superseded_problem(offer, doc["signed_at"])) is not None:
        c.add("offer_id", superseded, "superseded")
    else:
        _head_decision(c, offer, facts)


def _head_decision(c: Checks, offer: OfferFacts, facts: MasterData) -> None:
    """A discount above the engineer's limit needs the head's approval before the customer's."""
    limit = facts.discount_limit(offer.owner)  # none on record: discounts.NO_LIMIT_PCT
    decision = facts.decision(offer.offer_id)
    outcome = voided = None
    if decision is not None:
        outcome = binding(decision.outcome, decision.terms_hash, offer.terms_hash)
        if outcome is None:
            voided = voided_note(decision.outcome, decision.terms,
                                 f"{format_pct(offer.max_discount_pct)}%")
    why = discount_problem(offer.max_discount_pct, limit, outcome, voided)
    if why is not None:
        c.add("offer_id", why, "head_approval")


def _order(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _priced(c, doc, facts)
    offer = facts.offer(doc["offer_id"])
    if offer is None or offer.owner != doc["owner"]:
        c.add("offer_id", f'offer_id "{doc["offer_id"]}" is not one of your offers the server '
              "has accepted yet; sync the offer first (this is checked again when it arrives)",
              "not_accepted")
    elif not offer.approved:
        c.add("offer_id", f'offer_id "{doc["offer_id"]}" has no accepted customer approval; '
              "capture the approval before converting the offer to an order", "not_approved")
    elif (superseded := superseded_problem(offer, doc["created_at"])) is not None:
        c.add("offer_id", superseded, "superseded")
    else:
        _same_as_offer(c, business_key(doc), offer.business_key)
        _head_decision(c, offer, facts)


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
                  "offer's lines unchanged", "differs")
        elif index >= len(a):
            c.add("lines", f"line {index - 2} of the approved offer is missing from the order",
                  "differs")
        else:
            c.add(field, f"{what} differs from the approved offer; an order must carry the "
                  "offer's customer, supply, lines and totals unchanged", "differs")


def _lead(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _in_territory(c, doc, _customer(c, doc, facts, active=False), facts)
    history = doc["history"]
    owner = doc["owner"]
    first = history[0]
    if first["stage"] != FORWARD[0] and first["by"] == owner:
        c.add("history[0].stage", f'a lead starts at "potential", not "{first["stage"]}"',
              "first")
    for index in range(1, len(history)):
        step = history[index]
        why = move_problem(history[index - 1]["stage"], step["stage"], by=step["by"], owner=owner)
        if why is not None:
            c.add(f"history[{index}].stage", why, move_kind(history[index - 1]["stage"],
                                                             step["stage"]))
    _server_stage(c, doc, facts)
    _server_steps(c, doc, facts)
    _details_present(c, doc)


def _server_steps(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    """Steps in someone else's name are the server's to write, and none may be dropped."""
    owner, history = doc["owner"], doc["history"]
    written = facts.server_steps(doc["_id"])
    carried = set()
    for index, entry in enumerate(history):
        step = server_step(entry["stage"], entry["at"], entry["by"])
        carried.add(step)
        if step.by != owner and step not in written:
            c.add(f"history[{index}].by", f'the step to "{step.stage}" is in {step.by}\'s '
                  "name, but only the server writes a step by someone else, when they act "
                  "in the console; remove it and ask them", "not_yours")
    for step in sorted(written - carried, key=lambda s: s.at):
        c.add("history", f'{step.by} moved the lead to "{step.stage}" at {step.at} and this '
              f"version does not carry that step; {_CHANGED}", "missing_step")


def _server_stage(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    """Moves made offline since the last sync must continue from the stage the server holds."""
    held = facts.lead_stage(doc["_id"])
    if held is None or held == doc["stage"]:
        return
    if all(entry["stage"] != held for entry in doc["history"]):
        c.add("stage", f'the server has this lead at "{held}" but its history never passes '
              f'through "{held}"; {_CHANGED}', "behind_server")


def _details_present(c: Checks, doc: dict[str, Any]) -> None:
    details = doc.get("details") or {}
    reached = dict.fromkeys(entry["stage"] for entry in doc["history"])
    for stage in reached:
        needed = REQUIRED_DETAILS.get(stage, ())
        part = details.get(stage) or {}
        missing = [key for key in needed if part.get(key) is None]
        if missing:
            c.add(f"details.{stage}", f'details.{stage} needs {", ".join(missing)}: the lead '
                  f'reached "{stage}"', "missing")


def _activity(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _customer(c, doc, facts, active=False)
    _lead_ref(c, doc, facts)


def _visit(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    _in_territory(c, doc, _customer(c, doc, facts, active=False), facts)
    _lead_ref(c, doc, facts)


_RULES = {
    "offer": _offer,
    "approval": _approval,
    "order": _order,
    "lead": _lead,
    "visit": _visit,
    "expense": _expense,
    "todo": _activity,
    "cancellation": check_cancellation_rules,
}
