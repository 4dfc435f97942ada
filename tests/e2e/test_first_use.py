"""First use on slow 3G, as an engineer meets it: a fresh phone opens the app, signs in and
waits for the first sync. The goals are 5 s to the sign-in form and 20 s to the engineer's own
offers; asserted with room for a loaded test machine (the figures themselves are in
`make bench` as `first_screen_slow3g_s` and `first_sync_slow3g_s`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.bootstrap import Services
from tests.support.browser import SQLITE_ONLY, Stack, build_web_app, chromium, running_stack
from tests.support.first_use import measure, seed_territory

pytestmark = [pytest.mark.timeout(420), SQLITE_ONLY]


@pytest.fixture
def stack(services: Services) -> Iterator[Stack]:
    build_web_app()
    with running_stack(services) as running:
        yield running


def test_first_use_on_slow_3g_shows_the_sign_in_form_and_own_offers_soon(
        stack: Stack) -> None:
    customers = seed_territory(stack.services, "asha")
    with chromium() as browser:
        first = measure(browser, stack.url, "asha", customers)
    print(f"first use on slow 3G: {first}")
    assert first.screen_s < 10, first
    assert first.usable_s < 40, first
    assert first.synced_s < 90, first
