"""The Android app's own screens, exported for the web (react-native-web), in Chromium against
a real FieldSync: signed in online, an offer built and signed and an order made offline, and
the receipts with the ERP number once the network is back."""

from __future__ import annotations

import mimetypes
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from server.bootstrap import Services
from sync.provisioning import engineer_db_name
from tests.support.browser import (
    PASSWORD,
    PHONE,
    SQLITE_ONLY,
    Stack,
    chromium,
    new_context,
    running_stack,
    screenshot,
)

MOBILE = Path(__file__).resolve().parents[2] / "mobile"
pytestmark = [pytest.mark.timeout(900), SQLITE_ONLY]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    npx = shutil.which("npx")
    assert npx and (MOBILE / "node_modules").is_dir(), "run `make setup` (npm ci in mobile/)"
    out = tmp_path_factory.mktemp("mobile-web")
    done = subprocess.run([npx, "expo", "export", "--platform", "web", "--output-dir", str(out)],
                          cwd=MOBILE, capture_output=True, text=True, timeout=800,
                          env={**os.environ, "CI": "1", "EXPO_NO_TELEMETRY": "1"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


@pytest.fixture
def stack(services: Services) -> Iterator[Stack]:
    with running_stack(services) as running:
        yield running


def serve_export(page: Page, stack: Stack, root: Path) -> None:
    """The exported files answered at the server's own origin, so the app calls its API there."""
    def answer(route: Route) -> None:
        path = route.request.url.split(stack.url, 1)[1].split("?", 1)[0]
        file = root / path.lstrip("/")
        if path.startswith("/app") or not file.is_file():
            file = root / "index.html"
        route.fulfill(path=str(file), content_type=mimetypes.guess_type(file.name)[0]
                      or "application/octet-stream")
    for pattern in ("/app**", "/_expo/**", "/assets/**"):
        page.route(stack.url + pattern, answer)


def sign_signature(page: Page) -> None:
    box = page.get_by_test_id("signature-pad").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 100)
    page.mouse.down()
    for x, y in ((60, 40), (110, 120), (170, 50), (220, 110)):
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    page.mouse.up()


def test_offline_offer_signed_and_ordered_in_the_apps_own_screens(exported: Path,
                                                                   stack: Stack) -> None:
    with chromium() as browser:
        context = new_context(browser, PHONE, is_mobile=True, has_touch=False)
        page = context.new_page()
        serve_export(page, stack, exported)
        page.goto(stack.url + "/app")
        page.get_by_label("Server").fill(stack.url)
        page.get_by_label("User name").fill("asha")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_test_id("last-sync")).not_to_have_text("Synced never", timeout=30000)

        context.set_offline(True)
        page.get_by_role("button", name="New offer").click()
        page.get_by_label("Search customer").fill("kaveri")
        page.get_by_role("button", name="Kaveri Agro Processors · Mysuru").click()
        page.get_by_label("Search product").fill("compressor 7.5")
        page.get_by_role("button", name="Industrial air compressor 7.5 HP · GST 18%").click()
        page.get_by_label("Qty").fill("2")
        expect(page.get_by_test_id("grand-total")).to_have_text("₹4,36,600.00")
        screenshot(page, "android-app-offer-editor")
        page.get_by_role("button", name="Save offer").click()
        page.get_by_role("button", name="Capture approval").click()
        page.get_by_label("Customer's name").fill("K. Ramesh")
        sign_signature(page)
        page.get_by_role("button", name="Save approval").click()
        expect(page.get_by_text("Approved by K. Ramesh")).to_be_visible()
        page.get_by_role("button", name="Convert to order").click()
        expect(page.get_by_test_id("order")).to_be_visible()
        db = engineer_db_name(stack.services.settings.db_prefix, "asha")
        assert not [r for r in stack.services.store.all_docs(db) if r["id"].startswith("order:")]

        context.set_offline(False)
        expect(page.get_by_test_id("order").get_by_test_id("erp-number")).to_be_visible(
            timeout=60000)
        screenshot(page, "android-app-order-in-erp")
        context.close()
