"""The field app in a real browser: offline offer to order, receipts, a refused expense fixed,
reload without network, roles and logout; screenshots at phone and desktop sizes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import BrowserContext, FilePayload, Page, expect

from server.bootstrap import Services
from sync.provisioning import engineer_db_name
from tests.support.browser import (
    DESKTOP,
    PASSWORD,
    PHONE,
    SQLITE_ONLY,
    TUNING,
    Stack,
    build_web_app,
    chromium,
    new_context,
    running_stack,
    screenshot,
    sign_in,
)
from tests.support.offer_steps import present_sign_and_order

pytestmark = [pytest.mark.timeout(240), SQLITE_ONLY]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture
def stack(services: Services) -> Iterator[Stack]:
    build_web_app()
    with running_stack(services) as running:
        yield running


@pytest.fixture
def phone(stack: Stack) -> Iterator[tuple[BrowserContext, Page]]:
    with chromium() as browser:
        context = new_context(browser, PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        yield context, page
        context.close()


def server_ids(stack: Stack, prefix: str) -> list[str]:
    db = engineer_db_name(stack.services.settings.db_prefix, "asha")
    return [r["id"] for r in stack.services.store.all_docs(db) if r["id"].startswith(prefix)]


def sign_in_and_cache(page: Page, stack: Stack) -> None:
    sign_in(page, stack.url + "/" + TUNING, "asha")
    expect(page.get_by_test_id("sync-header")).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.goto(stack.url + "/" + TUNING + "#/offers/new")
    # the phone holds the territory's customers and the catalog before the network goes
    page.wait_for_function("() => ['customer', 'product'].every(name => document.querySelectorAll("
                           "`select[name=${name}] option`).length > 5)", timeout=15000)


def create_offer_offline(page: Page) -> None:
    page.fill("input[type=search]", "kaveri")
    page.select_option("select[name=customer]", "C-1003")
    page.select_option("select[name=product]", "P-100")
    expect(page.locator("input[name=unit_price]")).to_have_value("185000.00")
    page.fill("input[name=quantity]", "2")
    page.fill("input[name=discount_pct]", "5")
    expect(page.get_by_test_id("effective-discount")).to_have_count(0)
    # Below the list a price is a discount too: 1 - 2 x 170000 x 0.95 / (2 x 185000) = 12.70 %
    page.fill("input[name=unit_price]", "170000")
    expect(page.get_by_test_id("effective-discount")).to_have_text(
        " · 12.70% below the list price")
    page.fill("input[name=unit_price]", "185000.00")
    # 2 x 185000.00 less 5 % = 351500.00; CGST and SGST 9 % each = 31635.00
    expect(page.get_by_test_id("total-taxable")).to_have_text("₹3,51,500.00")
    expect(page.get_by_test_id("total-cgst")).to_have_text("₹31,635.00")
    expect(page.get_by_test_id("grand-total")).to_have_text("₹4,14,770.00")
    screenshot(page, "phone-offer-editor")
    page.click("text=Save offer")
    expect(page.get_by_test_id("offer-detail")).to_be_visible()


def test_offer_to_order_offline_then_receipts_and_erp_number(stack: Stack, phone: tuple[
        BrowserContext, Page]) -> None:
    context, page = phone
    sign_in_and_cache(page, stack)
    context.set_offline(True)
    expect(page.get_by_test_id("sync-online")).to_have_text("Offline")
    create_offer_offline(page)
    present_sign_and_order(page)
    expect(page.get_by_test_id("order").get_by_test_id("receipt")).to_have_attribute(
        "data-state", "pending")
    # the offer, its approval and the order are on the phone only
    expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "3")
    assert server_ids(stack, "order:") == [] and server_ids(stack, "offer:") == []
    screenshot(page, "phone-offer-offline")

    page.reload()  # still offline: the service worker serves the app, IndexedDB the data
    expect(page.get_by_test_id("offer-status")).to_have_text("approved")
    expect(page.get_by_test_id("order")).to_be_visible()

    context.set_offline(False)
    order = page.get_by_test_id("order").get_by_test_id("receipt")
    expect(order.get_by_test_id("erp-number")).to_have_text(re.compile(r"SAL-ORD-"), timeout=30000)
    expect(page.get_by_test_id("approval").get_by_test_id("receipt")).to_have_attribute(
        "data-state", "accepted")
    expect(page.get_by_test_id("offer-detail").get_by_test_id("receipt").first
           ).to_have_attribute("data-state", "accepted")
    expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "0")
    expect(page.get_by_test_id("sync-online")).to_have_text("Online")
    screenshot(page, "phone-offer-accepted")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The phone's large-text setting (set through the DOM: the CSP refuses inline <style>).
    page.evaluate("() => { document.documentElement.style.fontSize = '150%' }")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-offer-large-text")
    assert len(server_ids(stack, "order:")) == 1


def test_an_expense_typed_wrong_is_told_on_the_spot_and_refused_by_the_contract_until_right(
        stack: Stack, phone: tuple[BrowserContext, Page]) -> None:
    _, page = phone
    sign_in_and_cache(page, stack)
    page.goto(stack.url + "/" + TUNING + "#/expenses/new")
    page.fill("input[name=from_place]", "Mysuru")
    page.fill("input[name=to_place]", "Mandya")
    page.fill("input[name=km]", "450000")
    page.fill("input[name=amount]", "two hundred")
    page.fill("input[name=purpose]", "Visit Kaveri Agro")
    page.set_input_files("input[name=photo]", files=[
        FilePayload(name="receipt.jpg", mimeType="image/jpeg", buffer=JPEG)])
    page.click("text=Save expense")
    # What cannot be read as an amount is said at once, as typed.
    problems = page.get_by_test_id("expense-form").get_by_test_id("field-problem")
    expect(problems).to_have_text(["Amount must be in figures, like 4,50,000 or 450000.50"])
    screenshot(page, "phone-expense-told-on-the-spot")
    page.fill("input[name=amount]", "₹640")
    page.click("text=Save expense")
    # The phone checks the server's contract before saving: refused at once, in its words.
    expect(page.get_by_role("alert")).to_have_text("Distance can be at most 100,000 km")
    expect(page.locator("input[name=km]")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "phone-expense-rejected")
    page.fill("input[name=km]", "45 km")
    page.click("text=Save expense")
    card = page.get_by_test_id("expense-card")
    expect(card).to_contain_text("₹640.00")
    expect(card.get_by_test_id("receipt")).to_have_attribute("data-state", "accepted",
                                                             timeout=20000)
    screenshot(page, "phone-expense-accepted")


def test_engineer_cannot_open_the_console_and_logout_wipes_the_phone(
        stack: Stack, phone: tuple[BrowserContext, Page]) -> None:
    _, page = phone
    sign_in_and_cache(page, stack)
    page.goto(stack.url + "/" + TUNING + "#/leads")
    page.fill("input[name=lead_title]", "Cold room for Kaveri")
    page.select_option("select[name=customer]", "C-1003")
    page.click("text=Add lead")
    expect(page.get_by_test_id("lead-card")).to_be_visible()
    page.fill("input[name=lead_title]", "Chiller for a new dairy")
    page.select_option("select[name=customer]", "")
    page.fill("input[name=prospect_name]", "Hassan Milk Union")
    page.fill("input[name=prospect_city]", "Hassan")
    page.click("text=Add lead")
    prospect = page.get_by_test_id("lead-card").filter(has_text="Hassan Milk Union")
    expect(prospect.get_by_test_id("receipt")).to_have_attribute("data-state", "accepted",
                                                                 timeout=20000)
    screenshot(page, "phone-leads")
    page.goto(stack.url + "/" + TUNING + "#/visits")
    page.select_option("select[name=customer]", "C-1003")
    page.fill("input[name=purpose]", "Site survey")
    page.click("text=Check in")
    expect(page.get_by_test_id("visit-card").get_by_test_id("receipt")).to_have_attribute(
        "data-state", "accepted", timeout=20000)
    screenshot(page, "phone-visits")
    page.goto(stack.url + "/" + TUNING + "#/todos")
    page.fill("input[name=todo_title]", "Send the AMC quote")
    page.fill("input[name=todo_due]", "2026-12-02")
    page.select_option("select[name=customer]", "C-1003")
    page.get_by_role("button", name="Add", exact=True).click()
    todo = page.get_by_test_id("todo-card")
    expect(todo).to_contain_text("due 2026-12-02")
    expect(todo.get_by_test_id("receipt")).to_have_attribute("data-state", "accepted",
                                                             timeout=20000)

    page.goto(stack.url + "/" + TUNING + "#/console/dashboard")
    expect(page.get_by_test_id("access-denied")).to_be_visible()
    page.goto(stack.url + "/" + TUNING + "#/offers")
    page.get_by_test_id("sync-header").get_by_role("button", name="Sign out").click()
    # Everything is on the server (the panel follows the sync): the engineer may take it off.
    expect(page.get_by_test_id("signout-clear")).to_be_visible(timeout=20000)
    page.get_by_role("button", name="Sign out and remove my data from this phone").click()
    expect(page.locator("input[name=username]")).to_be_visible()
    names = page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))")
    assert not [n for n in names if "fieldsync-asha" in n], names

    sign_in(page, stack.url + "/" + TUNING, "priya")
    expect(page.locator(".fs-console")).to_have_attribute("data-role", "head", timeout=10000)


def test_desktop_layout(stack: Stack) -> None:
    with chromium() as browser:
        context = new_context(browser, DESKTOP)
        page = context.new_page()
        sign_in_and_cache(page, stack)
        expect(page.get_by_role("heading", name="New offer")).to_be_visible()
        # The editor holds the territory's customers and the catalog, not an empty form.
        expect(page.locator("select[name=customer] option[value=C-1003]")).to_have_count(1)
        expect(page.locator("select[name=product] option[value=P-100]")).to_have_count(1)
        assert _fits_the_width(page)
        screenshot(page, "desktop-offer-editor")
        page.goto(stack.url + "/" + TUNING + "#/expenses")
        expect(page.get_by_role("heading", name="Expenses")).to_be_visible()
        expect(page.get_by_text("No expenses yet.")).to_be_visible()
        expect(page.get_by_role("link", name="New expense")).to_be_visible()
        assert _fits_the_width(page)
        screenshot(page, "desktop-expenses")
        context.close()


def _fits_the_width(page: Page) -> bool:
    """No sideways scrolling: the page is no wider than the window."""
    return bool(page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"))


def test_discount_above_the_limit_waits_for_the_head(stack: Stack, phone: tuple[
        BrowserContext, Page]) -> None:
    _, page = phone
    sign_in_and_cache(page, stack)
    page.select_option("select[name=customer]", "C-1001")
    page.select_option("select[name=product]", "P-400")
    page.fill("input[name=discount_pct]", "8")
    page.click("text=Save offer")
    expect(page.get_by_test_id("discount-state")).to_have_attribute("data-state", "waiting")
    expect(page.get_by_text("Capture approval")).to_have_count(0)
    expect(page.get_by_test_id("offer-detail").get_by_test_id("receipt").first
           ).to_have_attribute("data-state", "accepted", timeout=20000)
    screenshot(page, "phone-offer-waiting-for-head")

    offer_id = page.evaluate("decodeURIComponent(location.hash)").split("/")[-1]
    head = requests.post(stack.url + "/api/v1/auth/login", timeout=10,
                         json={"username": "priya", "password": PASSWORD}).json()["access_token"]
    decided = requests.post(f"{stack.url}/api/v1/offers/{offer_id}/decision", timeout=10,
                            headers={"Authorization": f"Bearer {head}"},
                            json={"outcome": "approved", "note": "Key account"})
    assert decided.status_code < 300, decided.text
    expect(page.get_by_test_id("discount-state")).to_have_attribute("data-state", "approved",
                                                                    timeout=20000)
    expect(page.get_by_text("Capture approval")).to_be_visible()
