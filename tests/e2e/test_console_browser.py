"""The web console in a real browser (Debian's Chromium through Playwright) on a live server."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright import sync_api

from server.bootstrap import Services
from sync.dirty import DirtySet
from sync.provisioning import engineer_db_name
from tests.factories import loc as make_loc
from tests.factories import (
    make_approval,
    make_expense,
    make_lead,
    make_offer,
    make_order,
    make_track,
    make_visit,
    priced_lines,
)
from tests.support.api import PASSWORD, phone_writes, seed
from tests.support.imports import scheduler_running_imports
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
ARTIFACTS = ROOT / "test-artifacts" / "console"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
IST = ZoneInfo("Asia/Kolkata")
# The browser tests check what people see; SQL on both databases is covered by the API tests.
pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.parametrize("sql_url", ["sqlite"], indirect=True),
]


# The app on a real port, with the built web app ----------------------------------------------

class ConsoleServer(LiveServer):
    """The live server serving this module's build of the web app, on one origin."""

    def __init__(self, services: Services, dist: Path) -> None:
        super().__init__(services, web_dist=dist)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web app built once for these tests, into a directory of their own."""
    out = tmp_path_factory.mktemp("web") / "dist"
    subprocess.run(["node_modules/.bin/vite", "build", "--outDir", str(out), "--emptyOutDir",
                    "--logLevel", "error"], cwd=WEB, check=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(services: Services, dist: Path) -> Iterator[ConsoleServer]:
    seed(services)
    with ConsoleServer(services, dist) as live:
        yield live


def open_console(browser: Any, server: LiveServer, user: str, page_hash: str,
                 viewport: dict[str, int] = DESKTOP) -> Any:
    """A fresh browser context signed in as `user` through the sign-in screen."""
    context = browser.new_context(viewport=viewport, service_workers="block")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(f"{server.url}/index.html#/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_function("() => !document.querySelector('input[name=password]')")
    page.evaluate("h => { window.location.hash = h }", page_hash)
    return page


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(server: LiveServer, user: str) -> str:
    r = requests.post(f"{server.url}/api/v1/auth/login", timeout=10,
                      json={"username": user, "password": PASSWORD})
    r.raise_for_status()
    return str(r.json()["access_token"])


# Documents of a working day, written as the phones write them --------------------------------

def work_day() -> datetime:
    """The latest day whose working hours are over (GPS fixes from the future are refused)."""
    return datetime.now(IST) - timedelta(hours=12)


def local(hour: int, minute: int = 0, day: datetime | None = None) -> datetime:
    base = day or work_day()
    return base.replace(hour=hour, minute=minute, second=0, microsecond=0)


def stamped(doc: dict[str, Any], at: datetime, lat: float, lon: float) -> dict[str, Any]:
    iso = at.isoformat()
    return {**doc, "created_at": iso, "updated_at": iso, "loc": make_loc(lat, lon, iso)}


OFFICE = (12.9784, 77.6408)  # Indiranagar
CUSTOMER = (13.0285, 77.5197)  # Peenya


def day_track(owner: str) -> dict[str, Any]:
    """09:00-10:40: a drive to the customer, a 30-minute stop there, and part of the way back."""
    points: list[dict[str, Any]] = []
    start = local(9)

    def add(minute: int, lat: float, lon: float) -> None:
        points.append({"lat": lat, "lon": lon, "accuracy_m": 6.0, "speed_mps": 4.0, "mock": False,
                       "at": (start + timedelta(minutes=minute)).isoformat()})
    for i in range(31):
        f = i / 30
        add(i, OFFICE[0] + (CUSTOMER[0] - OFFICE[0]) * f, OFFICE[1] + (CUSTOMER[1] - OFFICE[1]) * f)
    for i in range(1, 31):
        add(30 + i, CUSTOMER[0] + 0.00003 * (i % 3), CUSTOMER[1] + 0.00002 * (i % 2))
    for i in range(1, 41):
        f = i / 40 * 0.6
        add(60 + i, CUSTOMER[0] + (OFFICE[0] - CUSTOMER[0]) * f,
            CUSTOMER[1] + (OFFICE[1] - CUSTOMER[1]) * f + 0.004 * f)
    return make_track(points, owner=owner)


def visit(owner: str) -> dict[str, Any]:
    """Checked in at the customer at 09:35, out at 10:20."""
    arrived, left = local(9, 35), local(10, 20)
    doc = stamped(make_visit(owner), arrived, *CUSTOMER)
    doc["check_in"] = {"at": arrived.isoformat(), "loc": make_loc(*CUSTOMER, arrived.isoformat())}
    doc["check_out"] = {"at": left.isoformat(), "loc": make_loc(*CUSTOMER, left.isoformat())}
    return doc


def sale(owner: str, at: datetime, lines: list[Any]) -> list[dict[str, Any]]:
    offer = stamped(make_offer(owner, "C-1", lines, status="approved"), at, *CUSTOMER)
    signed = at + timedelta(minutes=5)
    approval = stamped(make_approval(offer, signed_at=signed.isoformat()), signed, *CUSTOMER)
    order = stamped(make_order(offer, approval), at + timedelta(minutes=8), *CUSTOMER)
    return [offer, approval, order]


def seed_day(services: Services) -> None:
    """Sales, leads, a visit, an expense, a day's track and one rejected document."""
    today = work_day()
    docs: list[dict[str, Any]] = [day_track("asha"), visit("asha")]
    for days_ago, qty in ((0, 2), (2, 1), (5, 3), (9, 1)):
        docs += sale("asha", local(10, 0, today - timedelta(days=days_ago)),
                     [("P-100", qty, "250000.00", "4", "18")])
    docs += [make_lead("asha", stage=s) for s in ("potential", "proposal", "po", "advance")]
    docs += [make_lead("asha", stage="lost"), make_expense("asha", date=today.date().isoformat())]
    bad = make_offer("asha")
    docs.append({**bad, "totals": {**bad["totals"], "grand_total": "1.00"}})
    phone_writes(services, "asha", *docs)
    phone_writes(services, "ravi", *sale("ravi", local(11, 0, today - timedelta(days=1)),
                                        [("P-200", 40, "1200.00", "2", "5")]),
                 make_lead("ravi", stage="proposal"))


