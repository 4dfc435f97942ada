"""The console's Orders page in Chromium: a head cancels an order an engineer asked to cancel,
and sees each signed offer's approval with its verification, superseded offers as such."""

from __future__ import annotations

import base64
from typing import Any

from playwright import sync_api

from server.bootstrap import Services
from tests.e2e.test_console_browser import (  # noqa: F401  (fixtures)
    ConsoleServer,
    browser,
    dist,
    open_console,
    pytestmark,
    server,
    shot,
)
from tests.factories import make_approval, make_cancellation, make_offer, make_order, make_revision
from tests.support.api import phone_writes

SIGNATURE = base64.b64encode(b"\x89PNG\r\n\x1a\nsigned by R. Kumar").decode()


def test_a_head_cancels_an_order_and_reads_the_offers_approval(
        browser: Any, server: ConsoleServer, services: Services) -> None:  # noqa: F811
    offer = make_offer("asha", "C-1", [("P-100", 2, "50000.00", "0", "18")], status="approved")
    approval = make_approval(offer, _attachments={
        "signature.png": {"content_type": "image/png", "data": SIGNATURE}})
    order = make_order(offer, approval)
    revised = make_offer("asha", "C-1", [("P-100", 1, "50000.00", "0", "18")], status="approved")
    revision = make_revision(revised)
    phone_writes(services, "asha", offer, approval, order, revised, revision,
                 make_cancellation(order, reason="Customer postponed the project"))

    page = open_console(browser, server, "hema", "#/console/orders")
    requests = page.get_by_role("table", name="order cancellations")
    row = requests.locator("tr", has_text=order["_id"])
    sync_api.expect(row).to_contain_text("Customer postponed the project")
    sync_api.expect(row.get_by_test_id("cancellation-state")).to_have_text(
        "cancellation requested")
    signed = page.get_by_role("table", name="signed offers")
    sync_api.expect(signed.locator("tr", has_text=offer["_id"]).get_by_test_id(
        "verification")).to_have_text("intact")
    sync_api.expect(signed.locator("tr", has_text=offer["_id"])).to_contain_text("R. Kumar")
    sync_api.expect(signed.get_by_test_id("offer-state").filter(has_text="superseded")
                    ).to_have_count(1)
    with page.expect_download() as download:
        signed.locator("tr", has_text=offer["_id"]).get_by_role(
            "button", name="Signature").click()
    assert download.value.suggested_filename == "signature.png"

    row.get_by_role("button", name=f"approve cancelling {order['_id']}").click()
    sync_api.expect(page.get_by_role("status")).to_contain_text("Order cancelled")
    page.get_by_label("cancellation status").select_option("cancelled")
    done = requests.locator("tr", has_text=order["_id"])
    sync_api.expect(done.get_by_test_id("cancellation-state")).to_have_text("cancelled")
    sync_api.expect(done).to_contain_text("hema")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    shot(page, "orders-cancellations-desktop")
