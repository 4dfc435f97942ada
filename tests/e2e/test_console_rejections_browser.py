"""The office reads a refused document as the engineer does: the field's label and the
catalogue's text, with the technical reason as a detail line; on a 360 px phone and at desktop
width (Debian's Chromium; the API test covers the rest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from server.accounts.service import create_user
from server.bootstrap import Services
from tests.factories import make_offer
from tests.support.api import phone_writes, seed
from tests.support.browser import (
    DESKTOP,
    PASSWORD,
    PHONE,
    SQLITE_ONLY,
    build_web_app,
    chromium,
    console_page,
    screenshot,
)
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.timeout(150), SQLITE_ONLY]


@pytest.fixture
def server(services: Services) -> Iterator[LiveServer]:
    """asha's offer with a line of quantity 0, refused by the worker; hema's team's head."""
    build_web_app()
    seed(services)
    create_user(services.sessions, services.store, services.settings, "priya", PASSWORD, "head",
                team="south")
    offer = make_offer("asha")
    offer["lines"][0]["quantity"] = 0
    phone_writes(services, "asha", offer)
    with LiveServer(services) as live:
        yield live


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "desktop"])
def test_the_office_reads_the_peoples_text_of_a_refusal(
        browser: Browser, server: LiveServer, viewport: ViewportSize) -> None:
    context, page = console_page(browser, viewport, server.url, "priya", "head", "rejections")
    table = page.get_by_role("table", name="rejected documents")
    problem = table.get_by_test_id("problem")
    expect(problem).to_have_count(1)
    expect(problem).to_have_text("Lines, product 1: Quantity must be more than 0")
    expect(problem.locator("strong")).to_have_text("Lines, product 1:")
    detail = table.get_by_test_id("technical-reason")
    expect(detail).to_be_visible()
    expect(detail).to_contain_text("Technical reason: ")
    expect(detail).to_contain_text("quantity")
    expect(table.locator("th")).not_to_contain_text(["Reason"])
    table.get_by_role("button", name="Show document").click()
    expect(table.locator(".fs-json")).to_contain_text('"quantity": 0')
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"console-rejections-{viewport['width']}")
    context.close()
