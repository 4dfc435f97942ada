"""The commercial record in a real browser: a discount the head approved is raised offline on
the phone (360 px), the phone waits for the head again and says why, the head approves again
in the console, the customer signs, and the ERPNext test server receives the signed net prices
and GST."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from erp_bridge.snapshot import idempotency_key
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

pytestmark = [pytest.mark.timeout(300), SQLITE_ONLY]


@pytest.fixture
def stack(services: Services) -> Iterator[Stack]:
    build_web_app()
    with running_stack(services) as running:
        yield running


def open_phone(browser: Browser, stack: Stack) -> tuple[BrowserContext, Page]:
    context = new_context(browser, PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, stack.url + "/" + TUNING, "asha")
    expect(page.get_by_test_id("sync-header")).to_be_visible()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.goto(stack.url + "/" + TUNING + "#/offers/new")
    page.wait_for_function("() => ['customer', 'product'].every(name => document.querySelectorAll("
                           "`select[name=${name}] option`).length > 5)", timeout=15000)
    return context, page


def open_console(browser: Browser, stack: Stack) -> Page:
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(f"{stack.url}/index.html#/")
    page.fill("input[name=username]", "priya")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_function("() => !document.querySelector('input[name=password]')")
    return page


def head_approves(console: Page, offer_id: str) -> None:
    """The head opens the approvals page afresh and approves the offer's discount; she sees it
    by its customer, not its id."""
    console.evaluate("() => { window.location.hash = '#/console/dashboard' }")
    console.evaluate("() => { window.location.hash = '#/console/approvals' }")
    case = console.get_by_test_id("offer-case").filter(has_text="Kaveri Agro Processors")
    case.get_by_role("button", name="approve offer for Kaveri Agro Processors").click(
        timeout=30000)
    assert offer_id not in console.inner_text("main")
    expect(console.get_by_role("status")).to_contain_text("Discount approved")


def test_discount_raised_offline_waits_for_the_head_then_reaches_erpnext(stack: Stack) -> None:
    with chromium() as browser:
        context, phone = open_phone(browser, stack)
        # 2 x 185000.00 at 15 % for Kaveri Agro (Karnataka, like the company): CGST + SGST
        phone.fill("input[type=search]", "kaveri")
        phone.select_option("select[name=customer]", "C-1003")
        phone.select_option("select[name=product]", "P-100")
        phone.fill("input[name=quantity]", "2")
        phone.fill("input[name=discount_pct]", "15")
        phone.click("text=Save offer")
        notice = phone.get_by_test_id("discount-state")
        expect(notice).to_have_attribute("data-state", "waiting")
        expect(phone.get_by_test_id("offer-detail").get_by_test_id("receipt").first
               ).to_have_attribute("data-state", "accepted", timeout=20000)
        offer_id = phone.evaluate("decodeURIComponent(location.hash)").split("/")[-1]

        console = open_console(browser, stack)
        head_approves(console, offer_id)
        expect(notice).to_have_attribute("data-state", "approved", timeout=20000)

        # Offline (the browser's network emulation), the engineer raises the discount to 40 %.
        context.set_offline(True)
        expect(phone.get_by_test_id("sync-online")).to_have_text("Offline")
        phone.goto(stack.url + "/" + TUNING + f"#/offers/{offer_id}/edit")
        phone.fill("input[name=discount_pct]", "40")
        phone.click("text=Save offer")
        expect(notice).to_have_attribute("data-state", "waiting")
        expect(phone.get_by_test_id("discount-reason")).to_have_text(
            "terms changed after the head approved 15%: now 40%; waiting for your sales head "
            "to decide again")
        expect(phone.get_by_text("Capture approval")).to_have_count(0)

        context.set_offline(False)
        receipt = phone.get_by_test_id("offer-detail").get_by_test_id("receipt").first
        expect(receipt).to_have_attribute("data-state", "accepted", timeout=30000)
        # The server's own words, from the offer's receipt
        expect(phone.get_by_test_id("discount-reason")).to_have_text(
            "terms changed after the head approved 15%: now 40%; waiting for your sales head "
            "to decide again")
        expect(notice).to_have_attribute("data-state", "waiting")
        expect(phone.get_by_text("Capture approval")).to_have_count(0)
        screenshot(phone, "phone-offer-waiting-again")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        head_approves(console, offer_id)
        expect(notice).to_have_attribute("data-state", "approved", timeout=20000)
        expect(phone.get_by_test_id("discount-reason")).to_have_count(0)
        present_sign_and_order(phone)
        order = phone.get_by_test_id("order").get_by_test_id("receipt")
        expect(order.get_by_test_id("erp-number")).to_have_text(re.compile(r"SAL-ORD-"),
                                                                 timeout=40000)
        screenshot(phone, "phone-order-in-erpnext")

    db = engineer_db_name(stack.services.settings.db_prefix, "asha")
    [order_id] = [r["id"] for r in stack.services.store.all_docs(db)
                  if r["id"].startswith("order:")]
    assert stack.erp.count(idempotency_key(order_id)) == 1
    got = stack.erp.received(idempotency_key(order_id))
    # 2 x 185000.00 less 40 % = 222000.00; CGST and SGST 9 % each = 19980.00
    [item] = got["items"]
    assert (item["item_code"], item["qty"], item["price_list_rate"], item["discount_percentage"],
            item["rate"], item["amount"], item["gst_hsn_code"]) == (
        "P-100", "2", "185000.00", "40", "111000.00", "222000.00", "8414")
    assert [(t["account_head"], t["rate"], t["tax_amount"]) for t in got["taxes"]] == [
        ("Output Tax CGST - FS", 9.0, "19980.00"), ("Output Tax SGST - FS", 9.0, "19980.00")]
    assert (got["net_total"], got["total_taxes_and_charges"], got["grand_total"]) == (
        "222000.00", "39960.00", "261960.00")
    assert got["customer"] == "C-1003"
