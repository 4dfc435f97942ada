"""The document contract in the field app (Chromium at 360 px): what the server would refuse is
refused on the phone before it is saved, in words for people, with the field highlighted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from server.bootstrap import Services
from tests.support.browser import (
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

pytestmark = [pytest.mark.timeout(240), SQLITE_ONLY]


@pytest.fixture
def page(services: Services) -> Iterator[tuple[Stack, Page]]:
    build_web_app()
    with running_stack(services) as stack, chromium() as browser:
        context = new_context(browser, PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        sign_in(page, stack.url + "/" + TUNING, "asha")
        expect(page.get_by_test_id("sync-header")).to_be_visible()
        yield stack, page
        context.close()


def test_quantity_0_is_refused_on_the_spot_with_the_human_message(
        page: tuple[Stack, Page]) -> None:
    stack, tab = page
    tab.goto(stack.url + "/" + TUNING + "#/offers/new")
    tab.wait_for_function("() => ['customer', 'product'].every(name => document.querySelectorAll("
                          "`select[name=${name}] option`).length > 5)", timeout=15000)
    tab.fill("input[type=search]", "kaveri")
    tab.select_option("select[name=customer]", "C-1003")
    tab.select_option("select[name=product]", "P-100")
    tab.fill("input[name=quantity]", "0")
    tab.click("text=Save offer")
    alert = tab.get_by_role("alert")
    expect(alert).to_have_text("Quantity must be more than 0")
    expect(tab.locator("input[name=quantity]")).to_have_attribute("aria-invalid", "true")
    # Nothing was saved: no ₹0.00 offer, nothing to capture an approval for.
    expect(tab.get_by_test_id("offer-detail")).to_have_count(0)
    assert "quantity" not in alert.inner_text() and "_" not in alert.inner_text()
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(tab, "phone-offer-quantity-0")

    tab.fill("input[name=quantity]", "2")
    tab.fill("input[name=discount_pct]", "101")
    tab.click("text=Save offer")
    expect(alert).to_have_text("Discount can be at most 100 %")
    expect(tab.locator("input[name=discount_pct]")).to_have_attribute("aria-invalid", "true")
    expect(tab.locator("input[name=quantity]")).not_to_have_attribute("aria-invalid", "true")

    tab.fill("input[name=discount_pct]", "5")
    tab.click("text=Save offer")
    expect(tab.get_by_test_id("offer-detail")).to_be_visible()
    expect(tab.get_by_test_id("grand-total")).to_have_text("₹4,14,770.00")


def test_a_3000_character_to_do_is_refused_on_the_phone(page: tuple[Stack, Page]) -> None:
    stack, tab = page
    tab.goto(stack.url + "/" + TUNING + "#/todos")
    tab.fill("input[name=todo_title]", "x" * 3000)
    tab.click("button:has-text('Add')")
    expect(tab.get_by_role("alert")).to_have_text("Title can be at most 200 characters")
    expect(tab.locator("input[name=todo_title]")).to_have_attribute("aria-invalid", "true")
    expect(tab.get_by_test_id("todo-card")).to_have_count(0)
    screenshot(tab, "phone-todo-too-long")
