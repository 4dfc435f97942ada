"""The field app's steps from a saved offer to an order, as the engineer takes them in Chromium:
present the offer to the customer, capture the customer's signature, convert to an order."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.browser import screenshot


def present_offer(page: Page) -> None:
    """Show the open offer full screen to the customer, then close it."""
    page.click("button:has-text('Present')")
    expect(page.get_by_test_id("offer-present")).to_be_visible()
    screenshot(page, "phone-offer-present")
    page.click("text=Close")


def draw_signature(page: Page) -> None:
    """A finger's stroke across the signature pad."""
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 60 + (step % 3) * 15)
    page.mouse.up()


def sign_offer(page: Page, signed_by: str = "K. Ramesh") -> None:
    """The customer signs the open offer: it reads as approved."""
    page.click("text=Capture approval")
    page.fill("input[name=signed_by]", signed_by)
    draw_signature(page)
    page.click("text=Save approval")
    expect(page.get_by_test_id("offer-status")).to_have_text("approved")


def convert_to_order(page: Page, po_number: str = "", delivery_date: str = "") -> None:
    """Convert the signed offer, with the customer's PO number and delivery date when given."""
    form = page.get_by_test_id("convert-form")
    if po_number:
        form.locator("input[name=po_number]").fill(po_number)
    if delivery_date:
        form.locator("input[name=delivery_date]").fill(delivery_date)
    if po_number or delivery_date:
        screenshot(page, "phone-convert-asks-po")
    form.get_by_role("button", name="Convert to order").click()
    expect(page.get_by_test_id("order")).to_be_visible()


def present_sign_and_order(page: Page, po_number: str = "", delivery_date: str = "") -> None:
    """The open offer presented, signed and converted: the order shows on the offer."""
    present_offer(page)
    sign_offer(page)
    convert_to_order(page, po_number, delivery_date)
