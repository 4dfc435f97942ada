"""The head's screens in business terms, as a head and an engineer use them: approvals with the
customer, lines, prices and the receipt photo; the decision and its note on the phone; filters
by name; the Orders tab with the customer's PO and delivery date; the order in the console."""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Locator, Page, expect

from server.bootstrap import Services
from server.sql.models.master import Customer
from server.sql.models.sales import TravelRate
from server.sql.session import transaction
from sync.publish import MasterDataPublisher
from tests.support.browser import (
    ARTIFACTS,
    DESKTOP,
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
INDIA = "Asia/Kolkata"  # where the head and the engineer are: the reports' days are India's


def png(width: int = 8, height: int = 6) -> bytes:
    """A small real PNG (a grey receipt), so the browser can show it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@pytest.fixture
def stack(services: Services) -> Iterator[Stack]:
    build_web_app()
    with running_stack(services) as running:
        with transaction(services.sessions) as s:
            s.add(TravelRate(mode="bike", rate_per_km=Decimal("4.50")))
        yield running


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = new_context(browser, PHONE, is_mobile=True, has_touch=True,
                                          timezone_id=INDIA)
    yield context.new_page()
    context.close()


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = new_context(browser, DESKTOP, timezone_id=INDIA)
    yield context.new_page()
    context.close()


def head_console(page: Page, stack: Stack, page_hash: str) -> None:
    sign_in(page, stack.url + "/", "priya")
    # the shell sends a head to #/console once signed in; go on from there
    page.wait_for_function("() => location.hash.startsWith('#/console')")
    page.evaluate("h => { window.location.hash = h }", page_hash)
    page.wait_for_function("h => location.hash === h", arg=page_hash)


def engineer_signed_in(page: Page, stack: Stack) -> None:
    sign_in(page, stack.url + "/" + TUNING, "asha")
    expect(page.get_by_test_id("sync-header")).to_be_visible()
    page.goto(stack.url + "/" + TUNING + "#/offers/new")
    page.wait_for_function("() => ['customer', 'product'].every(name => document.querySelectorAll("
                           "`select[name=${name}] option`).length > 5)", timeout=15000)


def new_offer(page: Page, stack: Stack, discount: str) -> None:
    page.goto(stack.url + "/" + TUNING + "#/offers/new")
    page.fill("input[type=search]", "kaveri")
    page.select_option("select[name=customer]", "C-1003")
    page.select_option("select[name=product]", "P-100")
    expect(page.locator("input[name=unit_price]")).to_have_value("185000.00")
    page.fill("input[name=quantity]", "2")
    page.fill("input[name=discount_pct]", discount)
    page.click("text=Save offer")
    expect(page.get_by_test_id("offer-detail").get_by_test_id("receipt").first
           ).to_have_attribute("data-state", "accepted", timeout=30000)


def new_expense(page: Page, stack: Stack) -> None:
    page.goto(stack.url + "/" + TUNING + "#/expenses/new")
    page.fill("input[name=from_place]", "Mysuru")
    page.fill("input[name=to_place]", "Mandya")
    page.fill("input[name=km]", "45")
    page.fill("input[name=amount]", "210")
    page.fill("input[name=purpose]", "Visit Kaveri Agro")
    page.set_input_files("input[name=photo]", files=[
        FilePayload(name="receipt.png", mimeType="image/png", buffer=png())])
    page.click("text=Save expense")
    expect(page.get_by_test_id("expense-card").get_by_test_id("receipt")).to_have_attribute(
        "data-state", "accepted", timeout=30000)


def test_head_decides_in_business_terms_and_the_phone_shows_it(
        stack: Stack, phone: Page, desk: Page) -> None:
    engineer_signed_in(phone, stack)
    new_offer(phone, stack, "12")  # above asha's 5 %: waits for priya
    offer_url = phone.url
    new_expense(phone, stack)

    head_console(desk, stack, "#/console/approvals")
    case = desk.get_by_test_id("offer-case")
    expect(case.get_by_test_id("case-customer")).to_have_text("Kaveri Agro Processors · Mysuru",
                                                              timeout=20000)
    lines = case.get_by_role("table")
    expect(lines).to_contain_text("Industrial air compressor 7.5 HP")
    expect(lines.locator("thead")).to_contain_text("List price")
    row = lines.locator("tbody tr").first
    expect(row).to_contain_text("₹1,85,000.00")  # list price and price
    expect(row).to_contain_text("12%")
    expect(case).not_to_contain_text("offer:")  # no raw document ids
    expenses = desk.get_by_role("table", name="expenses")
    expect(expenses).to_contain_text("₹202.50")  # the allowance: 45 km x ₹4.50
    photo = desk.get_by_test_id("receipt-photo")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 8
    screenshot(desk, "head-approvals-desktop")

    note = "Keep it at 8%, the price list already has the project rate"
    desk.get_by_label("note for offer for Kaveri Agro Processors").fill(note)
    desk.get_by_label("decline offer for Kaveri Agro Processors").click()
    expect(desk.get_by_role("status")).to_contain_text("Discount declined")
    screenshot(desk, "head-approvals-after-decline")
    expenses.get_by_role("button", name=re.compile("^approve expense of asha")).click()
    expect(desk.get_by_role("status")).to_contain_text("Expense approved")
    desk.get_by_label("expense status").select_option("to_reimburse")
    desk.get_by_role("button", name=re.compile("^Mark reimbursed: expense of asha")).click()
    expect(desk.get_by_role("status")).to_contain_text("marked reimbursed")

    phone.goto(offer_url)
    expect(phone.get_by_test_id("discount-state")).to_have_attribute(
        "data-state", "declined", timeout=30000)
    expect(phone.get_by_test_id("decision-note")).to_have_text(
        f"Note from your sales head: {note}")
    screenshot(phone, "phone-offer-declined-with-note")
    phone.goto(stack.url + "/" + TUNING + "#/expenses")
    decision = phone.get_by_test_id("expense-card").get_by_test_id("expense-decision")
    expect(decision).to_have_text("Reimbursed", timeout=30000)
    screenshot(phone, "phone-expense-reimbursed")

    # the console's filters pick engineers and teams by name
    desk.evaluate("() => { window.location.hash = '#/console/reports?name=visits' }")
    engineer = desk.locator("select[name=engineer]")
    expect(engineer.locator("option", has_text="asha")).to_have_count(1)
    engineer.select_option(label="asha")
    desk.locator("select[name=team]").select_option(label="South")
    expect(desk.get_by_role("alert")).to_have_count(0)
    expect(desk.get_by_role("table", name="visits").or_(desk.get_by_text("Nothing in this period."))
           ).to_be_visible()
    screenshot(desk, "head-report-filters-by-name")


def test_orders_tab_with_po_and_delivery_date_and_the_order_in_the_console(
        stack: Stack, phone: Page, desk: Page) -> None:
    engineer_signed_in(phone, stack)
    new_offer(phone, stack, "5")
    present_sign_and_order(phone, po_number="KAP/PO/2026/118", delivery_date="2026-12-20")
    expect(phone.get_by_test_id("order").get_by_test_id("order-po")).to_have_text(
        "PO KAP/PO/2026/118 · delivery 2026-12-20")

    phone.get_by_role("link", name="Orders").click()
    card = phone.get_by_test_id("order-card")
    expect(card).to_contain_text("Kaveri Agro Processors")
    expect(card.get_by_test_id("order-po")).to_have_text(
        "PO KAP/PO/2026/118 · delivery 2026-12-20")
    expect(card.get_by_test_id("receipt")).not_to_have_attribute("data-state", "pending",
                                                                 timeout=30000)
    screenshot(phone, "phone-orders-tab")

    head_console(desk, stack, "#/console/orders")
    desk.get_by_role("table", name="orders").get_by_role("link").first.click()
    facts = desk.get_by_test_id("order-facts")
    expect(facts).to_contain_text("Kaveri Agro Processors, Mysuru")
    expect(facts).to_contain_text("KAP/PO/2026/118")
    expect(facts).to_contain_text("2026-12-20")
    expect(desk.get_by_role("table", name="order lines")).to_contain_text(
        "Industrial air compressor 7.5 HP")
    screenshot(desk, "head-order-detail")


# Small things that hurt at 360 px, each measured -------------------------------------------

def more_customers(services: Services, count: int) -> str:
    """`count` more customers in asha's territory, published to phones; the last one's name."""
    with transaction(services.sessions) as s:
        s.add_all(Customer(customer_id=f"C-9{i:03d}", name=f"Hobli Traders {i:03d}",
                           state_code="29", city="Tumakuru", territory_code="BLR")
                  for i in range(1, count + 1))
    MasterDataPublisher(services.store, services.sessions,
                        services.settings.db_prefix).publish_all()
    return f"Hobli Traders {count:03d}"


def box(page: Page, locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not laid out"
    return found


def on_screen(page: Page, locator: Locator) -> bool:
    b = box(page, locator)
    return b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] + 0.5 and b["width"] > 0


def test_at_360_px_tabs_buttons_header_present_view_and_customer_search(
        stack: Stack, phone: Page) -> None:
    sixtieth = more_customers(stack.services, 60)
    engineer_signed_in(phone, stack)
    page = phone
    page.wait_for_function("() => document.querySelectorAll('select[name=customer] option')"
                           ".length > 50", timeout=20000)

    # every tab, To-dos and Orders included, is on screen
    tabs = page.locator("nav.tabs a")
    assert tabs.count() == 6
    for i in range(6):
        assert on_screen(page, tabs.nth(i)), tabs.nth(i).inner_text()
    # Sync now and Sign out are touch targets of at least 44 px
    figures: dict[str, float] = {}
    for name in ("Sync now", "Sign out"):
        b = box(page, page.get_by_test_id("sync-header").get_by_role("button", name=name))
        figures[f"{name} height px"] = b["height"]
        assert b["height"] >= 44 and b["width"] >= 44, (name, b)
    screenshot(page, "phone-360-tabs-and-header")

    # the customer picker: 50 show, the 60th is a search away, in offers and in visits
    assert page.locator("select[name=customer] option", has_text=sixtieth).count() == 0
    expect(page.get_by_test_id("picker-more")).to_contain_text("50 of")
    page.fill("input[type=search]", sixtieth)
    page.select_option("select[name=customer]", label=f"{sixtieth} · Tumakuru")
    page.goto(stack.url + "/" + TUNING + "#/visits")
    page.get_by_label("Search customers").fill("hobli traders 060")
    page.select_option("select[name=customer]", label=f"{sixtieth} · Tumakuru")
    screenshot(page, "phone-360-visit-customer-search")

    # the Present view keeps the discount and GST the customer signs for
    new_offer(page, stack, "5")
    page.click("button:has-text('Present')")
    present = page.get_by_test_id("offer-present")
    expect(present).to_be_visible()
    for test_id in ("line-discount", "line-gst"):
        cell = present.get_by_test_id(test_id).first
        expect(cell).to_be_visible()
        assert on_screen(page, cell), test_id
    expect(present.get_by_test_id("line-discount").first).to_contain_text("5%")
    expect(present.get_by_test_id("line-gst").first).to_contain_text("18%")
    screenshot(page, "phone-360-present")
    page.click("text=Close")

    # at 200 % text the header keeps below a quarter of the screen
    page.evaluate("() => { document.documentElement.style.fontSize = '200%' }")
    header = box(page, page.get_by_test_id("sync-header"))
    figures["header at 200 % text, share of the screen"] = round(
        header["height"] / PHONE["height"], 3)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "phone-360-figures.json").write_text(json.dumps(figures, indent=1))
    screenshot(page, "phone-360-large-text")
    assert header["height"] < 0.25 * PHONE["height"], header
    for i in range(6):
        assert on_screen(page, tabs.nth(i)), tabs.nth(i).inner_text()
