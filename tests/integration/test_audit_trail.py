"""Each kind of change reaches the audit trail through the real API, with who, where, before and
after; only admins read it, filter it and export it (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import getpass
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from server.bootstrap import Services
from sync.provisioning import engineer_db_name
from tests.factories import make_expense, make_lead, make_offer
from tests.support.api import (
    PASSWORD,
    ApiClient,
    api_client,
    assert_error,
    gstin,
    phone_writes,
    seed,
)
from tests.support.imports import import_job

pytestmark = pytest.mark.timeout(300)
DEVICE = {"X-Device-Id": "console-tab-1"}


@pytest.fixture
def api(services: Services) -> Iterator[ApiClient]:
    seed(services)
    yield api_client(services)


def trail(api: ApiClient, **filters: str) -> list[dict[str, Any]]:
    """The rows the filters match, oldest first, as an admin reads them."""
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    reply = api.get(f"/api/v1/audit?page_size=200&{query}", "adam")
    assert reply.status_code == 200, reply.data
    return list(reversed(reply.json["items"]))


def last(api: ApiClient, action: str) -> dict[str, Any]:
    rows = trail(api, action=action)
    assert rows, f"no {action} row"
    return rows[-1]


def test_master_data_changes_record_the_admin_the_address_and_what_changed(
        api: ApiClient) -> None:
    body = {"customer_id": "C-50", "name": "Hassan Agro", "state_code": "29",
            "territory_code": "KA", "gstin": gstin("29", "AAACH1234H"), "city": "Hassan"}
    assert api.post("/api/v1/customers", "adam", json=body, headers=DEVICE).status_code == 201
    created = last(api, "customer.create")
    assert (created["actor"], created["actor_role"]) == ("adam", "admin")
    assert created["address"] == "127.0.0.1" and created["device_id"] == "console-tab-1"
    assert created["before"] is None and created["after"]["name"] == "Hassan Agro"
    assert (created["entity_type"], created["entity_id"]) == ("customer", "C-50")

    assert api.patch("/api/v1/customers/C-50", "adam", json={"city": "Belur"}).status_code == 200
    updated = last(api, "customer.update")
    assert updated["before"] == {"city": "Hassan"} and updated["after"] == {"city": "Belur"}

    assert api.patch("/api/v1/products/P-100", "adam",
                     json={"gst_rate": "28"}).status_code == 200
    product = last(api, "product.update")
    assert product["before"] == {"gst_rate": "18.000"} and product["after"] == {"gst_rate": "28"}

    prices = {"price_list_id": "PL-KA", "name": "Karnataka", "valid_from": "2026-11-01",
              "territory_code": "KA", "items": {"P-100": "185000.00"}}
    assert api.post("/api/v1/price-lists", "adam", json=prices).status_code == 201
    assert last(api, "price_list.create")["after"]["items"] == {"P-100": "185000.00"}
    prices.pop("price_list_id")
    assert api.put("/api/v1/price-lists/PL-KA", "adam",
                   json={**prices, "items": {"P-100": "150000.00"}}).status_code == 200
    changed = last(api, "price_list.update")
    assert changed["before"] == {"items": {"P-100": "185000.00"}}
    assert changed["after"] == {"items": {"P-100": "150000.00"}}

    assert api.post("/api/v1/territories", "adam",
                    json={"code": "MH", "name": "Maharashtra"}).status_code == 201
    assert last(api, "territory.save")["after"] == {"name": "Maharashtra"}


def test_an_import_records_each_row_and_the_job_in_the_uploaders_name(api: ApiClient) -> None:
    data = (b"Customer ID,Name,State Code,Territory Code,City\n"
            b"C-60,Mandya Mills,29,KA,Mandya\n"
            b"C-1,Sri Lakshmi Cold Storage,29,KA,Mysuru\n")
    job = import_job(api, "customers", "customers.csv", data)
    assert job["status"] == "done", job
    created = last(api, "customer.create")
    assert (created["entity_id"], created["actor"]) == ("C-60", "adam")
    done = last(api, "import.done")
    assert (done["entity_id"], done["actor"], done["after"]) == (job["id"], "adam",
                                                                 {"imported": 2})


def test_user_changes_are_recorded_and_no_password_ever_is(api: ApiClient) -> None:
    new = {"username": "kiran", "password": "another long secret", "role": "engineer",
           "team": "south", "territory": "KA", "discount_limit_pct": "5"}
    assert api.post("/api/v1/users", "adam", json=new).status_code == 201
    created = last(api, "user.create")
    assert created["entity_id"] == "kiran" and created["after"]["role"] == "engineer"
    assert api.patch("/api/v1/users/kiran", "adam",
                     json={"discount_limit_pct": "12.5"}).status_code == 200
    updated = last(api, "user.update")
    assert (updated["before"], updated["after"]) == ({"discount_limit_pct": "5.00"},
                                                     {"discount_limit_pct": "12.50"})
    assert api.put("/api/v1/users/kiran/password", "adam",
                   json={"password": "a brand new secret"}).status_code == 204
    reset = last(api, "user.password_set")
    assert reset["actor"] == "adam" and reset["after"]["password"] == "set"
    assert api.post("/api/v1/users/kiran/deactivate", "adam").status_code == 200
    gone = last(api, "user.deactivate")
    assert gone["before"] == {"active": True} and gone["after"]["active"] is False

    changed = api.post("/api/v1/auth/password", "asha", json={
        "current_password": PASSWORD, "new_password": "asha's own new secret"})
    assert changed.status_code == 200
    assert last(api, "user.password_change")["actor"] == "asha"

    everything = json.dumps(trail(api, entity_type="user"))
    for secret in ("another long secret", "a brand new secret", "asha's own new secret",
                   "argon2"):
        assert secret not in everything


def test_head_decisions_lead_moves_expenses_rates_and_targets_are_recorded(
        api: ApiClient, services: Services) -> None:
    offer = make_offer("asha", "C-1", [("P-100", 2, "500.00", "12", "18")], status="presented")
    lead = make_lead("asha", stage="po", lead_id="lead:l1")
    for day, step in enumerate(lead["history"], start=1):  # moved on the phone days ago
        step["at"] = f"2026-11-{day:02d}T10:00:00+05:30"
    expense = make_expense("asha", amount="500.00")
    phone_writes(services, "asha", offer, lead, expense)
    assert api.post(f"/api/v1/offers/{offer['_id']}/decision", "hema",
                    json={"outcome": "approved", "note": "strategic"}).status_code == 201
    decided = last(api, "decision.discount")
    assert (decided["actor"], decided["entity_type"], decided["entity_id"]) == (
        "hema", "offer", offer["_id"])
    assert decided["before"] is None and decided["after"]["outcome"] == "approved"
    assert decided["after"]["terms"] == "12%"

    assert api.post("/api/v1/leads/lead:l1/moves", "hema",
                    json={"stage": "proposal"}).status_code == 201
    moved = last(api, "lead.move")
    assert moved["before"] == {"stage": "po"} and moved["after"]["stage"] == "proposal"

    assert api.post(f"/api/v1/expenses/{expense['_id']}/decision", "hema",
                    json={"outcome": "approved"}).status_code == 201
    approved = last(api, "decision.expense")
    assert (approved["entity_type"], approved["entity_id"]) == ("expense", expense["_id"])
    assert approved["after"]["outcome"] == "approved" and "500.00" in approved["after"]["terms"]
    assert api.post(f"/api/v1/expenses/{expense['_id']}/reimbursed", "hema").status_code == 200
    paid = last(api, "expense.reimburse")
    assert (paid["actor"], paid["before"], paid["after"]) == ("hema", {"reimbursed": False},
                                                              {"reimbursed": True})

    assert api.put("/api/v1/travel-rates/car", "adam",
                   json={"rate_per_km": "9.50"}).status_code == 200
    assert last(api, "travel_rate.set")["after"] == {"rate_per_km": "9.50"}

    url = "/api/v1/reports/targets/asha/2026-11"
    assert api.put(url, "hema", json={"order_value": "4000.00", "orders": 3}).status_code == 204
    assert api.put(url, "hema", json={"order_value": "5000.00", "orders": 3}).status_code == 204
    target = last(api, "target.set")
    assert target["entity_id"] == "asha/2026-11"
    assert target["before"] == {"order_value": "4000.00", "orders": 3}
    assert target["after"] == {"order_value": "5000.00", "orders": 3}


def test_only_admins_read_and_export_the_trail(api: ApiClient) -> None:
    for user in ("hema", "asha"):
        assert_error(api.get("/api/v1/audit", user), 403)
        assert_error(api.get("/api/v1/audit/export?format=csv", user), 403)
        assert_error(api.get("/api/v1/audit/verify", user), 403)
    assert_error(api.get("/api/v1/audit"), 401)
    assert_error(api.get("/api/v1/audit?from=2026-12-02&to=2026-12-01", "adam"), 422)
    assert_error(api.get("/api/v1/audit/export?format=pdf", "adam"), 422)
    assert_error(api.get("/api/v1/audit?sort=hash", "adam"), 422)
    body = assert_error(api.get("/api/v1/audit?entity_id=C%00-1", "adam"), 422)
    assert "NUL" in str(body["errors"])


def test_filters_by_actor_action_entity_and_days(api: ApiClient) -> None:
    api.patch("/api/v1/customers/C-1", "adam", json={"city": "Mandya"})
    api.patch("/api/v1/customers/C-2", "adam", json={"city": "Pune"})
    api.put("/api/v1/reports/targets/asha/2026-11", "hema", json={"order_value": "10.00"})
    assert {r["actor"] for r in trail(api, actor="hema")} == {"hema"}
    assert [r["entity_id"] for r in trail(api, action="customer.update")] == ["C-1", "C-2"]
    assert {r["action"] for r in trail(api, action="customer")} == {"customer.create",
                                                                    "customer.update"}
    one = trail(api, entity_type="customer", entity_id="C-2")
    assert [r["action"] for r in one] == ["customer.create", "customer.update"]
    today = one[-1]["at"][:10]
    assert trail(api, **{"from": "2020-01-01", "to": "2020-01-31"}) == []
    assert len(trail(api, **{"from": "2020-01-01"})) == api.get(
        "/api/v1/audit", "adam").json["total"]
    assert trail(api, **{"from": today, "actor": "hema"})

    paged = api.get("/api/v1/audit?page=2&page_size=3", "adam").json
    total = paged["total"]
    assert total > 6 and len(paged["items"]) == 3
    assert paged["items"][0]["seq"] == total - 3  # newest first, three per page
    assert api.get("/api/v1/audit/verify", "adam").json == {
        "intact": True, "rows": total, "broken_at": None, "problem": None,
        "last_hash": trail(api)[-1]["hash"]}


def test_csv_and_xlsx_exports_hold_the_filtered_rows(api: ApiClient) -> None:
    api.patch("/api/v1/customers/C-1", "adam", json={"city": "=HYPERLINK(1)"})
    api.patch("/api/v1/customers/C-2", "adam", json={"city": "Pune"})
    reply = api.get("/api/v1/audit/export?format=csv&action=customer.update", "adam")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert 'filename="audit.csv"' in reply.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["No.", "When", "Who"] and len(rows) == 3
    assert [r[8] for r in rows[1:]] == ["C-1", "C-2"] and rows[1][2] == "adam"
    assert json.loads(rows[1][10]) == {"city": "=HYPERLINK(1)"}  # the JSON, never a formula

    reply = api.get("/api/v1/audit/export?format=xlsx&entity_id=C-2", "adam")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.data)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][6] == "Action"
    assert [v[6] for v in values[1:]] == ["customer.create", "customer.update"]
    assert json.loads(values[2][10]) == {"city": "Pune"}


def test_command_line_changes_name_the_operator(api: ApiClient, services: Services,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from server import cli

    monkeypatch.setattr(cli, "_services", lambda: services)
    result = CliRunner().invoke(cli.main, ["user", "create", "lata", "--role", "head",
                                           "--team", "south", "--password-stdin"],
                                input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    created = last(api, "user.create")
    assert (created["entity_id"], created["actor"], created["actor_role"]) == (
        "lata", f"cli:{getpass.getuser()}", "cli")
    assert "a long enough secret" not in json.dumps(created)


def test_a_decision_the_phone_database_cannot_take_is_recorded_as_withdrawn(
        api: ApiClient, services: Services) -> None:
    offer = make_offer("asha", "C-1", [("P-100", 2, "500.00", "12", "18")], status="presented")
    phone_writes(services, "asha", offer)
    services.store.delete_db(engineer_db_name(services.settings.db_prefix, "asha"))
    assert_error(api.post(f"/api/v1/offers/{offer['_id']}/decision", "hema",
                          json={"outcome": "approved"}), 503)
    rows = trail(api, entity_id=offer["_id"])
    assert [r["action"] for r in rows] == ["decision.discount", "decision.discount_withdrawn"]
    assert rows[1]["actor"] == "hema" and rows[1]["after"]["restored"] is None
    assert api.get("/api/v1/audit/verify", "adam").json["intact"]