def offer_above_limit(owner: str = "asha") -> dict[str, Any]:
    return make_offer(owner, "C-1", [("P-100", 1, "250000.00", "12", "18")], status="presented")


# Tests ---------------------------------------------------------------------------------------

def test_head_approves_a_discount_above_the_limit_and_the_phone_is_unblocked(
        browser: Any, server: ConsoleServer, services: Services) -> None:
    offer = offer_above_limit()
    with Phone(server.url, login(server, "asha")) as phone:
        phone.call("put", db="me", doc=offer)
        phone.call("push", db="me")
        services.worker().run_until_idle()
        phone.call("pull", db="me")
        # Blocked: the phone holds no decision for the offer yet.
        assert not phone.try_call("get", db="me", id=f"decision:{offer['_id']}")["ok"]

        page = open_console(browser, server, "hema", "#/console/approvals")
        case = page.get_by_test_id("offer-case")
        sync_api.expect(case).to_contain_text("Sri Lakshmi Cold Storage")
        sync_api.expect(case).to_contain_text("12%")
        shot(page, "approvals-desktop")
        case.get_by_label("note for offer for Sri Lakshmi Cold Storage").fill("Annual contract")
        case.get_by_role("button", name="approve offer for Sri Lakshmi Cold Storage").click()
        sync_api.expect(page.get_by_role("status")).to_contain_text("Discount approved")
        sync_api.expect(page.get_by_test_id("offer-case")).to_have_count(0)
        page.context.close()

        phone.call("pull", db="me")
        decision = phone.call("get", db="me", id=f"decision:{offer['_id']}")
    assert decision["outcome"] == "approved" and decision["by"] == "hema"
    assert decision["note"] == "Annual contract"


def repriced(doc: dict[str, Any], unit_price: str, device: str, at: str) -> dict[str, Any]:
    lines, totals = priced_lines([("P-100", 2, unit_price, "0", "18")], "intra")
    return {**doc, "lines": lines, "totals": totals, "device_id": device, "updated_at": at}


