"""Pure sales rules: head decisions, the worker's discount rule, lead moves, words, expenses."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from server.sales import decisions, leadmoves
from server.sales.errors import InvalidRequestError, StateError
from server.sales.expenses import allowance, check_rate, over_allowance
from server.sales.words import number_words, rupees_in_words
from sync.documents import discounts
from sync.documents.facts import CustomerFacts, DictMasterData, ProductFacts
from sync.documents.validate import check_rules
from tests.factories import make_approval, make_lead, make_offer

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("discount", "limit", "outcome", "ok"), [
    ("5", "5", None, True),
    ("5.01", "5", None, False),
    ("10", "5", "approved", True),
    ("10", "5", "declined", False),
    ("0", None, None, True),
])
def test_discount_needs_the_head_above_the_limit(discount: str, limit: str | None,
                                                 outcome: str | None, ok: bool) -> None:
    why = discounts.discount_problem(Decimal(discount), None if limit is None else
                                     Decimal(limit), outcome)
    assert (why is None) is ok
    if outcome == "declined":
        assert why is not None and "declined" in why


def _facts(limit: str | None, decision: str | None) -> tuple[DictMasterData, dict]:
    facts = DictMasterData.of("29", [CustomerFacts("C-1", True, "29", "KA")],
                              [ProductFacts("P-100", True, Decimal("18")),
                               ProductFacts("P-200", True, Decimal("5"))])
    offer = make_offer()  # its second line carries a 10% discount
    facts.add_offer(offer, approved=False)
    if limit is not None:
        facts.limits["asha"] = Decimal(limit)
    if decision is not None:
        facts.decisions[offer["_id"]] = decision
    return facts, make_approval(offer)


def test_worker_refuses_a_customer_approval_above_the_limit_without_the_head() -> None:
    facts, approval = _facts("5", None)
    verdict = check_rules(approval, facts)
    assert not verdict.ok
    assert "above your limit of 5%" in verdict.reason


def test_worker_accepts_the_approval_once_the_head_approved() -> None:
    facts, approval = _facts("5", "approved")
    assert check_rules(approval, facts).ok
    facts, approval = _facts("10", None)
    assert check_rules(approval, facts).ok


def test_worker_refuses_after_a_declined_discount() -> None:
    facts, approval = _facts("5", "declined")
    verdict = check_rules(approval, facts)
    assert not verdict.ok and "declined" in verdict.reason


def test_decision_document_shape_and_outcome_checks() -> None:
    doc = decisions.decision_doc("discount", "offer:1", "approved", "hema", AT, "ok")
    assert doc == {"_id": "decision:offer:1", "type": "decision", "kind": "discount",
                   "subject_id": "offer:1", "outcome": "approved", "by": "hema",
                   "at": "2026-11-30T09:00:00+00:00", "note": "ok"}
    with pytest.raises(InvalidRequestError, match="say why"):
        decisions.check_outcome("declined", " ")
    with pytest.raises(InvalidRequestError):
        decisions.check_outcome("maybe", "")
    with pytest.raises(StateError, match="already approved"):
        decisions.check_undecided("approved", "offer:1")
    assert discounts.max_discount([{"discount_pct": "2"}, {"discount_pct": "12.5"}]) == \
        Decimal("12.5")


def test_lead_moves_forward_one_stage_with_its_details() -> None:
    lead = make_lead(stage="potential")
    moved = leadmoves.move_lead(lead, "proposal", by="hema", at=AT,
                                details={"value": "90000.00"},
                                loc={"lat": 12.9, "lon": 77.6, "accuracy_m": 5,
                                     "at": AT.isoformat(), "mock": False})
    assert moved["stage"] == "proposal"
    assert moved["history"][-1]["by"] == "hema" and moved["history"][-1]["loc"]["lat"] == 12.9
    assert moved["details"]["proposal"] == {"value": "90000.00"}
    assert lead["stage"] == "potential"  # the input is left alone


def test_lead_moves_name_what_is_missing_or_not_allowed() -> None:
    lead = make_lead(stage="proposal")
    with pytest.raises(InvalidRequestError, match="number, date, amount"):
        leadmoves.move_lead(lead, "po", by="hema", at=AT)
    with pytest.raises(InvalidRequestError, match="skips"):
        leadmoves.move_lead(lead, "advance", by="hema", at=AT)
    with pytest.raises(InvalidRequestError, match="lost"):
        leadmoves.move_lead(lead, "lost", by="hema", at=AT)
    with pytest.raises(StateError, match="already"):
        leadmoves.move_lead(lead, "proposal", by="hema", at=AT)
    with pytest.raises(InvalidRequestError, match="unknown"):
        leadmoves.move_lead(lead, "won", by="hema", at=AT)


def test_heads_move_leads_back_and_reopen_lost_ones() -> None:
    back = leadmoves.move_lead(make_lead(stage="po"), "proposal", by="hema", at=AT)
    assert [h["stage"] for h in back["history"]][-2:] == ["po", "proposal"]
    lost = leadmoves.move_lead(make_lead(stage="proposal"), "lost", by="hema", at=AT,
                               lost_reason="Went with a competitor")
    assert lost["lost_reason"] == "Went with a competitor"
    reopened = leadmoves.move_lead(lost, "potential", by="hema", at=AT)
    assert reopened["stage"] == "potential" and "lost_reason" not in reopened


@pytest.mark.parametrize(("amount", "words"), [
    ("0.00", "Rupees Zero Only"),
    ("1180.50", "Rupees One Thousand One Hundred Eighty and Paise Fifty Only"),
    ("125000.00", "Rupees One Lakh Twenty Five Thousand Only"),
    ("21000000.05", "Rupees Two Crore Ten Lakh and Paise Five Only"),
])
def test_totals_in_words_use_indian_numbering(amount: str, words: str) -> None:
    assert rupees_in_words(Decimal(amount)) == words


def test_number_words_teens_and_tens() -> None:
    assert number_words(19) == "Nineteen" and number_words(90) == "Ninety"
    assert number_words(101) == "One Hundred One"


def test_travel_allowance_per_km() -> None:
    rates = {"car": Decimal("9.50"), "bike": Decimal("3.00")}
    assert allowance("car", Decimal("12.5"), rates) == Decimal("118.75")
    assert allowance("bus", Decimal("10"), rates) is None
    assert over_allowance("bike", Decimal("10"), Decimal("45.00"), rates) == Decimal("15.00")
    assert over_allowance("bike", Decimal("10"), Decimal("25.00"), rates) == Decimal("0.00")
    with pytest.raises(InvalidRequestError):
        check_rate("rocket", Decimal("1"))
    with pytest.raises(InvalidRequestError):
        check_rate("car", Decimal("1.005"))
    with pytest.raises(InvalidRequestError):
        check_rate("car", Decimal("-1"))
