"""Typing money, fixing refusals and signing without GPS, in Chromium at 360 px as an engineer
does it: the lead typed as "4,50,000" goes through every stage, refused documents open in their
forms with the field marked and come back accepted, and the customer signs in a basement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import select

from server.reports.jobs import build_jobs
from server.sql.models.documents import Visit
from sync.provisioning import engineer_db_name
from tests.e2e.test_web_field import server_ids, sign_in_and_cache
from tests.factories import (
    make_approval,
    make_expense,
    make_lead,
    make_offer,
    make_order,
    make_todo,
    make_visit,
)
from tests.support.browser import (
    PASSWORD,
    PHONE,
    SQLITE_ONLY,
    TUNING,
    Stack,
    build_web_app,
    chromium,
    running_stack,
    screenshot,
)
from tests.support.offer_steps import draw_signature, present_sign_and_order
from tests.support.phone import Phone
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.timeout(300), SQLITE_ONLY]
ACCEPTED = {"timeout": 20000}


@pytest.fixture
def stack(services: Any) -> Iterator[Stack]:
    build_web_app()
    with running_stack(services) as running:
        yield running


def open_phone(browser: Any, *, gps: bool = True) -> tuple[BrowserContext, Page]:
    """A 360 px phone; without `gps` the engineer has refused the location permission."""
    extra: dict[str, Any] = {"geolocation": {"latitude": 12.3052, "longitude": 76.6552,
                                             "accuracy": 12},
                             "permissions": ["geolocation"]} if gps else {}
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  service_workers="allow", **extra)
    return context, context.new_page()


def token(stack: Stack, username: str) -> str:
    r = requests.post(stack.url + "/api/v1/auth/login", timeout=10,
                      json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def api_get(stack: Stack, path: str, who: str = "priya", **params: Any) -> Any:
    r = requests.get(stack.url + path, params=params, timeout=10,
                     headers={"Authorization": f"Bearer {token(stack, who)}"})
    assert r.status_code == 200, r.text
    return r.json()


def accepted(card: Locator) -> None:
    expect(card.get_by_test_id("receipt")).to_have_attribute("data-state", "accepted", **ACCEPTED)


def move(card: Locator, stage: str, **typed: str) -> None:
    for name, text in typed.items():
        card.locator(f"input[name={name}]").fill(text)
    card.get_by_role("button", name=f"Move to {stage}").click()


def test_a_lead_typed_as_people_type_it_moves_through_every_stage(stack: Stack) -> None:
    with chromium() as browser:
        context, page = open_phone(browser)
        sign_in_and_cache(page, stack)
        page.goto(stack.url + "/" + TUNING + "#/leads")
        page.fill("input[name=lead_title]", "Cold room for Kaveri")
        page.select_option("select[name=customer]", "C-1003")
        page.click("text=Add lead")
        card = page.get_by_test_id("lead-card").filter(has_text="Cold room for Kaveri")

        value = card.locator("input[name=value]")
        value.fill("4,50,000")
        value.blur()  # shown back with lakh grouping as the engineer leaves the field
        expect(value).to_have_value("4,50,000.00")
        move(card, "proposal")
        expect(card.locator(".stages .current")).to_have_text("proposal")

        # The PO date the server requires is asked for, with a date picker.
        assert card.locator("input[name=date]").get_attribute("type") == "date"
        move(card, "PO", number="PO-7781", amount="₹4,50,000")
        # Left empty, it is refused before saving in the contract's words, the field highlighted.
        expect(card.get_by_role("alert")).to_have_text("PO date is needed")
        expect(card.locator("input[name=date]")).to_have_attribute("aria-invalid", "true")
        screenshot(page, "phone-lead-po-date-asked")
        move(card, "PO", date="2026-11-30")
        expect(card.locator(".stages .current")).to_have_text("PO")

        amount = card.locator("input[name=amount]")
        amount.fill("two hundred")
        amount.blur()
        expect(card.get_by_test_id("field-problem").first).to_have_text(
            "Amount must be in figures, like 4,50,000 or 450000.50")
        screenshot(page, "phone-lead-amount-in-words")
        # As a person does: the next stage's form is there before its fields are typed in.
        move(card, "advance", amount="1 lakh", payment_ref="UTR-5512")
        expect(card.locator(".stages .current")).to_have_text("advance")
        move(card, "order acceptance", number="OA-88", date="2026-12-02")
        expect(card.locator(".stages .current")).to_have_text("order acceptance")
        move(card, "installation", date="2026-12-20")
        expect(card.locator(".stages .current")).to_have_text("installation")
        accepted(card)
        screenshot(page, "phone-lead-installed")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        lead_id = server_ids(stack, "lead:")[0]
        held = api_get(stack, f"/api/v1/leads/{lead_id}")
        assert (held["stage"], held["proposal_value"], held["po_amount"], held["po_date"],
                held["advance_amount"]) == ("installation", "450000.00", "450000.00",
                                            "2026-11-30", "100000.00")
        assert [h["stage"] for h in held["history"]] == [
            "potential", "proposal", "po", "advance", "order_acceptance", "installation"]
        context.close()


def other_device_refusals(stack: Stack) -> dict[str, dict[str, Any]]:
    """Documents asha's old phone sent that the worker refused: a lead moved to PO without its
    details, a to-do, visit and expense for a customer no longer in master data, and an offer
    priced above the customer's list (this phone's own checks would not let it be saved)."""
    lead = make_lead("asha", stage="po", customer_id="C-1003", title="Chiller for Nandi Dairy")
    del lead["details"]["po"]
    for day, step in enumerate(lead["history"], start=20):  # all before today's next move
        step["at"] = f"2026-11-{day}T10:00:00+05:30"
    docs = {"lead": lead,
            "todo": make_todo("asha", title="Send the AMC quote", customer_id="C-0404"),
            "visit": make_visit("asha", customer_id="C-0404", checked_out=False),
            "expense": make_expense("asha", customer_id="C-0404"),
            "offer": make_offer("asha", "C-1003", [("P-100", 1, "190000.00", "0", "18")])}
    with Phone(stack.url, token(stack, "asha")) as phone:
        phone.call("bulk", db="me", docs=list(docs.values()))
        phone.call("push", db="me")
    db = engineer_db_name(stack.services.settings.db_prefix, "asha")
    store = stack.services.store
    refused = {f"receipt:{doc['_id']}" for doc in docs.values()}

    def judged() -> bool:  # the worker has refused each one
        receipts = [r.get("doc") or {} for r in store.all_docs(db, include_docs=True)]
        return refused <= {r["_id"] for r in receipts if r.get("status") == "rejected"}
    wait_for(judged, 30, "the worker's refusals of the old phone's documents")
    return docs


def fix_lead(page: Page, stack: Stack) -> None:
    page.goto(stack.url + "/" + TUNING + "#/leads")
    card = page.get_by_test_id("lead-card").filter(has_text="Chiller for Nandi Dairy")
    expect(card.get_by_test_id("receipt")).to_have_attribute("data-state", "rejected", **ACCEPTED)
    card.get_by_text("Fix and resend").click()
    form = card.get_by_test_id("fix-form")
    for name in ("po_number", "po_date", "po_amount"):
        expect(form.locator(f"label:has(input[name={name}])")).to_have_attribute(
            "data-marked", "yes")
    expect(form.locator("label:has(input[name=proposal_value])")).not_to_have_attribute(
        "data-marked", "yes")
    screenshot(page, "phone-fix-lead")
    form.locator("input[name=po_number]").fill("PO-9911")
    form.locator("input[name=po_date]").fill("2026-11-28")
    form.locator("input[name=po_amount]").fill("2,50,000")
    form.get_by_role("button", name="Resend fixed lead").click()
    accepted(card)
    # Its history was kept, and the next move is accepted too.
    move(card, "advance", amount="50,000", payment_ref="UTR-1")
    expect(card.locator(".stages .current")).to_have_text("advance")
    accepted(card)


def fix_by_customer(page: Page, stack: Stack, tab: str, testid: str, text: str) -> None:
    page.goto(stack.url + "/" + TUNING + f"#/{tab}")
    card = page.get_by_test_id(testid).filter(has_text=text)
    expect(card.get_by_test_id("receipt")).to_have_attribute("data-state", "rejected", **ACCEPTED)
    expect(card.get_by_test_id("receipt-reason")).to_contain_text("not in your customer list")
    card.get_by_text("Fix and resend").click()
    form = card.get_by_test_id("fix-form")
    expect(form.locator("label:has(select[name=customer])")).to_have_attribute(
        "data-marked", "yes")
    screenshot(page, f"phone-fix-{tab}")
    form.locator("select[name=customer]").select_option("C-1003")
    form.get_by_role("button", name="Resend fixed").click()
    accepted(card)


def fix_expense(page: Page, stack: Stack) -> None:
    page.goto(stack.url + "/" + TUNING + "#/expenses")
    card = page.get_by_test_id("expense-card")
    expect(card.get_by_test_id("receipt")).to_have_attribute("data-state", "rejected", **ACCEPTED)
    card.get_by_text("Fix and resend").click()
    form = page.get_by_test_id("expense-form")
    expect(form.locator("label:has(select[name=customer])")).to_have_attribute(
        "data-marked", "yes")
    expect(form.locator("input[name=amount]")).to_have_value("350.00")
    screenshot(page, "phone-fix-expense")
    form.locator("select[name=customer]").select_option("C-1003")
    form.get_by_role("button", name="Fix and resend").click()
    accepted(page.get_by_test_id("expense-card"))


def fix_offer(page: Page, stack: Stack, offer_id: str) -> None:
    """A price above the customer's list is refused before saving on this phone; one the old
    phone sent is refused by the worker and marked on its line."""
    page.goto(stack.url + "/" + TUNING + "#/offers/new")
    page.fill("input[type=search]", "kaveri")
    page.select_option("select[name=customer]", "C-1003")
    page.select_option("select[name=product]", "P-100")
    page.fill("input[name=quantity]", "0")
    page.click("text=Save offer")
    expect(page.get_by_role("alert")).to_have_text("Quantity must be more than 0")
    expect(page.locator("input[name=quantity]")).to_have_attribute("aria-invalid", "true")
    page.fill("input[name=quantity]", "1")
    page.fill("input[name=unit_price]", "1,90,000")
    expect(page.get_by_test_id("above-list")).to_contain_text(
        "above the list price of ₹1,85,000.00")
    page.click("text=Save offer")
    expect(page.get_by_role("alert")).to_have_text(
        "The price is above the list price; use the list price")
    expect(page.locator("input[name=unit_price]")).to_have_attribute("aria-invalid", "true")
    page.goto(stack.url + "/" + TUNING + f"#/offers/{offer_id}")
    detail = page.get_by_test_id("offer-detail")
    expect(detail.get_by_test_id("receipt").first).to_have_attribute("data-state", "rejected",
                                                                     **ACCEPTED)
    detail.get_by_text("Fix and resend").click()
    expect(page.locator("label:has(input[name=unit_price])")).to_have_attribute(
        "data-marked", "yes")
    expect(page.get_by_test_id("fix-reason")).to_contain_text("above the list price")
    screenshot(page, "phone-fix-offer")
    page.fill("input[name=unit_price]", "₹1,85,000")
    page.get_by_role("button", name="Fix and resend").click()
    expect(page.get_by_test_id("offer-detail").get_by_test_id("receipt").first
           ).to_have_attribute("data-state", "accepted", **ACCEPTED)


def test_every_refused_document_opens_marked_and_fix_and_resend_gets_it_accepted(
        stack: Stack) -> None:
    docs = other_device_refusals(stack)
    with chromium() as browser:
        context, page = open_phone(browser)
        sign_in_and_cache(page, stack)
        fix_offer(page, stack, docs["offer"]["_id"])
        fix_lead(page, stack)
        fix_by_customer(page, stack, "todos", "todo-card", "Send the AMC quote")
        fix_by_customer(page, stack, "visits", "visit-card", "Demo of the new chiller")
        fix_expense(page, stack)
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "0",
                                                                      **ACCEPTED)
        context.close()
    lead = api_get(stack, f"/api/v1/leads/{docs['lead']['_id']}")
    assert [h["stage"] for h in lead["history"]] == ["potential", "proposal", "po", "advance"]
    assert (lead["po_date"], lead["po_amount"]) == ("2026-11-28", "250000.00")


def test_the_customer_signs_in_a_basement_without_gps(stack: Stack) -> None:
    with chromium() as browser:
        context, page = open_phone(browser, gps=False)
        sign_in_and_cache(page, stack)
        page.select_option("select[name=customer]", "C-1003")
        page.select_option("select[name=product]", "P-100")
        page.click("text=Save offer")
        expect(page.get_by_test_id("offer-detail")).to_be_visible()
        present_sign_and_order(page)
        approval = page.get_by_test_id("approval")
        expect(approval.get_by_test_id("no-fix")).to_have_text(
            "Signed without a GPS fix: location permission denied")
        expect(approval.get_by_test_id("receipt")).to_have_attribute("data-state", "accepted",
                                                                     **ACCEPTED)
        screenshot(page, "phone-basement-signature")

        page.goto(stack.url + "/" + TUNING + "#/visits")
        page.select_option("select[name=customer]", "C-1003")
        page.fill("input[name=purpose]", "Commissioning in the basement plant room")
        page.click("text=Check in")
        visit = page.get_by_test_id("visit-card")
        expect(visit.get_by_test_id("no-fix")).to_have_text(
            "No GPS fix: location permission denied")
        accepted(visit)
        screenshot(page, "phone-basement-check-in")
        context.close()

    _, verification = build_jobs(stack.services)
    verification.run()
    # The report's days are India's; this machine's clock may be on another date.
    span = {"date_from": (date.today() - timedelta(days=1)).isoformat(),
            "date_to": (date.today() + timedelta(days=1)).isoformat()}
    seen = api_get(stack, "/api/v1/reports/verifications", status="unknown", **span)
    flagged = {r["doc_type"]: r for r in seen["rows"] if r["reason"] == "no_fix"}
    assert set(flagged) >= {"approval", "visit"}, seen["rows"]
    assert flagged["approval"]["message"] == (
        "written without a GPS fix; the phone said: location permission denied")
    integrity = api_get(stack, "/api/v1/reports/integrity", **span)
    row = next(r for r in integrity["rows"] if r["engineer"] == "asha")
    assert "without_fix" in row["reason_codes"]
    assert "1 signature and 1 check-in saved without a GPS fix (location permission denied)" \
        in row["reasons"]


def push_and_wait(stack: Stack, docs: list[dict[str, Any]], status: str) -> None:
    """asha's old phone sends `docs`; wait until the worker has given each one `status`."""
    with Phone(stack.url, token(stack, "asha")) as phone:
        phone.call("bulk", db="me", docs=docs)
        phone.call("push", db="me")
    db = engineer_db_name(stack.services.settings.db_prefix, "asha")
    wanted = {f"receipt:{doc['_id']}" for doc in docs}

    def judged() -> bool:
        receipts = [r.get("doc") or {} for r in stack.services.store.all_docs(
            db, include_docs=True)]
        return wanted <= {r["_id"] for r in receipts if r.get("status") == status}
    wait_for(judged, 30, f"the worker's {status} receipts")