def test_a_conflict_from_two_phones_is_resolved_in_the_console_and_reaches_both(
        browser: Any, server: ConsoleServer, services: Services) -> None:
    token = login(server, "asha")
    offer = make_offer("asha", "C-1", [("P-100", 2, "500.00", "0", "18")])
    with Phone(server.url, token) as first, Phone(server.url, token) as second:
        first.call("put", db="me", doc=offer)
        first.call("push", db="me")
        second.call("pull", db="me")
        for phone, price, device, at in ((first, "520.00", "phone-a", "2026-11-29T11:00:00+05:30"),
                                         (second, "480.00", "phone-b",
                                          "2026-11-29T12:00:00+05:30")):
            current = phone.call("get", db="me", id=offer["_id"])
            phone.call("put", db="me", doc=repriced(current, price, device, at))
            phone.call("push", db="me")
        services.worker().run_until_idle()
        # The store's winner is the queue's "ours"; keeping the other device's version must
        # leave exactly the other price, never a choice made by the policy itself.
        db = engineer_db_name(services.settings.db_prefix, "asha")
        winner = services.store.get_doc(db, offer["_id"])["lines"][0]["unit_price"]
        (kept,) = {"520.00", "480.00"} - {winner}

        page = open_console(browser, server, "adam", "#/console/conflicts")
        page.get_by_role("link", name=offer["_id"]).click()
        table = page.get_by_role("table", name="differences")
        sync_api.expect(table).to_contain_text("520")
        sync_api.expect(table).to_contain_text("480")
        shot(page, "conflict-desktop")
        page.get_by_role("button", name="Keep the other device's version whole").click()
        sync_api.expect(page.get_by_test_id("conflict-status")).to_have_text("resolved")
        page.context.close()

        for phone in (first, second):
            phone.call("pull", db="me")
        seen = [phone.call("get", db="me", id=offer["_id"], options={"conflicts": True})
                for phone in (first, second)]
    assert [doc["lines"][0]["unit_price"] for doc in seen] == [kept, kept]
    assert seen[0]["_rev"] == seen[1]["_rev"]
    assert not any(doc.get("_conflicts") for doc in seen)


def test_an_engineers_day_is_drawn_on_a_plain_map_with_a_scale(
        browser: Any, server: ConsoleServer, services: Services, dist: Path,
        build_services: Callable[..., Services]) -> None:
    seed_day(services)
    day = work_day().date().isoformat()
    for name, viewport in (("map-desktop", DESKTOP), ("map-phone", PHONE)):
        page = open_console(browser, server, "hema", f"#/console/map?engineer=asha&day={day}",
                            viewport)
        svg = page.get_by_test_id("day-map")
        sync_api.expect(svg.locator("path.fs-track").first).to_be_visible()
        sync_api.expect(svg.locator("[data-kind=stop]")).to_have_count(1)
        sync_api.expect(svg.locator("[data-kind=visit]")).to_have_count(1)
        sync_api.expect(svg.locator("[data-kind=order]")).to_have_count(1)
        sync_api.expect(page.get_by_test_id("scale-bar")).to_contain_text("km")
        assert svg.locator("image").count() == 0  # no tile server is configured
        sync_api.expect(page.get_by_role("table", name="day events")).to_contain_text("stop")
        shot(page, name)
        page.context.close()

    # Tiles are drawn only where the server configures a tile server (here an unreachable one).
    with ConsoleServer(build_services(map_tile_url="http://127.0.0.1:9/{z}/{x}/{y}.png"),
                       dist) as tiled:
        page = open_console(browser, tiled, "hema", f"#/console/map?engineer=asha&day={day}")
        tiles = page.get_by_test_id("day-map").locator("image")
        sync_api.expect(tiles.first).to_have_attribute("href",
                                                       re.compile(r"^http://127.0.0.1:9/1\d/"))
        page.context.close()


