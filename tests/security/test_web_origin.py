"""The web app talks to its own origin only, whatever the link that opened it says, and every
response tells the browser what a page of FieldSync may load, embed and leak."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect

from server.bootstrap import Services
from server.security import SettingsError, content_security_policy, tile_origin
from server.webapp import CHECKOUT_DIST
from tests.factories import AT, make_track
from tests.support.api import PASSWORD, phone_writes, seed
from tests.support.browser import DESKTOP, SQLITE_ONLY, build_web_app, chromium
from tests.support.live_server import LiveServer

pytestmark = [pytest.mark.timeout(180)]
HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
           "Referrer-Policy")
# Recorded in every page before its own scripts run: what the CSP refused, and whether it did.
WATCH_CSP = """window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));"""


# Another host, as a link could name it ------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: str


class _Handler(BaseHTTPRequestHandler):
    """Answers everything as an attacker's host would: CORS wide open, then 401 to every call so
    that the app also tries its refresh token here."""

    server: Recorder

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self.server.record(Seen(self.command, self.path, dict(self.headers), body))
        status = 204 if self.command == "OPTIONS" else 401
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        payload = b"" if status == 204 else json.dumps({"message": "sign in again"}).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    # The names http.server dispatches each method to.
    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = _record  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        return


class Recorder(ThreadingHTTPServer):
    """A listening socket on 127.0.0.1 that records every connection and request it gets."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections = 0
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def verify_request(self, request: Any, client_address: Any) -> bool:
        with self._lock:
            self.connections += 1
        return True

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder() as running:
        yield running


# FieldSync with its built web app -----------------------------------------------------------

