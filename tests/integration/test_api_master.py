"""Master data through the API and the CSV/XLSX import: checked, all or nothing, published."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from server.bootstrap import Services
from sync.provisioning import catalog_db_name, customers_db_name
from tests.support.api import ApiClient, api_client, assert_error, gstin, seed
from tests.support.imports import import_job, upload


@pytest.fixture
def api(services: Services) -> Iterator[ApiClient]:
    seed(services)
    yield api_client(services)


def _catalog(services: Services, doc_id: str) -> dict:
    return services.store.get_doc(catalog_db_name(services.settings.db_prefix), doc_id)


def test_product_changes_reach_the_catalog(api: ApiClient, services: Services) -> None:
    r = api.post("/api/v1/products", "adam", json={
        "product_id": "P-400", "name": "Cold room panel", "hsn_code": "94060090",
        "gst_rate": "12", "unit": "sqm"})
    assert r.status_code == 201 and r.json["gst_rate"] == "12"
    assert _catalog(services, "product:P-400")["gst_rate"] == "12"
    assert api.patch("/api/v1/products/P-400", "adam", json={"active": False}).status_code == 200
    assert _catalog(services, "product:P-400")["active"] is False
    assert_error(api.post("/api/v1/products", "adam", json={
        "product_id": "P-400", "name": "Again", "hsn_code": "8418", "gst_rate": "18"}), 409)
    body = assert_error(api.post("/api/v1/products", "adam", json={
        "product_id": "P-401", "name": "Odd", "hsn_code": "8418", "gst_rate": "17"}), 422)
    assert "gst_rate" in body["errors"]


def test_customers_move_between_territory_databases(api: ApiClient, services: Services) -> None:
    prefix = services.settings.db_prefix
    r = api.patch("/api/v1/customers/C-1", "adam", json={"territory_code": "TN"})
    assert r.status_code == 200
    tn = {row["id"] for row in services.store.all_docs(customers_db_name(prefix, "TN"))}
    ka = {row["id"] for row in services.store.all_docs(customers_db_name(prefix, "KA"))}
    assert "customer:C-1" in tn and "customer:C-1" not in ka
    body = assert_error(api.patch("/api/v1/customers/C-1", "adam",
                                  json={"gstin": gstin("27")}), 422)
    assert "gstin" in body["errors"]
    assert_error(api.patch("/api/v1/customers/C-404", "adam", json={"name": "x"}), 404)


def test_price_lists(api: ApiClient, services: Services) -> None:
    r = api.post("/api/v1/price-lists", "adam", json={
        "price_list_id": "PL-2027", "name": "2027", "valid_from": "2027-01-01",
        "items": {"P-100": "45000.00", "P-200": "350"}})
    assert r.status_code == 201 and r.json["items"] == {"P-100": "45000.00", "P-200": "350.00"}
    assert _catalog(services, "price_list:PL-2027")["prices"]["P-200"] == "350.00"
    body = assert_error(api.put("/api/v1/price-lists/PL-2027", "adam", json={
        "name": "2027", "valid_from": "2027-01-01", "items": {"P-999": "1.00"}}), 422)
    assert "items.P-999" in body["errors"]
    assert api.get("/api/v1/price-lists/PL-2027", "asha").json["items"]["P-100"] == "45000.00"


CSV_GOOD = ("Customer ID,Name,State Code,Territory Code,GSTIN,City\n"
            f"C-10,Anand Traders,29,KA,{gstin('29', 'AAACA1234A')},Hubballi\n"
            "C-11,Belur Agro,29,KA,,Hassan\n")
CSV_BAD = ("customer_id,name,state_code,territory_code,gstin\n"
           "C-20,Good One,29,KA,\n"
           "C-21,,29,KA,\n"
           "C-22,Wrong State,99,XX,\n"
           "C-20,Duplicate,29,KA,\n")


def test_csv_import_publishes_every_row(api: ApiClient, services: Services) -> None:
    job = import_job(api, "customers", "customers.csv", CSV_GOOD.encode())
    assert (job["status"], job["imported"], job["rows_read"], job["rows_total"]) == (
        "done", 2, 2, 2)
    db = customers_db_name(services.settings.db_prefix, "KA")
    assert services.store.get_doc(db, "customer:C-11")["city"] == "Hassan"


def test_import_with_bad_rows_changes_nothing_and_lists_them(api: ApiClient) -> None:
    job = import_job(api, "customers", "c.csv", CSV_BAD.encode())
    assert job["status"] == "failed" and "nothing was imported" in job["message"]
    rows = {(e["row"], field) for e in job["errors"] for field in e["errors"]}
    assert rows == {(3, "name"), (4, "state_code"), (4, "territory_code"), (5, "customer_id")}
    assert_error(api.get("/api/v1/customers/C-20", "adam"), 404)
    assert_error(upload(api, "products", "p.txt", b"x"), 422)
    assert_error(upload(api, "products", "p.xlsx", b"not a zip"), 422)
    missing = import_job(api, "products", "p.csv", b"name\nx\n")
    assert missing["status"] == "failed" and "lacks the column(s)" in missing["message"]


def test_xlsx_import_of_products(api: ApiClient, services: Services) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Product ID", "Name", "HSN Code", "GST Rate", "Unit"])
    sheet.append(["P-500", "Insulated door", 8418, 18, "nos"])
    sheet.append(["P-501", "Gasket", "40169390", 12.0, "m"])
    out = io.BytesIO()
    book.save(out)
    job = import_job(api, "products", "products.xlsx", out.getvalue())
    assert (job["status"], job["imported"]) == ("done", 2), job
    assert _catalog(services, "product:P-501")["gst_rate"] == "12"


def test_cli_import_reports_rows(api: ApiClient, services: Services, tmp_path: object,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from server import cli

    bad = Path(str(tmp_path)) / "bad.csv"
    bad.write_text(CSV_BAD)
    monkeypatch.setattr(cli, "_services", lambda: services)
    result = CliRunner().invoke(cli.main, ["import", "customers", str(bad)])
    assert result.exit_code == 1
    assert "row 3 (C-21): name is required" in result.output
    good = Path(str(tmp_path)) / "good.csv"
    good.write_text(CSV_GOOD)
    result = CliRunner().invoke(cli.main, ["import", "customers", str(good)])
    assert result.exit_code == 0 and "Imported 2 customers" in result.output


def test_users_teams_and_deactivation(api: ApiClient, services: Services) -> None:
    r = api.post("/api/v1/users", "adam", json={
        "username": "meena", "password": "a long password", "role": "engineer",
        "team": "south", "territory": "KA", "discount_limit_pct": "7.5"})
    assert r.status_code == 201 and r.json["discount_limit_pct"] == "7.50"
    assert "fs" not in r.json and services.store.db_info(
        f"{services.settings.db_prefix}eng-meena")["db_name"]
    assert_error(api.post("/api/v1/users", "adam", json={
        "username": "meena", "password": "a long password", "role": "engineer"}), 409)
    assert api.patch("/api/v1/users/meena", "adam",
                     json={"discount_limit_pct": "10"}).json["discount_limit_pct"] == "10.00"
    token = api.token("asha")
    assert api.post("/api/v1/users/asha/deactivate", "adam").json["active"] is False
    import time

    time.sleep(1.1)  # the active-user cache lives a second
    assert_error(api.get("/api/v1/offers", headers={"Authorization": f"Bearer {token}"}), 401)
    sync = api.get("/sync/me", headers={"Authorization": f"Bearer {token}"})
    assert sync.status_code == 401
    assert api.post("/api/v1/teams", "adam", json={"name": "west"}).status_code == 201
    teams = {t["name"]: t["members"] for t in api.get("/api/v1/teams", "adam").json["items"]}
    assert teams["south"] == 4 and teams["west"] == 0
