"""The admin filters the Audit page, checks the chain and exports it, on a 360 px phone and at
desktop width (Debian's Chromium; the API tests cover PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, ViewportSize, expect

from server.accounts.service import create_user
from server.bootstrap import Services
from server.sales.catalog import CatalogService
from sync.publish import MasterDataPublisher
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
    """Customers saved by the system, then changed by the admin and a second admin."""
    build_web_app()
    catalog = CatalogService(services.sessions, MasterDataPublisher(
        services.store, services.sessions, services.settings.db_prefix))
    catalog.save_territory("KA", "Karnataka")
    catalog.save_customers([{"customer_id": f"C-{n}", "name": f"Customer {n}",
                             "state_code": "29", "territory_code": "KA"} for n in range(1, 4)])
    for name in ("adam", "zoya"):
        create_user(services.sessions, services.store, services.settings, name, PASSWORD,
                    "admin")
    with LiveServer(services) as live:
        for name, customer, city in (("adam", "C-2", "Mandya"), ("zoya", "C-3", "Hassan")):
            token = requests.post(live.url + "/api/v1/auth/login", timeout=10, json={
                "username": name, "password": PASSWORD}).json()["access_token"]
            requests.patch(f"{live.url}/api/v1/customers/{customer}", json={"city": city},
                           headers={"Authorization": f"Bearer {token}"},
                           timeout=10).raise_for_status()
        yield live


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "desktop"])
def test_the_admin_filters_verifies_and_exports_the_trail(
        browser: Browser, server: LiveServer, viewport: ViewportSize) -> None:
    context, page = console_page(browser, viewport, server.url, "adam", "admin", "audit",
                                 accept_downloads=True)
    table = page.get_by_role("table", name="audit trail")
    expect(table).to_contain_text("customer.update")
    expect(table).to_contain_text("user.create")

    page.fill("input[name=actor]", "zoya")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("customer C-3")
    expect(table).to_contain_text("Hassan")
    page.fill("input[name=actor]", "")
    page.select_option("select[name=entity_type]", "customer")
    page.fill("input[name=entity_id]", "C-2")
    expect(table.locator("tbody tr")).to_have_count(2)  # created, then changed by adam
    expect(table).to_contain_text("Mandya")
    page.fill("input[name=from]", "2020-01-01")
    page.fill("input[name=to]", "2020-01-31")
    expect(page.get_by_text("No recorded changes match.")).to_be_visible()
    page.fill("input[name=from]", "")
    page.fill("input[name=to]", "")
    expect(table.locator("tbody tr")).to_have_count(2)

    page.get_by_role("button", name="Verify chain").click()
    expect(page.get_by_role("status")).to_contain_text("Chain intact:")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    path = download.value.path()
    assert download.value.suggested_filename == "audit.csv"
    text = path.read_text(encoding="utf-8-sig")
    assert text.count("customer.update") == 1 and "C-2" in text and "C-3" not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"console-audit-{viewport['width']}")
    context.close()