def test_a_refused_approval_and_order_are_fixed_on_their_offer(stack: Stack) -> None:
    """The old phone's approval signed an older version of the offer, and its order departs
    from the offer: sign again, then resend the order with the offer's lines."""
    offer = make_offer("asha", "C-1003", [("P-100", 1, "185000.00", "0", "18")],
                       status="approved")
    push_and_wait(stack, [offer], "accepted")
    stale = make_approval(offer, offer_hash="sha256:" + "0" * 64)
    order = make_order(offer, stale, po_number="PO-12")
    # The old phone let the quantity change on the order: it no longer matches the offer.
    other = make_offer("asha", "C-1003", [("P-100", 2, "185000.00", "0", "18")])
    order.update(lines=other["lines"], totals=other["totals"])
    push_and_wait(stack, [stale, order], "rejected")
    with chromium() as browser:
        context, page = open_phone(browser)
        sign_in_and_cache(page, stack)
        page.goto(stack.url + "/" + TUNING + f"#/offers/{offer['_id']}")
        approval = page.get_by_test_id("approval")
        expect(approval.get_by_test_id("receipt")).to_have_attribute("data-state", "rejected",
                                                                     **ACCEPTED)
        approval.get_by_text("Fix and resend").click()
        expect(approval.get_by_test_id("receipt-reason")).to_contain_text("capture the customer")
        expect(approval.get_by_test_id("fix-reason")).to_have_text(
            "Fix the marked fields and resend.")
        approval.locator("input[name=signed_by]").fill("K. Ramesh")
        draw_signature(page)
        approval.get_by_role("button", name="Save approval").click()
        accepted(approval)

        order_box = page.get_by_test_id("order")
        expect(order_box.get_by_test_id("receipt")).to_have_attribute("data-state", "rejected")
        expect(order_box.get_by_test_id("receipt-reason")).to_contain_text(
            "differs from the approved offer", **ACCEPTED)
        order_box.get_by_text("Fix and resend").click()
        form = order_box.get_by_test_id("fix-form")
        expect(form.locator("input[name=po_number]")).to_have_value("PO-12")
        form.locator("input[name=delivery_date]").fill("2026-12-15")
        screenshot(page, "phone-fix-order")
        form.get_by_role("button", name="Resend fixed order").click()
        expect(order_box.get_by_test_id("erp-number")).to_be_visible(timeout=30000)
        context.close()


