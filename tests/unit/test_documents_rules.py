"""check_rules and validate: master data, approvals, orders and the lead stage machine."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sync.documents.facts import CustomerFacts, DictMasterData, ProductFacts, server_step
from sync.documents.validate import Verdict, check_rules, validate
from tests.factories import (
    make_approval,
    make_expense,
    make_lead,
    make_offer,
    make_order,
    make_todo,
    make_visit,
    master_data,
)


def rules(doc: dict[str, Any], facts: DictMasterData | None = None) -> Verdict:
    return check_rules(doc, facts if facts is not None else master_data())


def refused(verdict: Verdict, field: str, *words: str) -> None:
    assert not verdict.ok, "expected a refusal"
    messages = [p.message for p in verdict.problems if p.field == field]
    assert messages, f"no problem on {field!r}: {verdict.problems}"
    assert any(all(w in m for w in words) for m in messages), messages


def approved(offer: dict[str, Any], facts: DictMasterData, *, ok: bool = True) -> dict[str, Any]:
    facts.add_offer(offer, approved=ok)
    return make_approval(offer)


# Customers, products, supply ----------------------------------------------------------------------

def test_a_valid_offer_passes_the_rules() -> None:
    verdict = rules(make_offer())
    assert verdict.ok, verdict.reason


def test_inter_state_customer() -> None:
    assert rules(make_offer(customer_id="C-2", supply="inter")).ok
    refused(rules(make_offer(customer_id="C-2", supply="intra")), "supply",
            "state 27", "must be \"inter\"")


def test_intra_state_customer_with_inter_supply() -> None:
    refused(rules(make_offer(customer_id="C-1", supply="inter")), "supply", 'must be "intra"')


def test_unknown_customer() -> None:
    refused(rules(make_offer(customer_id="C-404")), "customer_id", '"C-404" is not in master data')


def test_inactive_customer() -> None:
    refused(rules(make_offer(customer_id="C-9")), "customer_id", "inactive")


def test_unknown_product() -> None:
    doc = make_offer(lines=[("P-100", 1, "10.00", "0", "18"), ("P-404", 1, "10.00", "0", "18")])
    verdict = rules(doc)
    refused(verdict, "lines[1].product_id", '"P-404" is not in master data')
    assert verdict.reason.startswith("Line 2: product_id")


def test_inactive_product() -> None:
    refused(rules(make_offer(lines=[("P-OLD", 1, "10.00", "0", "18")])), "lines[0].product_id",
            "inactive")


def test_gst_rate_must_match_the_product() -> None:
    refused(rules(make_offer(lines=[("P-100", 1, "10.00", "0", "12")])), "lines[0].gst_rate",
            "12%", "carries 18%")


def test_gst_rate_written_differently_but_equal() -> None:
    assert rules(make_offer(lines=[("P-100", 1, "10.00", "0", "18.0")])).ok


def test_rules_refuse_a_structurally_bad_document_instead_of_crashing() -> None:
    doc = make_offer()
    doc["lines"] = "everything"
    refused(rules(doc), "lines", "must be a list")


# Approvals ----------------------------------------------------------------------------------------

def test_approval_of_an_accepted_offer() -> None:
    facts = master_data()
    approval = approved(make_offer(), facts)
    assert rules(approval, facts).ok


def test_approval_of_an_unknown_offer() -> None:
    refused(rules(make_approval(make_offer())), "offer_id", "sync the offer first")


def test_approval_of_another_engineers_offer() -> None:
    facts = master_data()
    offer = make_offer(owner="ravi")
    facts.add_offer(offer)
    approval = make_approval(make_offer(owner="asha"), offer_hash=None)
    approval.update(offer_id=offer["_id"], offer_hash=facts.offers[offer["_id"]].content_hash)
    refused(rules(approval, facts), "offer_id", "not one of your offers")


def test_approval_of_an_offer_changed_after_signing() -> None:
    facts = master_data()
    offer = make_offer()
    approval = approved(offer, facts)
    changed = make_offer(offer_id=offer["_id"], lines=[("P-100", 3, "500.00", "0", "18")])
    facts.add_offer(changed)
    refused(rules(approval, facts), "offer_hash", "changed after it was signed")


# Orders -------------------------------------------------------------------------------------------

def test_order_from_an_approved_offer() -> None:
    facts = master_data()
    offer = make_offer()
    order = make_order(offer, approved(offer, facts))
    assert rules(order, facts).ok


def test_order_without_an_approved_offer() -> None:
    facts = master_data()
    offer = make_offer()
    order = make_order(offer, approved(offer, facts, ok=False))
    refused(rules(order, facts), "offer_id", "no accepted customer approval")


def test_order_for_an_offer_the_server_never_saw() -> None:
    offer = make_offer()
    refused(rules(make_order(offer, make_approval(offer))), "offer_id", "sync the offer first")


def test_order_with_a_different_line() -> None:
    facts = master_data()
    offer = make_offer()
    approval = approved(offer, facts)
    other = make_offer(lines=[("P-100", 2, "500.00", "0", "18"), ("P-200", 2, "120.00", "10", "5")])
    order = make_order(other, approval, offer_id=offer["_id"])
    order["offer_id"] = offer["_id"]
    verdict = rules(order, facts)
    refused(verdict, "lines[1]", "line 2 differs from the approved offer")


def test_order_for_another_customer() -> None:
    facts = master_data()
    offer = make_offer()
    approval = approved(offer, facts)
    order = make_order(make_offer(customer_id="C-2", supply="inter"), approval)
    order["offer_id"] = offer["_id"]
    refused(rules(order, facts), "customer_id", "differs from the approved offer")


def test_order_with_fewer_lines() -> None:
    facts = master_data()
    offer = make_offer()
    approval = approved(offer, facts)
    order = make_order(make_offer(lines=[("P-100", 2, "500.00", "0", "18")]), approval)
    order["offer_id"] = offer["_id"]
    verdict = rules(order, facts)
    refused(verdict, "lines", "line 2 of the approved offer is missing")
    refused(verdict, "totals.grand_total", "differs from the approved offer")


# Leads --------------------------------------------------------------------------------------------

def step(stage: str, by: str = "asha", day: int = 9) -> dict[str, Any]:
    return {"stage": stage, "at": f"2026-12-{day:02d}T10:00:00+05:30", "by": by}


@pytest.mark.parametrize("stage", ["potential", "proposal", "po", "advance", "order_acceptance",
                                   "installation", "lost"])
def test_leads_moved_one_stage_at_a_time(stage: str) -> None:
    assert rules(make_lead(stage=stage)).ok


def test_lead_skipping_stages_in_its_history() -> None:
    doc = make_lead(stage="proposal")
    doc["history"][-1]["stage"] = "po"
    doc["stage"] = "po"
    doc["details"]["po"] = {"number": "PO-1", "date": "2026-11-30", "amount": "1.00"}
    verdict = rules(doc)
    refused(verdict, "history[1].stage", "one stage at a time", '"potential" to "po"', "proposal")
    assert verdict.reason.startswith("History entry 2: a lead moves one stage at a time")


def test_lead_skipping_stages_since_the_server_last_saw_it() -> None:
    facts = master_data()
    doc = make_lead(stage="po")
    facts.leads[doc["_id"]] = "advance"
    refused(rules(doc, facts), "stage", 'server has this lead at "advance"')


def test_lead_moved_forward_twice_offline() -> None:
    facts = master_data()
    doc = make_lead(stage="po")
    facts.leads[doc["_id"]] = "potential"
    assert rules(doc, facts).ok


def test_lead_moved_back_by_its_engineer() -> None:
    doc = make_lead(stage="po")
    doc["history"].append(step("proposal"))
    doc["stage"] = "proposal"
    refused(rules(doc), "history[3].stage", "cannot move back", "sales head")


def test_lead_moved_back_by_a_head() -> None:
    facts = master_data()
    doc = make_lead(stage="po")
    facts.leads[doc["_id"]] = "po"
    moved = step("proposal", by="head.meera")
    doc["history"].append(moved)
    doc["stage"] = "proposal"
    facts.steps[doc["_id"]] = {server_step("proposal", moved["at"], "head.meera")}
    assert rules(doc, facts).ok


def test_a_step_back_in_a_heads_name_written_on_the_phone_is_refused() -> None:
    facts = master_data()
    doc = make_lead(stage="po")
    facts.leads[doc["_id"]] = "po"
    doc["history"].append(step("proposal", by="priya"))
    doc["stage"] = "proposal"
    refused(rules(doc, facts), "history[3].by", "priya's name", "only the server writes")


def test_a_version_without_the_heads_step_is_refused() -> None:
    facts = master_data()
    doc = make_lead(stage="proposal")
    facts.leads[doc["_id"]] = "proposal"
    facts.steps[doc["_id"]] = {server_step("potential", "2026-12-01T15:30:00+05:30", "priya")}
    refused(rules(doc, facts), "history", 'priya moved the lead to "potential"',
            "does not carry that step")


def test_lost_lead_needs_a_reason() -> None:
    doc = make_lead(stage="lost")
    del doc["lost_reason"]
    refused(rules(doc), "lost_reason", "lost_reason is missing")


def test_reopening_a_lost_lead_on_the_phone() -> None:
    doc = make_lead(stage="lost")
    doc["history"].append(step("proposal"))
    doc["stage"] = "proposal"
    refused(rules(doc), "history[2].stage", "cannot move back")


def test_reached_stage_needs_its_details() -> None:
    doc = make_lead(stage="po")
    del doc["details"]["proposal"]
    refused(rules(doc), "details.proposal", "needs value", 'reached "proposal"')
    del doc["details"]
    refused(rules(doc), "details.po", "needs number, date, amount")


def test_stage_details_are_complete_where_given() -> None:
    doc = make_lead(stage="po")
    del doc["details"]["po"]["amount"]
    refused(rules(doc), "details.po.amount", "amount is missing")


def test_lead_must_start_at_potential() -> None:
    doc = make_lead(stage="potential")
    doc["history"][0]["stage"] = doc["stage"] = "proposal"
    doc["details"] = {"proposal": {"value": "1.00"}}
    refused(rules(doc), "history[0].stage", 'starts at "potential"')


def test_stage_must_be_the_last_history_entry() -> None:
    doc = make_lead(stage="proposal")
    doc["stage"] = "po"
    refused(rules(doc), "stage", "last history entry")


def test_lead_for_an_unknown_customer() -> None:
    refused(rules(make_lead(customer_id="C-404")), "customer_id", "not in master data")


def test_lead_for_a_prospect() -> None:
    assert rules(make_lead(customer_id=None)).ok


# Visits, expenses, to-dos -------------------------------------------------------------------------

def test_visit_for_an_unknown_lead() -> None:
    refused(rules(make_visit(customer_id=None, lead_id="lead:nope")), "lead_id",
            "sync the lead first")


def test_visit_for_a_known_lead() -> None:
    facts = master_data()
    facts.leads["lead:01J9"] = "proposal"
    assert rules(make_visit(customer_id=None, lead_id="lead:01J9"), facts).ok


@pytest.mark.parametrize("make", [make_visit, make_todo, make_expense])
def test_activity_for_an_unknown_customer(make: Any) -> None:
    refused(rules(make(customer_id="C-404")), "customer_id", "not in master data")


def test_todo_without_references() -> None:
    assert rules(make_todo()).ok


# validate() ---------------------------------------------------------------------------------------

def test_validate_runs_structure_then_rules() -> None:
    facts = master_data()
    assert validate(make_offer(), owner="asha", facts=facts).ok
    refused(validate(make_offer(), owner="ravi", facts=facts), "owner", 'belongs to "ravi"')
    refused(validate(make_offer(customer_id="C-9"), owner="asha", facts=facts), "customer_id",
            "inactive")


def test_validate_accepts_deletions_without_rules() -> None:
    verdict = validate({"_id": "order:1", "_rev": "3-x", "_deleted": True}, owner="asha",
                       facts=master_data())
    assert verdict.ok


def test_dict_master_data_answers_from_its_dicts() -> None:
    facts = DictMasterData.of(
        "29", customers=[CustomerFacts("C-5", True, "33", "tn")],
        products=[ProductFacts("P-9", True, Decimal("12"))], leads={"lead:1": "po"})
    assert facts.customer("C-5") is not None and facts.customer("C-6") is None
    assert facts.product("P-9") is not None and facts.offer("offer:x") is None
    assert facts.lead_stage("lead:1") == "po" and facts.lead_stage("lead:2") is None
