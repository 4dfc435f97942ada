"""Price authority and decisions that bind the terms they approved (pure rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sync.documents.canonical import expense_terms, terms_hash
from sync.documents.facts import DecisionFacts, DictMasterData
from sync.documents.pricelists import PriceListFacts, applicable_list, effective_discount
from sync.documents.rules import effective_max_discount, expense_note, offer_note
from sync.documents.validate import check_rules
from tests.factories import make_approval, make_expense, make_offer, master_data

LIST = PriceListFacts("PL-2026", date(2026, 1, 1), prices={
    "P-100": Decimal("185000.00"), "P-200": Decimal("120.00")})


def _facts(*lists: PriceListFacts) -> DictMasterData:
    facts = master_data()
    facts.lists = list(lists or (LIST,))
    facts.limits["asha"] = Decimal("10")
    return facts


def _offer(price: str, discount: str = "0", quantity: float = 1) -> dict[str, Any]:
    return make_offer(lines=[("P-100", quantity, price, discount, "18")])


def _problems(doc: dict[str, Any], facts: DictMasterData) -> dict[str, str]:
    return {p.field: p.message for p in check_rules(doc, facts).problems}


@pytest.mark.parametrize("price", ["150000.00", "1.00"])
def test_a_price_below_the_list_is_a_discount_the_head_must_approve(price: str) -> None:
    facts = _facts()
    offer = _offer(price)
    assert check_rules(offer, facts).ok  # the offer itself is fine: it waits for the head
    pct = effective_max_discount(offer, facts)
    assert pct > 10
    facts.add_offer(offer, approved=False, max_discount_pct=pct)
    verdict = check_rules(make_approval(offer), facts)
    assert not verdict.ok and "above your limit of 10%" in verdict.reason


def test_effective_discount_is_one_minus_net_over_list() -> None:
    assert effective_discount(Decimal(2), Decimal("150000.00"), Decimal(0),
                              Decimal("185000.00")) == Decimal("18.92")  # 18.918... rounded up
    assert effective_discount(Decimal(1), Decimal("166500.00"), Decimal(10),
                              Decimal("185000.00")) == Decimal(19)
    # At the list price the written discount is the discount: paise rounding moves nothing.
    assert effective_discount(Decimal(3), Decimal("333.33"), Decimal(15),
                              Decimal("333.33")) == Decimal(15)


def test_a_product_not_on_the_customers_list_is_refused_naming_the_line() -> None:
    facts = _facts()
    offer = make_offer(lines=[("P-100", 1, "185000.00", "0", "18"),
                              ("P-300", 1, "900.00", "0", "12")])
    problems = _problems(offer, facts)
    assert "P-300" in problems["lines[1].unit_price"]
    assert "not on price list PL-2026" in problems["lines[1].unit_price"]
    assert "Line 2" in check_rules(offer, facts).reason


def test_a_price_above_the_list_without_a_discount_is_refused() -> None:
    problems = _problems(_offer("190000.00"), _facts())
    assert "above the list price 185000.00" in problems["lines[0].unit_price"]


def test_no_list_for_the_customer_on_the_offers_date_is_refused() -> None:
    expired = PriceListFacts("PL-2025", date(2025, 1, 1), date(2025, 12, 31),
                             prices=dict(LIST.prices))
    problems = _problems(_offer("185000.00"), _facts(expired))
    assert "no price list applies" in problems["customer_id"]


def test_the_most_specific_valid_list_prices_the_customer() -> None:
    default = LIST
    territory = PriceListFacts("PL-SOUTH", date(2026, 1, 1), territory="south",
                               prices={"P-100": Decimal("180000.00")})
    group = PriceListFacts("PL-OEM", date(2026, 1, 1), customer_group="oem",
                           prices={"P-100": Decimal("175000.00")})
    mine = PriceListFacts("PL-C1", date(2026, 6, 1), date(2026, 12, 31), customer_id="C-1",
                          prices={"P-100": Decimal("170000.00")})
    lists = [default, territory, group, mine]
    day = date(2026, 11, 29)
    assert applicable_list(lists, "C-1", "oem", "south", day) is mine
    assert applicable_list(lists, "C-1", "oem", "south", date(2026, 3, 1)) is group
    assert applicable_list(lists, "C-1", None, "south", date(2026, 3, 1)) is territory
    assert applicable_list(lists, "C-2", None, "west", day) is default
    newer = PriceListFacts("PL-2026B", date(2026, 7, 1), prices={})
    assert applicable_list([default, newer], "C-2", None, "west", day) is newer


def test_a_discount_raised_after_the_heads_approval_waits_for_the_head_again() -> None:
    facts = _facts()
    approved = _offer("185000.00", "15")
    facts.decisions[approved["_id"]] = DecisionFacts("approved", terms_hash(approved), "15%")
    raised = {**_offer("185000.00", "40"), "_id": approved["_id"]}
    pct = effective_max_discount(raised, facts)
    assert offer_note(raised, facts, pct) == (
        "terms changed after the head approved 15%: now 40%; waiting for your sales head to "
        "decide again")
    facts.add_offer(raised, approved=False, max_discount_pct=pct)
    verdict = check_rules(make_approval(raised), facts)
    assert not verdict.ok
    assert "Terms changed after the head approved 15%: now 40%" in verdict.reason
    # The terms it approved still bind.
    facts.add_offer(approved, approved=False, max_discount_pct=Decimal(15))
    assert check_rules(make_approval(approved), facts).ok
    assert offer_note(approved, facts, Decimal(15)) is None


def test_a_price_lowered_after_the_heads_approval_voids_it() -> None:
    facts = _facts()
    approved = _offer("185000.00", "15")
    facts.decisions[approved["_id"]] = DecisionFacts("approved", terms_hash(approved), "15%")
    lowered = {**_offer("160000.00", "15"), "_id": approved["_id"]}
    pct = effective_max_discount(lowered, facts)
    assert pct == Decimal("26.49")
    assert "now 26.49%" in (offer_note(lowered, facts, pct) or "")


def test_an_approved_expense_edited_waits_again_and_a_reimbursed_one_cannot_change() -> None:
    facts = master_data()
    expense = make_expense(amount="500.00")
    decided = expense_terms("500.00", expense["km"], expense["mode"])
    facts.decisions[expense["_id"]] = DecisionFacts("approved", decided, "₹500.00")
    edited = {**expense, "amount": "50000.00"}
    assert check_rules(edited, facts).ok
    assert "after the head approved ₹500.00: now ₹50000.00" in (expense_note(edited, facts) or "")
    assert expense_note(expense, facts) is None
    facts.decisions[expense["_id"]] = DecisionFacts("approved", decided, "₹500.00", True)
    verdict = check_rules(edited, facts)
    assert not verdict.ok and "reimbursed as ₹500.00" in verdict.reason
    assert check_rules({**expense, "purpose": "Another purpose"}, facts).ok
