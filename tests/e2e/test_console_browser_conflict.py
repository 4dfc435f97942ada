"""One engineer on two phones edits the same offer offline; an admin settles it in the console and
both phones end up with the kept version."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from server.accounts.service import create_user
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

pytestmark = [pytest.mark.timeout(150), SQLITE_ONLY]
# P-100 lists at 185000.00 with 18 % GST, supplied within the state (CGST + SGST).
GRAND_TOTALS = {"1": "₹2,18,300.00", "3": "₹6,54,900.00", "4": "₹8,73,200.00"}
WAIT = 30000


@pytest.fixture
def stack(services: Services) -> Iterator[Stack]:
    build_web_app()
    with running_stack(services) as running:
        create_user(services.sessions, services.store, services.settings, "adam", PASSWORD,
                    "admin")
        yield running


@pytest.fixture
def browser(stack: Stack) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def open_phone(browser: Browser, stack: Stack) -> tuple[BrowserContext, Page]:
    """A phone of its own (own IndexedDB) with asha signed in and the catalog synced."""
    context = new_context(browser, PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, stack.url + "/" + TUNING, "asha")
    expect(page.get_by_test_id("sync-header")).to_be_visible()
    page.goto(stack.url + "/" + TUNING + "#/offers/new")
    page.wait_for_function("() => ['customer', 'product'].every(name => document.querySelectorAll("
                           "`select[name=${name}] option`).length > 5)")
    return context, page


def create_offer(page: Page, stack: Stack) -> str:
    page.fill("input[type=search]", "kaveri")
    page.select_option("select[name=customer]", "C-1003")
    page.select_option("select[name=product]", "P-100")
    expect(page.locator("input[name=unit_price]")).to_have_value("185000.00")
    page.click("text=Save offer")
    expect(page.get_by_test_id("grand-total")).to_have_text(GRAND_TOTALS["1"])
    expect(receipt(page)).to_have_attribute("data-state", "accepted", timeout=WAIT)
    return str(page.evaluate("decodeURIComponent(location.hash)")).split("/")[-1]


def receipt(page: Page) -> Locator:
    return page.get_by_test_id("offer-detail").get_by_test_id("receipt").first


def open_offer(page: Page, stack: Stack, offer_id: str) -> None:
    page.goto(f"{stack.url}/{TUNING}#/offers/{offer_id}")
    expect(page.get_by_test_id("offer-detail")).to_be_visible(timeout=WAIT)


def edit_quantity(page: Page, quantity: str) -> None:
    page.get_by_role("link", name="Edit").click()
    page.fill("input[name=quantity]", quantity)
    page.click("text=Save offer")
    expect(page.get_by_test_id("grand-total")).to_have_text(GRAND_TOTALS[quantity])


def resolve_in_console(browser: Browser, stack: Stack, offer_id: str) -> str:
    """The admin keeps the other device's version; returns the quantity that was kept."""
    context = new_context(browser, DESKTOP)
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, stack.url + "/", "adam")
    expect(page.locator(".fs-console")).to_have_attribute("data-role", "admin")
    page.evaluate("h => { window.location.hash = h }", "#/console/conflicts")
    page.get_by_role("link", name=offer_id).click()
    row = page.get_by_role("table", name="differences").locator("tr[data-field*=quantity]")
    sides = {label: row.locator(f"td[data-label='{label}'] strong").inner_text().strip()
             for label in ("This version", "Other device")}
    assert set(sides.values()) == {"3", "4"}, sides
    devices = row.locator("td .fs-small").all_inner_texts()
    assert len(devices) == 2 and devices[0] != devices[1], devices  # each phone names itself
    expect(page.get_by_role("table", name="differences")).to_contain_text("Totals grand total")
    screenshot(page, "console-conflict-two-phones")
    page.get_by_role("button", name=re.compile("Keep the other device's version whole")).click()
    expect(page.get_by_test_id("conflict-status")).to_have_text("resolved")
    screenshot(page, "console-conflict-two-phones-resolved")
    context.close()
    return sides["Other device"]


def test_two_phones_edit_one_offer_offline_and_the_admins_choice_reaches_both(
        stack: Stack, browser: Browser) -> None:
    first, first_page = open_phone(browser, stack)
    offer_id = create_offer(first_page, stack)
    second, second_page = open_phone(browser, stack)
    open_offer(second_page, stack, offer_id)
    expect(second_page.get_by_test_id("grand-total")).to_have_text(GRAND_TOTALS["1"])
    phones = ((first, first_page, "3"), (second, second_page, "4"))

    for context, page, quantity in phones:
        context.set_offline(True)
        expect(page.get_by_test_id("sync-online")).to_have_text("Offline")
        edit_quantity(page, quantity)
    for context, _, _ in phones:
        context.set_offline(False)
    for _, page, _ in phones:
        expect(receipt(page)).to_have_attribute("data-state", "conflict", timeout=WAIT)
        expect(receipt(page)).to_contain_text("In conflict")
    screenshot(first_page, "phone-offer-in-conflict")

    kept = resolve_in_console(browser, stack, offer_id)
    for _, page, _ in phones:
        page.get_by_text("Sync now").click()
        expect(page.get_by_test_id("grand-total")).to_have_text(GRAND_TOTALS[kept], timeout=WAIT)
        expect(receipt(page)).to_have_attribute("data-state", "merged", timeout=WAIT)
        expect(page.get_by_text("In conflict")).to_have_count(0)
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "0",
                                                                       timeout=WAIT)
    screenshot(second_page, "phone-offer-conflict-resolved")
    stored = stack.services.store.get_doc(
        engineer_db_name(stack.services.settings.db_prefix, "asha"), offer_id, conflicts="true")
    assert str(stored["lines"][0]["quantity"]) == kept and not stored.get("_conflicts"), stored
    for context, _, _ in phones:
        context.close()