@pytest.fixture
def start_server(services: Services, build_services: Callable[..., Services]
                 ) -> Iterator[Callable[..., LiveServer]]:
    """Starts FieldSync (API, gateway and the built app on one origin) with extra settings."""
    build_web_app()
    seed(services)
    started: list[LiveServer] = []

    def start(**settings: Any) -> LiveServer:
        started.append(LiveServer(build_services(**settings), web_dist=CHECKOUT_DIST).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(start_server: Callable[..., LiveServer]) -> LiveServer:
    return start_server()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@dataclass
class Watched:
    """A browser context whose every request (pages and service worker) and CSP report is kept."""

    context: BrowserContext
    page: Page
    requests: list[Request]
    console_errors: list[str]

    def violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("() => window.__violations || []")
        return found + [m for m in self.console_errors if "Content Security Policy" in m]


def watched(browser: Browser, service_workers: Literal["allow", "block"] = "block") -> Watched:
    context = browser.new_context(viewport=DESKTOP, service_workers=service_workers)
    context.set_default_timeout(15000)
    context.add_init_script(WATCH_CSP)
    seen: list[Request] = []
    errors: list[str] = []
    context.on("request", lambda request: seen.append(request))
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return Watched(context, page, seen, errors)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def settle(done: Callable[[], bool], recorder: Recorder, seconds: float = 15) -> None:
    """Waits until the page is done or the other host has heard something, whichever first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not done() and not recorder.connections:
        time.sleep(0.1)


def heard(recorder: Recorder) -> list[tuple[str, str, str]]:
    """What the other host received, shortly: method, path and body."""
    return [(s.method, s.path, s.body[:80]) for s in recorder.seen]


def secrets_sent(requests_: list[Request]) -> list[tuple[str, str]]:
    """(origin, what) of every request that carried a token or the password."""
    out = []
    for request in requests_:
        headers = request.all_headers()
        body = request.post_data or ""
        if "authorization" in headers:
            out.append((origin_of(request.url), "bearer token"))
        if "refresh_token" in body:
            out.append((origin_of(request.url), "refresh token"))
        if PASSWORD in body:
            out.append((origin_of(request.url), "password"))
    return out


# The link that names another server ---------------------------------------------------------

@SQLITE_ONLY
def test_a_signed_in_admin_opening_a_server_link_sends_nothing_elsewhere(
        browser: Browser, server: LiveServer, recorder: Recorder) -> None:
    tab = watched(browser)
    sign_in(tab.page, f"{server.url}/#/", "adam")
    tab.page.wait_for_function("() => !document.querySelector('input[name=password]')")
    # An expired access token too: the app must refresh it, and only where it signed in.
    tab.page.evaluate("""() => {
      const s = JSON.parse(localStorage.getItem('fieldsync.session'));
      localStorage.setItem('fieldsync.session',
        JSON.stringify({ ...s, access_token: 'expired.' + s.access_token, expires_at: 0 }));
    }""")
    tab.requests.clear()
    link = f"{server.url}/?server={recorder.origin}#/console/orders"
    tab.page.goto(link)
    refreshed = ("() => { const s = JSON.parse(localStorage.getItem('fieldsync.session'));"
                 " return !s || !s.access_token.startsWith('expired.'); }")
    settle(lambda: bool(tab.page.evaluate(refreshed)), recorder)

    assert recorder.connections == 0 and recorder.seen == [], heard(recorder)
    tab.page.reload()
    # The real server answered: its (empty) order history, not an error.
    expect(tab.page.get_by_text("No orders match these filters.")).to_be_visible()
    expect(tab.page.get_by_role("alert")).to_have_count(0)
    sent = secrets_sent(tab.requests)
    assert (server.url, "bearer token") in sent and (server.url, "refresh token") in sent
    assert {origin for origin, _ in sent} == {server.url}, sent
    assert {origin_of(r.url) for r in tab.requests} == {server.url}
    tab.context.close()


@SQLITE_ONLY
def test_signing_in_on_a_server_link_posts_the_password_only_to_its_own_origin(
        browser: Browser, server: LiveServer, recorder: Recorder) -> None:
    tab = watched(browser)
    sign_in(tab.page, f"{server.url}/?server={recorder.origin}#/console/orders", "adam")
    console = tab.page.locator(".fs-console")
    settle(lambda: console.count() > 0, recorder)

    assert recorder.connections == 0 and recorder.seen == [], heard(recorder)
    expect(console).to_be_visible()
    sent = secrets_sent(tab.requests)
    assert (server.url, "password") in sent and (server.url, "bearer token") in sent
    assert {origin for origin, _ in sent} == {server.url}, sent
    tab.context.close()


def seed_track(services: Services) -> str:
    """A short drive of asha's; returns its day for the map."""
    phone_writes(services, "asha", make_track([(12.97 + i * 0.001, 77.59 + i * 0.001)
                                               for i in range(20)]))
    return AT[:10]


@SQLITE_ONLY
def test_a_tiles_link_is_ignored_and_only_the_configured_tile_server_is_asked(
        browser: Browser, start_server: Callable[..., LiveServer], services: Services,
        recorder: Recorder) -> None:
    day = seed_track(services)
    plain = start_server()
    tab = watched(browser)
    sign_in(tab.page, f"{plain.url}/#/", "adam")
    tab.page.wait_for_function("() => !document.querySelector('input[name=password]')")
    tab.page.goto(f"{plain.url}/?tiles={recorder.origin}/{{z}}/{{x}}/{{y}}.png"
                  f"#/console/map?engineer=asha&day={day}")
    track = tab.page.get_by_test_id("day-map").locator("path.fs-track")
    settle(lambda: track.count() > 0, recorder)
    assert recorder.connections == 0, heard(recorder)
    expect(track.first).to_be_visible()
    assert tab.page.get_by_test_id("day-map").locator("image").count() == 0
    tab.context.close()

    # The server's own setting is what draws tiles, and the CSP lets exactly that host in.
    tiled = start_server(map_tile_url=f"{recorder.origin}/{{z}}/{{x}}/{{y}}.png")
    tab = watched(browser)
    sign_in(tab.page, f"{tiled.url}/#/", "adam")
    tab.page.wait_for_function("() => !document.querySelector('input[name=password]')")
    tab.page.goto(f"{tiled.url}/#/console/map?engineer=asha&day={day}")
    expect(tab.page.get_by_test_id("day-map").locator("image").first).to_be_attached()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not recorder.seen:
        time.sleep(0.1)
    assert recorder.seen and all(s.method == "GET" and s.path.endswith(".png")
                                 for s in recorder.seen)
    assert not any("authorization" in {k.lower() for k in s.headers} for s in recorder.seen)
    assert tab.violations() == []
    tab.context.close()


# Headers and the CSP ------------------------------------------------------------------------

def token(server: LiveServer, username: str) -> str:
    reply = requests.post(f"{server.url}/api/v1/auth/login", timeout=10,
                          json={"username": username, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


@SQLITE_ONLY
def test_every_kind_of_response_carries_the_security_headers(server: LiveServer) -> None:
    admin = {"Authorization": f"Bearer {token(server, 'adam')}"}
    engineer = {"Authorization": f"Bearer {token(server, 'asha')}"}
    script = next((CHECKOUT_DIST / "assets").glob("index-*.js")).name
    calls: list[tuple[str, str, dict[str, str], int | None]] = [
        ("GET", "/", {}, 200), ("GET", "/index.html", {}, 200), ("GET", "/console/orders", {}, 200),
        ("GET", f"/assets/{script}", {}, 200), ("GET", "/sw.js", {}, 200),
        ("GET", "/manifest.webmanifest", {}, 200), ("GET", "/icon.svg", {}, 200),
        ("GET", "/app-config.json", {}, 200), ("GET", "/nothing-here.js", {}, 404),
        ("GET", "/api/v1/users", admin, 200), ("GET", "/api/v1/users", {}, 401),
        ("GET", "/api/v1/no-such-thing", {}, 404), ("DELETE", "/healthz", {}, 405),
        ("GET", "/api/openapi.json", {}, 200), ("GET", "/api/docs", {}, 200),
        ("GET", "/api/docs/swagger-ui-bundle.js", {}, 200), ("GET", "/api/docs/start.js", {}, 200),
        ("GET", "/api/docs/swagger-ui.css", {}, 200), ("GET", "/api/docs/missing.js", {}, 404),
        ("GET", "/sync/me", engineer, 200), ("GET", "/sync/me", {}, 401),
        ("GET", "/sync/me/_changes?limit=1", engineer, 200), ("GET", "/healthz", {}, None),
        ("GET", "/metrics", {}, None),
    ]
    for method, path, headers, status in calls:
        reply = requests.request(method, server.url + path, headers=headers, timeout=10)
        assert status is None or reply.status_code == status, (path, reply.status_code)
        missing = [h for h in HEADERS if h not in reply.headers]
        assert not missing, (method, path, missing)
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert reply.headers["X-Frame-Options"] == "DENY"
        assert reply.headers["Referrer-Policy"] == "no-referrer"
        csp = reply.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@SQLITE_ONLY
def test_the_api_docs_render_under_the_csp_from_this_origin_only(
        browser: Browser, server: LiveServer) -> None:
    tab = watched(browser)
    reply = tab.page.goto(f"{server.url}/api/docs")
    assert reply is not None and "content-security-policy" in reply.all_headers()
    expect(tab.page.locator(".swagger-ui .info .title")).to_contain_text("FieldSync API")
    expect(tab.page.locator(".opblock").first).to_be_visible()
    assert tab.page.locator(".opblock").count() > 20
    tab.page.locator(".opblock-summary").first.click()  # an operation opened, its schemas drawn
    expect(tab.page.locator(".opblock-body").first).to_be_visible()
    assert tab.violations() == []
    assert {origin_of(r.url) for r in tab.requests} == {server.url}, \
        sorted({r.url for r in tab.requests if not r.url.startswith(server.url)})
    tab.context.close()


@SQLITE_ONLY
def test_the_field_app_and_console_run_with_no_csp_violation_and_refuse_inline_script(
        browser: Browser, server: LiveServer) -> None:
    # The field app as an engineer, with its service worker installed under the CSP.
    tab = watched(browser, service_workers="allow")
    sign_in(tab.page, f"{server.url}/?sync_ms=1500", "asha")
    expect(tab.page.get_by_test_id("sync-header")).to_be_visible()
    tab.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    for route, heading in (("#/offers/new", "New offer"), ("#/leads", "Leads"),
                           ("#/visits", "Visits"), ("#/expenses/new", "New expense"),
                           ("#/todos", "To-dos")):
        tab.page.evaluate("h => { window.location.hash = h }", route)
        expect(tab.page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    tab.page.reload()
    expect(tab.page.get_by_test_id("sync-header")).to_be_visible()
    assert tab.violations() == []
    # The CSP is really on: a script injected into the page is not run.
    ran = tab.page.evaluate("""() => { const s = document.createElement('script');
      s.textContent = 'window.__injected = true'; document.body.appendChild(s);
      return window.__injected === true; }""")
    assert ran is False and any(v.startswith("script-src") for v in tab.violations())
    tab.context.close()

    # The console as an admin, on every main screen.
    tab = watched(browser)
    sign_in(tab.page, f"{server.url}/#/", "adam")
    expect(tab.page.locator(".fs-console")).to_be_visible()
    for screen in ("dashboard", "orders", "leads", "approvals", "conflicts", "rejections",
                   "reports?name=logins", "erp", "people", "master", "map"):
        tab.page.evaluate("h => { window.location.hash = h }", f"#/console/{screen}")
        expect(tab.page.locator(".fs-console h1")).to_be_visible()
        expect(tab.page.locator(".fs-console").get_by_text("Loading…")).to_have_count(0)
    assert tab.violations() == []
    assert {origin_of(r.url) for r in tab.requests} == {server.url}
    tab.context.close()


# The policy itself --------------------------------------------------------------------------

def test_the_policy_lets_in_the_configured_tile_server_and_refuses_a_malformed_one() -> None:
    assert tile_origin("") == ""
    assert tile_origin("https://tiles.example:8443/{z}/{x}/{y}.png") == "https://tiles.example:8443"
    policy = content_security_policy("https://tiles.example/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob: https://tiles.example;" in policy
    assert "img-src 'self' data: blob:;" in content_security_policy("")
    for bad in ("javascript:alert(1)", "tiles.example/{z}/{x}/{y}.png",
                "https://{s}.tiles.example/{z}/{x}/{y}.png", "https://a.example; script-src *"):
        with pytest.raises(SettingsError, match="FIELDSYNC_MAP_TILE_URL"):
            content_security_policy(bad)
