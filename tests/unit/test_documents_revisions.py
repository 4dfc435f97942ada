"""Quotation revisions and cancellation requests (pure rules over plain master data)."""

from __future__ import annotations

from typing import Any

from sync.documents.facts import DecisionFacts, DictMasterData
from sync.documents.validate import check_rules, check_structure
from tests.factories import (
    make_approval,
    make_cancellation,
    make_offer,
    make_order,
    make_revision,
    master_data,
)


def _problems(doc: dict[str, Any], facts: DictMasterData) -> dict[str, str]:
    return {p.field: p.message for p in check_rules(doc, facts).problems}


def _signed() -> tuple[DictMasterData, dict[str, Any]]:
    facts = master_data()
    offer = make_offer(status="approved")
    facts.add_offer(offer)
    return facts, offer


def test_a_revision_of_ones_own_offer_is_accepted_and_supersedes_it() -> None:
    facts, offer = _signed()
    revision = make_revision(offer, [("P-100", 3, "500.00", "0", "18")])
    assert _problems(revision, facts) == {}
    facts.add_offer(revision, approved=False)
    assert facts.offers[offer["_id"]].superseded_by == revision["_id"]
    second = make_revision({**revision, "revision": 1})
    assert second["revision"] == 2 and second["quotation_id"] == offer["_id"]
    assert _problems(second, facts) == {}


def test_a_superseded_offer_can_no_longer_be_signed_or_ordered() -> None:
    facts, offer = _signed()
    signed_before = make_approval(offer)  # signed at 10:15, before the revision was made
    facts.add_offer(make_revision(offer, created_at="2026-11-29T11:00:00+05:30"), approved=False)
    assert _problems(signed_before, facts) == {}
    late = make_approval(offer, signed_at="2026-11-29T12:00:00+05:30")
    assert "superseded by revision 1" in _problems(late, facts)["offer_id"]
    order = make_order(offer, late, created_at="2026-11-29T12:05:00+05:30")
    assert "sign the latest revision" in _problems(order, facts)["offer_id"]


def test_a_revision_of_another_engineers_or_customers_offer_is_refused() -> None:
    facts = master_data()
    ravis = make_offer("ravi", status="presented")
    facts.add_offer(ravis)
    mine = {**make_revision(ravis), "owner": "asha"}
    assert "is ravi's, not yours" in _problems(mine, facts)["supersedes"]

    facts, offer = _signed()
    other = make_revision(offer, customer_id="C-2", supply="inter")
    other = {**make_offer(customer_id="C-2", supply="inter"),
             **{k: other[k] for k in ("supersedes", "revision", "quotation_id")}}
    assert "a revision keeps the customer" in _problems(other, facts)["customer_id"]


def test_a_revision_of_an_unknown_offer_or_with_the_wrong_number_is_refused() -> None:
    facts, offer = _signed()
    ghost = make_revision(make_offer())
    assert "which the server does not hold" in _problems(ghost, facts)["supersedes"]
    skipped = make_revision(offer, revision=3)
    assert "this one must be 1" in _problems(skipped, facts)["revision"]
    facts.add_offer(make_revision(offer), approved=False)
    fork = make_revision(offer)
    assert "was already revised by" in _problems(fork, facts)["supersedes"]


def test_a_revision_names_what_it_supersedes_in_full() -> None:
    offer = make_offer()
    half = {**make_offer(), "revision": 2}
    problems = {p.field for p in check_structure(half, owner="asha").problems}
    assert problems == {"supersedes", "quotation_id"}
    itself = make_revision(offer, supersedes=offer["_id"], _id=offer["_id"])
    assert "cannot supersede itself" in check_structure(itself, owner="asha").reason


def test_a_cancellation_request_needs_a_reason_and_ones_own_order() -> None:
    order = make_order(make_offer(), make_approval(make_offer()))
    blank = make_cancellation(order, reason="  ")
    assert "say why the order should be cancelled" in check_structure(blank, owner="asha").reason
    facts = master_data()
    request = make_cancellation(order)
    assert "sync the order first" in _problems(request, facts)["order_id"]
    facts.orders[order["_id"]] = "asha"
    assert _problems(request, facts) == {}
    facts.orders[order["_id"]] = "ravi"
    assert "not one of your orders" in _problems(request, facts)["order_id"]


def test_an_approved_cancellation_cannot_change_but_a_declined_one_can_be_asked_again() -> None:
    from sync.documents.cancellations import request_hash

    order = make_order(make_offer(), make_approval(make_offer()))
    facts = master_data()
    facts.orders[order["_id"]] = "asha"
    request = make_cancellation(order)
    again = make_cancellation(order, reason="Customer chose another supplier")
    facts.decisions[request["_id"]] = DecisionFacts("declined", request_hash(request), "x")
    assert _problems(again, facts) == {}
    facts.decisions[request["_id"]] = DecisionFacts("approved", request_hash(request), "x")
    assert _problems(request, facts) == {}
    assert "can no longer change" in _problems(again, facts)["reason"]
