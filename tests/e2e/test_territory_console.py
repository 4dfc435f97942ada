"""An admin allows an engineer another territory on the console's People page (real Chromium)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright import sync_api

from tests.e2e.test_console_browser import (  # noqa: F401
    ConsoleServer,
    browser,
    dist,
    login,
    open_console,
    server,
    shot,
)

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.parametrize("sql_url", ["sqlite"], indirect=True),
]


def test_an_admin_allows_an_engineer_another_territory_on_the_people_page(
        browser: Any, server: ConsoleServer) -> None:  # noqa: F811
    page = open_console(browser, server, "adam", "#/console/people")
    form = page.get_by_role("form", name="Allow territories")
    form.locator("input[name=username]").fill("asha")
    form.locator("input[name=codes]").fill("NOWHERE")
    form.get_by_role("button", name="Allow territories").click()
    sync_api.expect(form.get_by_role("alert")).to_contain_text(
        "territory NOWHERE does not exist; create it first")
    form.locator("input[name=codes]").fill("tn, ")
    form.get_by_role("button", name="Allow territories").click()
    sync_api.expect(form.get_by_role("status")).to_contain_text("saved")
    row = page.get_by_role("table", name="users").locator("tr", has_text="asha")
    sync_api.expect(row).to_contain_text("TN")
    shot(page, "people-extra-territories-desktop")
    page.context.close()
    asha = requests.get(f"{server.url}/api/v1/users/asha", timeout=10, headers={
        "Authorization": f"Bearer {login(server, 'adam')}"}).json()
    assert (asha["territory_code"], asha["extra_territories"]) == ("KA", ["TN"])
