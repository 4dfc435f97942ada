"""An engineer's first use of the field app on a slow network: a fresh browser opens the app,
signs in, and waits for the first sync. Shared by the browser test and `make bench`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.bootstrap import Services
from server.sql.models.master import Customer, PriceListItem, Product
from server.sql.session import transaction
from sync.provisioning import engineer_db_name
from sync.publish import MasterDataPublisher
from tests.factories import make_offer
from tests.support.browser import PASSWORD, PHONE, TUNING, new_context


@dataclass(frozen=True)
class NetworkProfile:
    latency_ms: int
    down_bytes_per_s: int
    up_bytes_per_s: int


# Chrome DevTools' "Slow 3G" preset: 2 s round trips, 400 kbit/s each way.
SLOW_3G = NetworkProfile(latency_ms=2000, down_bytes_per_s=50_000, up_bytes_per_s=50_000)
# A territory as a real engineer holds it: a few thousand customers, a catalogue of hundreds.
EXTRA_CUSTOMERS = 3_000
EXTRA_PRODUCTS = 400
OWN_OFFERS = 12
TERRITORY = "BLR"


@dataclass(frozen=True)
class FirstUse:
    screen_s: float  # opening the app until the sign-in form can be used
    usable_s: float  # signing in until the engineer's own offers are listed
    synced_s: float  # signing in until every customer and product is on the phone


def throttle(context: BrowserContext, page: Page, profile: NetworkProfile) -> None:
    """Every request of the page goes through Chromium's network emulation."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": profile.latency_ms,
        "downloadThroughput": profile.down_bytes_per_s,
        "uploadThroughput": profile.up_bytes_per_s})


def seed_territory(services: Services, username: str) -> int:
    """More customers and products for the engineer's territory, published to the phones, and
    offers the engineer made on another device; returns how many customers the phone gets."""
    with transaction(services.sessions) as session:
        session.add_all(Customer(customer_id=f"C-9{i:04d}", name=f"Customer {i:04d} Pvt Ltd",
                                 gstin=None, state_code="29", city="Bengaluru",
                                 pincode="560001", lat=12.97, lon=77.59,
                                 territory_code=TERRITORY, address=f"{i} MG Road, Bengaluru")
                        for i in range(EXTRA_CUSTOMERS))
        session.add_all(Product(product_id=f"P-9{i:04d}", name=f"Spare part {i:04d}",
                                hsn_code="8414", gst_rate=Decimal("18"), unit="nos")
                        for i in range(EXTRA_PRODUCTS))
        session.flush()
        session.add_all(PriceListItem(price_list_id="PL-2026", product_id=f"P-9{i:04d}",
                                      unit_price=Decimal("1000.00") + i)
                        for i in range(EXTRA_PRODUCTS))
    MasterDataPublisher(services.store, services.sessions,
                        services.settings.db_prefix).publish_all()
    own = engineer_db_name(services.settings.db_prefix, username)
    services.store.bulk_docs(own, [make_offer(username, "C-1003", [("P-100", 1, "185000.00", "0",
                                                                    "18")], status="draft")
                                   for _ in range(OWN_OFFERS)])
    with transaction(services.sessions) as session:
        return int(session.query(Customer).filter_by(territory_code=TERRITORY).count())


def measure(browser: Browser, url: str, username: str, customers: int,
            profile: NetworkProfile = SLOW_3G) -> FirstUse:
    context = new_context(browser, PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        throttle(context, page, profile)
        started = time.monotonic()
        page.goto(url + "/" + TUNING, wait_until="commit")
        expect(page.locator("input[name=username]")).to_be_editable(timeout=120_000)
        screen = time.monotonic() - started
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        signed = time.monotonic()
        page.click("button[type=submit]")
        expect(page.get_by_test_id("offer-card")).to_have_count(OWN_OFFERS, timeout=300_000)
        usable = time.monotonic() - signed
        progress = page.get_by_test_id("first-sync")
        expect(progress).to_have_attribute("data-customers", str(customers), timeout=300_000)
        synced = time.monotonic() - signed
        return FirstUse(screen, usable, synced)
    finally:
        context.close()