def test_admin_imports_products_from_csv_all_rows_or_none(
        browser: Any, server: ConsoleServer, tmp_path: Path) -> None:
    good, bad = tmp_path / "products.csv", tmp_path / "bad-products.csv"
    good.write_text("Product ID,Name,HSN Code,GST Rate\nP-900,Ice bank 2TR,8418,18\n"
                    "P-901,Valve kit,8481,18\n", encoding="utf-8")
    bad.write_text("product_id,name,hsn_code,gst_rate\nP-902,Pump,84,18\n"
                   "P-903,Seal,8484,180\n", encoding="utf-8")
    page = open_console(browser, server, "adam", "#/console/master")
    form = page.get_by_role("form", name="import products")
    with scheduler_running_imports(server.services):
        form.locator("input[type=file]").set_input_files(str(bad))
        form.get_by_role("button", name="Import", exact=True).click()
        problems = form.get_by_role("list", name="rows with problems")
        sync_api.expect(problems).to_contain_text("P-902")
        sync_api.expect(problems).to_contain_text("P-903")
        sync_api.expect(form.get_by_role("alert")).to_contain_text("nothing was imported")
        shot(page, "import-refused-desktop")
    # With no scheduler running, the page shows the job waiting, then follows it when one runs.
    form.locator("input[type=file]").set_input_files(str(good))
    form.get_by_role("button", name="Import", exact=True).click()
    sync_api.expect(form.get_by_role("status")).to_contain_text("Waiting to read the products")
    sync_api.expect(form.get_by_role("button", name="Import", exact=True)).to_be_disabled()
    shot(page, "import-waiting-desktop")
    with scheduler_running_imports(server.services):
        sync_api.expect(form.get_by_role("status")).to_contain_text("Imported 2 products")
    sync_api.expect(page.get_by_role("table", name="products")).to_contain_text("Ice bank 2TR")
    page.context.close()


def test_engineers_cannot_open_the_console_and_heads_not_the_admin_pages(
        browser: Any, server: ConsoleServer) -> None:
    page = open_console(browser, server, "asha", "#/console/approvals", PHONE)
    sync_api.expect(page.get_by_text("the console is for sales heads and admins")).to_be_visible()
    assert page.locator(".fs-console table").count() == 0
    shot(page, "engineer-refused-phone")
    page.context.close()
    asha = {"Authorization": f"Bearer {login(server, 'asha')}"}
    for path in ("/api/v1/conflicts", "/api/v1/rejections", "/api/v1/erp/outbox"):
        assert requests.get(server.url + path, headers=asha, timeout=10).status_code == 403

    page = open_console(browser, server, "hema", "#/console/erp")
    sync_api.expect(page.get_by_test_id("page-refused")).to_contain_text("Only admins")
    assert page.get_by_role("link", name="ERP outbox").count() == 0
    assert page.get_by_role("link", name="Master data").count() == 0
    page.context.close()


# Each screen: its heading, then a table that must hold a row with the given text, or (row
# text None) the empty state it must say instead, for the day seed_day writes.
SCREENS: dict[str, tuple[str, list[tuple[str, str | None, str]]]] = {
    "dashboard": ("Dashboard", []),  # charts, not tables: see SCREEN_MARKS
    "orders": ("Order history", [("orders", "asha", "")]),
    "leads": ("Leads", [("leads", "ravi", "")]),
    "approvals": ("Approvals", [("discounts awaiting a decision", None,
                                 "No discounts are waiting for a decision."),
                                ("expenses", "asha", "")]),
    "conflicts": ("Conflicts", [("conflicts", None, "No conflicts here.")]),
    "rejections": ("Rejected documents", [("rejected documents", "grand_total", "")]),
    "reports?name=logins": ("Reports", [("logins", "adam", "")]),
    "erp": ("ERP outbox", [("outbox", "not_sent", ""), ("dead letters", None,
                                                       "No dead letters.")]),
    "people": ("Users & teams", [("users", "hema", "")]),
    "master": ("Master data", [("customers", "C-1", ""), ("products", "P-100", "")]),
}
# Screens drawn as charts: an element that only data draws.
SCREEN_MARKS = {"dashboard": (".fs-bar", "asha")}


