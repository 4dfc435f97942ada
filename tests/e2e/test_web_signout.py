"""Signing out and signing in offline without losing work, and a pending count that is true
across a fresh sign-in and a reconnect: Chromium at 360 px, as an engineer does it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect

from server.accounts.service import create_user
from server.bootstrap import Services
from sync.provisioning import engineer_db_name
from sync.worker import Worker
from tests.support.browser import (
    PASSWORD,
    PHONE,
    SQLITE_ONLY,
    Stack,
    build_web_app,
    chromium,
    new_context,
    running_stack,
    screenshot,
    seed_people,
)
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.timeout(240), SQLITE_ONLY]
# A short sync period; breadcrumbs at their usual few minutes, so only what the test enters counts.
FAST_SYNC = "/?sync_ms=1500"
# Every value the header's two counts took, in order (installed before the app starts).
COUNT_RECORDER = """
window.__counts = [];
new MutationObserver(() => {
  const p = document.querySelector('[data-testid=pending-count]');
  if (!p) return;
  const c = document.querySelector('[data-testid=checking-count]');
  const now = [Number(p.dataset.count), c ? Number(c.dataset.count) : 0];
  const last = window.__counts[window.__counts.length - 1];
  if (!last || last[0] !== now[0] || last[1] !== now[1]) window.__counts.push(now);
}).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
"""


def server_todos(services: Services, username: str = "asha") -> list[str]:
    db = engineer_db_name(services.settings.db_prefix, username)
    return [r["id"] for r in services.store.all_docs(db) if r["id"].startswith("todo:")]


def sign_in_as(page: Page, username: str, password: str = PASSWORD) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def open_online(page: Page, url: str, username: str) -> None:
    """Signs in with a network and waits until the app would load without one."""
    page.goto(url + FAST_SYNC)
    sign_in_as(page, username)
    # The server's password hash and the phone's PBKDF2 both take their time on a busy machine.
    expect(page.get_by_test_id("sync-header")).to_be_visible(timeout=20000)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)


def add_todo(page: Page, title: str) -> None:
    page.fill("input[name=todo_title]", title)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_test_id("todo-card").filter(has_text=title)).to_be_visible()


def sign_out_header(page: Page) -> None:
    page.get_by_test_id("sync-header").get_by_role("button", name="Sign out").click()


@pytest.fixture
def stack(services: Services) -> Iterator[Stack]:
    build_web_app()
    with running_stack(services) as running:
        yield running


def test_sign_out_with_an_unsent_todo_warns_keeps_it_and_offline_sign_in_sends_it_later(
        stack: Stack) -> None:
    create_user(stack.services.sessions, stack.services.store, stack.services.settings, "ravi",
                PASSWORD, "engineer", team="South", territory="blr", discount_limit_pct="5")
    with chromium() as browser:
        context = new_context(browser, PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        open_online(page, stack.url, "asha")
        page.goto(stack.url + FAST_SYNC + "#/todos")
        context.set_offline(True)
        expect(page.get_by_test_id("sync-online")).to_have_text("Offline")
        add_todo(page, "Call Kaveri about the AMC")
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "1")

        sign_out_header(page)
        panel = page.get_by_test_id("signout-panel")
        expect(panel.get_by_test_id("signout-warning")).to_have_text(
            "1 not on the server yet: 1 to-do")
        expect(panel).to_contain_text("to-do: Call Kaveri about the AMC")
        expect(panel.get_by_role("button", name="Sync now")).to_be_visible()
        # No way to throw the unsent to-do away from here.
        expect(panel.get_by_text("remove my data")).to_have_count(0)
        screenshot(page, "phone-signout-warned")
        panel.get_by_role("button", name="Sign out, keep them on this phone").click()
        expect(page.locator("input[name=username]")).to_be_visible()

        # Still offline: a wrong password is refused on the phone, a stranger cannot sign in.
        sign_in_as(page, "asha", "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
        sign_in_as(page, "ravi")
        expect(page.get_by_role("alert")).to_contain_text("first sign-in needs a connection")
        screenshot(page, "phone-signin-offline-refused")

        # Another engineer on the same phone, online: asha's unsent to-do is not theirs to see.
        context.set_offline(False)
        sign_in_as(page, "ravi")
        expect(page.get_by_test_id("sync-header")).to_contain_text("ravi", timeout=20000)
        page.goto(stack.url + FAST_SYNC + "#/todos")
        expect(page.get_by_text("Nothing to do.")).to_be_visible()
        sign_out_header(page)
        expect(page.get_by_test_id("signout-clear")).to_be_visible()
        page.get_by_test_id("signout-panel").get_by_role("button", name="Sign out",
                                                         exact=True).click()
        assert server_todos(stack.services) == [] and server_todos(stack.services, "ravi") == []

        # asha, offline again: she signs in on the phone and finds her to-do waiting.
        context.set_offline(True)
        sign_in_as(page, "asha")
        expect(page.get_by_test_id("sync-header")).to_contain_text("asha (signed in offline)",
                                                                  timeout=20000)
        page.goto(stack.url + FAST_SYNC + "#/todos")
        card = page.get_by_test_id("todo-card").filter(has_text="Call Kaveri")
        expect(card).to_be_visible()
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "1")
        screenshot(page, "phone-signed-in-offline")
        assert server_todos(stack.services) == []

        # The network returns: the phone gets its tokens without asking, the to-do is accepted.
        context.set_offline(False)
        expect(card.get_by_test_id("receipt")).to_have_attribute("data-state", "accepted",
                                                                 timeout=30000)
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "0")
        expect(page.get_by_test_id("sync-header")).not_to_contain_text("signed in offline")
        expect(page.get_by_test_id("password-needed")).to_have_count(0)
        assert len(server_todos(stack.services)) == 1
        screenshot(page, "phone-kept-todo-accepted")
        context.close()


def test_a_session_ended_offline_keeps_the_work_and_asks_for_the_password_online(
        stack: Stack) -> None:
    with chromium() as browser:
        context = new_context(browser, PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        open_online(page, stack.url, "asha")
        page.goto(stack.url + FAST_SYNC + "#/todos")
        context.set_offline(True)
        add_todo(page, "Quote for the cold room")
        # A long spell in the field: the server ends the session meanwhile (all its tokens).
        page.evaluate("""() => {
          const s = JSON.parse(localStorage.getItem('fieldsync.session'));
          localStorage.setItem('fieldsync.session', JSON.stringify({ ...s,
            access_token: 'ended.' + s.access_token, refresh_token: 'ended.' + s.refresh_token,
            expires_at: 0 }));
        }""")
        page.reload()
        add_todo(page, "Visit the dairy again")  # still saves on the phone
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "2")
        expect(page.get_by_test_id("password-needed")).to_have_count(0)
        context.set_offline(False)
        prompt = page.get_by_test_id("password-needed")
        expect(prompt).to_contain_text("2 not sent", timeout=20000)
        screenshot(page, "phone-password-needed")
        assert server_todos(stack.services) == []
        prompt.locator("input[name=unlock_password]").fill(PASSWORD)
        prompt.get_by_role("button", name="Continue").click()
        expect(prompt).to_have_count(0)
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "0",
                                                                       timeout=30000)
        assert len(server_todos(stack.services)) == 2
        context.close()


@dataclass
class PausableWorker:
    """The sync worker in a thread that the test stops and starts again, so that documents
    sent to the server wait for its check for as long as the test looks at them."""

    services: Services
    worker: Worker | None = None
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self.worker = self.services.worker()
        self.thread = threading.Thread(target=self.worker.run_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.worker and self.thread:
            self.worker.stop()
            self.thread.join(timeout=20)
        self.worker = self.thread = None


@contextmanager
def quiet_stack(services: Services) -> Iterator[tuple[LiveServer, PausableWorker]]:
    seed_people(services)
    worker = PausableWorker(services)
    worker.start()
    server = LiveServer(services).start()
    try:
        yield server, worker
    finally:
        worker.stop()
        server.stop()


def test_pending_count_on_a_fresh_sign_in_and_across_a_reconnect(services: Services) -> None:
    build_web_app()
    with quiet_stack(services) as (server, worker), chromium() as browser:
        # An earlier device: two to-dos on the server, checked.
        first = new_context(browser, PHONE, is_mobile=True, has_touch=True)
        page = first.new_page()
        open_online(page, server.url, "asha")
        page.goto(server.url + FAST_SYNC + "#/todos")
        for title in ("Earlier one", "Earlier two"):
            add_todo(page, title)
        expect(page.get_by_test_id("receipt").filter(has_text="Accepted")).to_have_count(
            2, timeout=30000)
        first.close()

        # A fresh sign-in on a new phone pulls them: nothing is "not sent" at any moment.
        phone = new_context(browser, PHONE, is_mobile=True, has_touch=True)
        phone.add_init_script(COUNT_RECORDER)
        page = phone.new_page()
        open_online(page, server.url, "asha")
        page.goto(server.url + FAST_SYNC + "#/todos")
        expect(page.get_by_test_id("receipt").filter(has_text="Accepted")).to_have_count(
            2, timeout=30000)
        page.wait_for_timeout(3000)  # two more sync rounds
        seen = page.evaluate("window.__counts")
        assert seen and max(p for p, _ in seen) == 0, seen
        screenshot(page, "phone-fresh-signin-count")

        # Offline edits, then the network returns while the server's check is held back.
        worker.stop()
        phone.set_offline(True)
        for title in ("Offline one", "Offline two", "Offline three"):
            add_todo(page, title)
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "3")
        expect(page.get_by_test_id("pending-count")).to_have_text("3 not sent")
        screenshot(page, "phone-offline-three-not-sent")
        page.evaluate("window.__counts = []")
        phone.set_offline(False)
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "0",
                                                                       timeout=30000)
        checking = page.get_by_test_id("checking-count")
        expect(checking).to_have_text("3 waiting for the server's check")
        assert len(server_todos(services)) == 5
        screenshot(page, "phone-waiting-for-check")
        sent = [p for p, _ in page.evaluate("window.__counts")]
        assert max(sent) <= 3 and sent == sorted(sent, reverse=True), sent

        # The check runs: receipts arrive and the second count goes away.
        worker.start()
        expect(page.get_by_test_id("receipt").filter(has_text="Accepted")).to_have_count(
            5, timeout=30000)
        expect(checking).to_have_count(0)
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "0")
        screenshot(page, "phone-all-checked")
        phone.close()
