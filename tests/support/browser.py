"""Debian's Chromium driven by Playwright, the built web app, and the whole stack it talks to."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Geolocation,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from server.accounts.service import create_user
from server.bootstrap import Services, bootstrap
from server.demo import load_master_data
from sync.publish import MasterDataPublisher
from tests.support.erp_servers.erpnext import ErpNextServer
from tests.support.erp_servers.harness import erp_overrides
from tests.support.live_server import LiveServer

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
DIST = WEB / "dist"
ARTIFACTS = REPO / "test-artifacts" / "web"
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home on a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PHONE = ViewportSize(width=360, height=740)
DESKTOP = ViewportSize(width=1280, height=860)
MYSURU = Geolocation(latitude=12.3052, longitude=76.6552, accuracy=12)
PASSWORD = "field-app-test-pw"
# Short sync and breadcrumb intervals, so the tests wait seconds rather than minutes.
TUNING = "?sync_ms=1500&track_ms=1500"
# Browser tests check what people see; the API and worker suites cover PostgreSQL.
SQLITE_ONLY = pytest.mark.parametrize("sql_url", ["sqlite"], indirect=True)


def build_web_app() -> None:
    """`make setup` builds web/dist; build it here when the tests run on their own."""
    if (DIST / "index.html").is_file():
        return
    npm = shutil.which("npm")
    assert npm, "Node.js 20+ with npm is needed to build the web app"
    if not (WEB / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=WEB,
                       check=True)
    subprocess.run([npm, "exec", "--", "vite", "build", "--logLevel", "warn"], cwd=WEB,
                   check=True)


@dataclass
class Stack:
    """The app on a real port, the worker, the ERP outbox drain and a test ERPNext."""

    services: Services
    server: LiveServer
    erp: ErpNextServer
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url


def _drain_loop(services: Services, stop: threading.Event) -> None:
    drainer = services.erp_drainer
    while not stop.wait(0.25):
        drainer.drain_once()


def seed_people(services: Services) -> None:
    """Demo master data, an engineer (limit 5 %), a head and an admin; published to phones."""
    load_master_data(services)
    people = [("asha", "engineer", "South", "blr", "5"), ("priya", "head", "South", "blr", "0")]
    for username, role, team, territory, limit in people:
        create_user(services.sessions, services.store, services.settings, username, PASSWORD,
                    role, team=team, territory=territory, discount_limit_pct=limit)
    MasterDataPublisher(services.store, services.sessions,
                        services.settings.db_prefix).publish_all()


@contextmanager
def running_stack(base: Services) -> Iterator[Stack]:
    """Everything started here is stopped here, in reverse order. The stack's own Services
    (`Stack.services`) share `base`'s databases and store, with ERPNext as their ERP."""
    erp = ErpNextServer()
    erp.start()
    services = bootstrap(base.settings.with_overrides(**erp_overrides("erpnext", erp)),
                         store=base.store)
    seed_people(services)
    worker = services.worker()
    server = LiveServer(services).start()
    stack = Stack(services, server, erp)
    stack.threads = [threading.Thread(target=worker.run_forever, daemon=True),
                     threading.Thread(target=_drain_loop, args=(services, stack.stop), daemon=True)]
    for thread in stack.threads:
        thread.start()
    try:
        yield stack
    finally:
        stack.stop.set()
        worker.stop()
        for thread in stack.threads:
            thread.join(timeout=10)
        server.stop()
        erp.stop()
        services.close()


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Browser, viewport: ViewportSize, **extra: Any) -> BrowserContext:
    """A context with a fake GPS fix and permission to read it."""
    return browser.new_context(viewport=viewport, geolocation=MYSURU,
                               permissions=["geolocation"], service_workers="allow", **extra)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def console_page(browser: Browser, viewport: ViewportSize, url: str, username: str, role: str,
                 screen: str, **extra: Any) -> tuple[BrowserContext, Page]:
    """A console screen (`#/console/<screen>`) signed in as `username`, whose role is `role`."""
    context = new_context(browser, viewport, **extra)
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in(page, url + "/", username)
    expect(page.locator(".fs-console")).to_have_attribute("data-role", role)
    page.evaluate("h => { window.location.hash = h }", f"#/console/{screen}")
    return context, page