def test_a_check_in_where_the_gps_gives_no_position_is_saved_with_the_reason(
        stack: Stack) -> None:
    with chromium() as browser:
        context, page = open_phone(browser)
        # Permission granted, but the GPS has no position (CDP override without coordinates).
        context.new_cdp_session(page).send("Emulation.setGeolocationOverride", {})
        sign_in_and_cache(page, stack)
        page.goto(stack.url + "/" + TUNING + "#/visits")
        page.select_option("select[name=customer]", "C-1003")
        page.fill("input[name=purpose]", "Cold room inspection")
        page.click("text=Check in")
        visit = page.get_by_test_id("visit-card")
        expect(visit.get_by_test_id("no-fix")).to_have_text(
            "No GPS fix: no GPS position available", timeout=20000)
        accepted(visit)
        context.close()
    with stack.services.sessions() as s:
        assert s.scalars(select(Visit.check_in_no_fix)).all() == ["no GPS position available"]


def office_refusals(stack: Stack) -> set[str]:
    return {r["doc_id"] for r in api_get(stack, "/api/v1/rejections")["items"]}


def test_a_refused_document_can_be_discarded_and_leaves_the_office_list(stack: Stack) -> None:
    """The other way out of a refusal: the engineer discards the change, after being asked
    twice; the document leaves the phone, the discard is sent like any change, and the office's
    list drops it. The phone stays open until then: the pending count read just after the click
    can still be the one from before the discard, and a phone closed before its next push has
    not sent the discard (it would send it when next opened)."""
    todo_id = other_device_refusals(stack)["todo"]["_id"]
    wait_for(lambda: todo_id in office_refusals(stack), 30, "the office's list of refusals")
    with chromium() as browser:
        context, page = open_phone(browser)
        sign_in_and_cache(page, stack)
        page.goto(stack.url + "/" + TUNING + "#/todos")
        card = page.get_by_test_id("todo-card").filter(has_text="Send the AMC quote")
        expect(card.get_by_test_id("receipt")).to_have_attribute("data-state", "rejected",
                                                                  **ACCEPTED)
        card.get_by_role("button", name="Discard my change").click()
        expect(card.get_by_test_id("discard-confirm")).to_be_visible()
        screenshot(page, "phone-discard-refused-todo")
        card.get_by_role("button", name="Yes, discard").click()
        expect(page.get_by_test_id("todo-card").filter(has_text="Send the AMC quote")) \
            .to_have_count(0)
        wait_for(lambda: todo_id not in office_refusals(stack), 30,
                 "the discarded to-do leaving the office's list")
        # The discard is a change like any other: counted until it is sent.
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "0",
                                                                      **ACCEPTED)
        context.close()
