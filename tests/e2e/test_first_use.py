"""First use on slow 3G, as an engineer meets it: a fresh phone opens the app, signs in and
waits for the first sync. Here it must get there: the sign-in form, the engineer's own offers,
then every customer of the territory. How soon (goals: 5 s to the form, 20 s to the offers) is
measured by `make bench` as `first_screen_slow3g_s` and `first_sync_slow3g_s`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Route, expect

from server.bootstrap import Services
from tests.support.browser import (
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
)
from tests.support.first_use import measure, seed_territory

pytestmark = [pytest.mark.timeout(420), SQLITE_ONLY]


@pytest.fixture
def stack(services: Services) -> Iterator[Stack]:
    build_web_app()
    with running_stack(services) as running:
        yield running


def test_first_use_on_slow_3g_reaches_the_sign_in_form_own_offers_and_every_customer(
        stack: Stack) -> None:
    customers = seed_territory(stack.services, "asha")
    assert customers > 1000  # a territory that needs several pages of the customer pull
    with chromium() as browser:
        # Waits for each screen in turn; each wait has a deadline, so a first use that never
        # gets there fails instead of hanging.
        first = measure(browser, stack.url, "asha", customers)
    print(f"first use on slow 3G: {first}")


def test_sign_in_pressed_before_the_scripts_arrive_goes_through(stack: Stack) -> None:
    """On 2G the page's own form is there seconds before the app: what the engineer typed and
    pressed is carried over, and the password never lands in the address bar."""
    with chromium() as browser:
        context = new_context(browser, PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        held: list[Route] = []
        page.route(re.compile(r".*/assets/index-[^/]*\.js$"), lambda route: held.append(route))
        page.goto(stack.url + "/" + TUNING, wait_until="commit")
        page.fill("input[name=username]", "asha")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#boot-form button")).to_have_text("Signing in…")
        for _ in range(100):
            if held:
                break
            page.wait_for_timeout(100)
        assert held, "the app's script was never asked for"
        assert PASSWORD not in page.url
        for route in held:
            route.continue_()
        expect(page.get_by_test_id("sync-header")).to_be_visible(timeout=30_000)
        screenshot(page, "phone-signed-in-from-the-page-form")
        context.close()