def test_main_screens_render_at_desktop_and_phone_sizes_and_export_files(
        browser: Any, server: ConsoleServer, services: Services, dist: Path) -> None:
    seed_day(services)
    month = work_day().strftime("%Y-%m")
    admin = {"Authorization": f"Bearer {login(server, 'adam')}"}
    for engineer, value in (("asha", "1500000.00"), ("ravi", "400000.00")):
        assert requests.put(f"{server.url}/api/v1/reports/targets/{engineer}/{month}",
                            json={"order_value": value, "orders": 4}, headers=admin,
                            timeout=10).status_code == 204
    page = open_console(browser, server, "adam", "#/console/dashboard")
    charts = page.locator("figure.fs-chart svg")
    sync_api.expect(charts).to_have_count(3)
    sync_api.expect(page.locator(".fs-bar", has_text="asha")).to_have_count(1)
    sync_api.expect(page.locator(".fs-bar line")).to_have_count(2)  # the two targets
    sync_api.expect(page.locator(".fs-stage")).to_have_count(6)
    with page.expect_download() as download:
        page.locator(".fs-card", has_text="Orders per day").get_by_role(
            "button", name="Export CSV").click()
    csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Order,") and csv_text.count("\n") >= 6

    # A write the gateway refuses at sync is listed with the worker's rejections.
    refused = requests.post(f"{server.url}/sync/me/_bulk_docs", timeout=10,
                            headers={"Authorization": f"Bearer {login(server, 'asha')}"},
                            json={"docs": [{**make_expense("asha"), "km": -5}]})
    assert refused.json()[0]["error"] == "forbidden", refused.text
    # An accepted order deleted straight in the store is written back, and the attempt listed.
    store, ravi_db = services.store, engineer_db_name(services.settings.db_prefix, "ravi")
    sold = next(r["id"] for r in store.all_docs(ravi_db) if r["id"].startswith("order:"))
    store.bulk_docs(ravi_db, [{"_id": sold, "_rev": store.get_doc(ravi_db, sold)["_rev"],
                               "_deleted": True}])
    DirtySet(services.sessions).mark([ravi_db])
    services.worker().run_until_idle()
    page.evaluate("() => { window.location.hash = '#/console/rejections' }")
    rejected = page.get_by_role("table", name="rejected documents")
    sync_api.expect(rejected).to_contain_text("grand_total")
    at_sync = rejected.locator("tr", has_text="At sync (only on the phone)")
    sync_api.expect(at_sync).to_contain_text("km must be at least 0")
    sync_api.expect(at_sync).to_contain_text("asha")
    undone = rejected.locator("tr", has_text="Change of an archived document, undone")
    sync_api.expect(undone).to_contain_text("An accepted order is archived and cannot be deleted")
    sync_api.expect(undone).to_contain_text("ravi")
    shot(page, "rejections-gateway-desktop")
    page.evaluate("() => { window.location.hash = '#/console/orders' }")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"

    page.evaluate("() => { window.location.hash = '#/console/erp' }")
    outbox = page.get_by_role("table", name="outbox")
    first = outbox.locator("tbody tr").first
    order_id = first.locator("td").first.inner_text()
    first.get_by_role("button", name=f"retry {order_id}").click()
    # Without an ERP the server refuses, and the console says why instead of failing quietly.
    sync_api.expect(page.get_by_role("alert")).to_contain_text("No ERP is configured")
    sync_api.expect(outbox.locator("tr", has_text=order_id)).to_contain_text("not_sent")
    page.context.close()

    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_console(browser, server, "adam", "#/console/dashboard", viewport)
        for screen, (heading, tables) in SCREENS.items():
            page.evaluate("h => { window.location.hash = h }", f"#/console/{screen}")
            sync_api.expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            sync_api.expect(page.locator(".fs-card").first).to_be_visible()
            page.wait_for_function("() => !document.body.innerText.includes('Loading…')")
            for name, row_text, empty in tables:
                if row_text is None:
                    sync_api.expect(page.get_by_text(empty)).to_be_visible()
                    sync_api.expect(page.get_by_role("table", name=name, exact=True)
                                    ).to_have_count(0)
                else:
                    rows = page.get_by_role("table", name=name, exact=True).locator(
                        "tbody tr", has_text=row_text)
                    sync_api.expect(rows.first).to_be_visible()
            if screen in SCREEN_MARKS:
                css, text = SCREEN_MARKS[screen]
                sync_api.expect(page.locator(css, has_text=text).first).to_be_visible()
            assert not page.locator(".fs-msg-error").count(), screen
            shot(page, f"{screen.split('?')[0]}-{size}")
        page.context.close()
