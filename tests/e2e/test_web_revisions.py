"""The field app at 360 px in Chromium: a signed offer revised with "Make a revision", and an
order's cancellation asked for on the phone and declined by the head with a note."""

from __future__ import annotations

import requests
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_web_field import (  # noqa: F401  (fixtures)
    create_offer_offline,
    phone,
    sign_in_and_cache,
    stack,
)
from tests.support.browser import PASSWORD, PHONE, SQLITE_ONLY, Stack, screenshot
from tests.support.offer_steps import present_offer, present_sign_and_order, sign_offer

pytestmark = [SQLITE_ONLY]


def head_token(stack: Stack) -> str:  # noqa: F811
    r = requests.post(f"{stack.url}/api/v1/auth/login", timeout=10,
                      json={"username": "priya", "password": PASSWORD})
    r.raise_for_status()
    return str(r.json()["access_token"])


def test_make_a_revision_of_a_signed_offer(
        stack: Stack, phone: tuple[BrowserContext, Page]) -> None:  # noqa: F811
    _, page = phone
    sign_in_and_cache(page, stack)
    create_offer_offline(page)
    present_offer(page)
    sign_offer(page)
    signed_url = page.url
    page.click("text=Make a revision")
    page.fill("input[name=quantity]", "3")
    page.click("text=Save offer")
    expect(page.get_by_test_id("offer-revision")).to_have_text("revision 1")
    expect(page.get_by_test_id("offer-detail").get_by_test_id("receipt").first
           ).to_have_attribute("data-state", "accepted", timeout=30000)
    revision_id = page.url.rsplit("/", 1)[-1]
    screenshot(page, "phone-offer-revision")

    page.goto(signed_url)
    expect(page.get_by_test_id("offer-status")).to_have_text("superseded")
    expect(page.get_by_test_id("superseded")).to_contain_text("revision 1")
    expect(page.locator("text=Make a revision")).to_have_count(0)
    expect(page.locator("text=Capture approval")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-offer-superseded")

    head = {"Authorization": f"Bearer {head_token(stack)}"}
    old_id = signed_url.rsplit("/", 1)[-1]
    old = requests.get(f"{stack.url}/api/v1/offers/{old_id}", headers=head, timeout=10).json()
    assert (old["display_status"], old["superseded_by"]) == ("superseded", revision_id)
    assert old["approval"]["signed_by"] == "K. Ramesh"
    assert old["approval"]["verification"] == "intact"


def test_ask_to_cancel_an_order_and_see_the_heads_answer(
        stack: Stack, phone: tuple[BrowserContext, Page]) -> None:  # noqa: F811
    _, page = phone
    sign_in_and_cache(page, stack)
    create_offer_offline(page)
    present_sign_and_order(page)
    order = page.get_by_test_id("order")
    expect(order.get_by_test_id("receipt")).to_have_attribute("data-state", "accepted",
                                                              timeout=30000)
    order.locator("text=Ask to cancel").click()
    expect(order.locator("button:has-text('Send the request')")).to_be_disabled()
    order.locator("input[name=reason]").fill("Customer postponed the project")
    order.locator("text=Send the request").click()
    expect(order.get_by_test_id("cancellation-state")).to_have_text("Cancellation requested")

    head = {"Authorization": f"Bearer {head_token(stack)}"}
    waiting: list[dict[str, object]] = []
    for _ in range(60):
        waiting = requests.get(f"{stack.url}/api/v1/orders?cancellation=requested",
                               headers=head, timeout=10).json()["items"]
        if waiting:
            break
        page.wait_for_timeout(500)
    (row,) = waiting
    r = requests.post(f"{stack.url}/api/v1/orders/{row['doc_id']}/cancellation/decision",
                      headers=head, timeout=10,
                      json={"outcome": "declined", "note": "Goods already dispatched"})
    assert r.status_code == 201, r.text
    expect(order.get_by_test_id("cancellation-state")).to_have_text(
        "Cancellation declined (Goods already dispatched)", timeout=30000)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-order-cancellation-declined")
