"""First use of the field app on slow 3G (Chrome's preset: 2 s round trips, 400 kbit/s): a
fresh phone opens the app, signs in and pulls a territory of 3,000 customers. Goals: the
sign-in form within 5 s, the engineer's own offers within 20 s."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.gateway import _settings
from server.bootstrap import bootstrap
from server.sql.migrate import upgrade
from sync.embedded import EmbeddedStore
from tests.support.browser import build_web_app, chromium, running_stack
from tests.support.first_use import measure, seed_territory


def run() -> dict[str, float]:
    build_web_app()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedStore(Path(tmp) / "store",
                                                             in_memory=True) as store:
        services = bootstrap(_settings(Path(tmp), store.endpoint))
        upgrade(services.engine)
        try:
            with running_stack(services) as stack, chromium() as browser:
                customers = seed_territory(services, "asha")
                first = measure(browser, stack.url, "asha", customers)
        finally:
            services.close()
    return {"first_screen_slow3g_s": first.screen_s, "first_sync_slow3g_s": first.usable_s,
            "first_sync_all_customers_slow3g_s": first.synced_s}
