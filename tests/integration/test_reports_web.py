"""The reports API over HTTP: role scoping, CSV/XLSX downloads, errors, targets, day routes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest

from server.bootstrap import Services
from server.reports.jobs import build_jobs, run_report_jobs
from server.sql.models.documents import Order, OrderCancellation, Visit
from server.sql.session import transaction
from sync.documents.cancellations import cancellation_id, request_hash
from sync.provisioning import engineer_db_name
from sync.sql_projection import Outcome, SqlProjection
from tests.factories import make_track
from tests.support.api import ApiClient, api_client, assert_error, seed

DAY = date(2026, 11, 10)
MORNING = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)  # 09:30 in India
RANGE = "date_from=2026-11-01&date_to=2026-11-30"


def _order(doc_id: str, owner: str, total: str) -> Order:
    value = Decimal(total)
    return Order(doc_id=doc_id, db_name=f"fs-eng-{owner}", owner=owner, rev="1-a", rev_pos=1,
                 created_at=MORNING, updated_at=MORNING, loc_lat=12.3, loc_lon=76.6,
                 loc_accuracy_m=5.0, loc_at=MORNING, loc_mock=False, supply="intra",
                 taxable=value, discount=Decimal(0), cgst=Decimal(0), sgst=Decimal(0),
                 igst=Decimal(0), gst=Decimal(0), grand_total=value, offer_id="offer:x",
                 approval_id="approval:x", customer_id="C-1", business_key="k")


@pytest.fixture
def api(services: Services) -> ApiClient:
    seed(services)
    with transaction(services.sessions) as session:
        session.add_all([_order("order:a1", "asha", "1000.00"),
                         _order("order:r1", "ravi", "200.00"),
                         _order("order:b1", "bob", "30.00")])
        session.add(Visit(doc_id="visit:v1", db_name="fs-eng-asha", owner="asha", rev="1-a",
                          rev_pos=1, created_at=MORNING, updated_at=MORNING, purpose="demo",
                          customer_id="C-1", check_in_at=MORNING + timedelta(minutes=30),
                          check_in_lat=12.3001, check_in_lon=76.6, check_in_accuracy_m=8.0))
        points = [{"lat": 12.25 + i * 0.005, "lon": 76.6, "accuracy_m": 5.0, "mock": False,
                   "at": (MORNING + timedelta(minutes=i)).isoformat()} for i in range(11)]
        doc = {**make_track(points, owner="asha"), "_rev": "1-a"}
        SqlProjection().apply(session, "fs-eng-asha", [Outcome(doc=doc, status="accepted")])
    run_report_jobs(*build_jobs(services))
    return api_client(services)


def engineers(api: ApiClient, user: str) -> set[str]:
    r = api.get(f"/api/v1/reports/sales_performance?{RANGE}", user)
    assert r.status_code == 200, r.json
    return {row["engineer"] for row in r.json["rows"] if row["orders"]}  # type: ignore[index]


def test_reports_are_scoped_by_role(api: ApiClient) -> None:
    assert engineers(api, "asha") == {"asha"}
    assert engineers(api, "hema") == {"asha", "ravi"}  # hema heads the south team
    assert engineers(api, "adam") == {"asha", "ravi", "bob"}
    body = assert_error(api.get(f"/api/v1/reports/order_history?{RANGE}&engineer=bob", "hema"),
                        403)
    assert "bob" in body["message"]
    assert_error(api.get(f"/api/v1/reports/travel?{RANGE}&engineer=ravi", "asha"), 403)
    assert_error(api.get(f"/api/v1/reports/travel?{RANGE}"), 401)


def test_money_is_a_decimal_string_in_json(api: ApiClient) -> None:
    r = api.get(f"/api/v1/reports/order_history?{RANGE}", "asha")
    assert r.json["rows"][0]["grand_total"] == "1000.00"  # type: ignore[index]


def test_csv_and_xlsx_downloads(api: ApiClient) -> None:
    r = api.get(f"/api/v1/reports/sales_performance?{RANGE}&format=csv", "adam")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert 'filename="sales_performance_2026-11-01_2026-11-30.csv"' in \
        r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert {row["Engineer"]: row["Order value (INR)"] for row in rows}["asha"] == "1000.00"
    r = api.get(f"/api/v1/reports/travel?{RANGE}&format=xlsx", "asha")
    assert r.status_code == 200 and (r.mimetype or "").endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(r.data))["travel"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Engineer", "Day", "Km travelled (GPS)")
    assert values[1][0] == "asha" and values[1][2] == pytest.approx(5.5, abs=0.1)


def test_bad_requests_get_reasons(api: ApiClient) -> None:
    body = assert_error(api.get("/api/v1/reports/travel?date_from=2026-12-01&date_to=2026-11-01",
                                "adam"), 422)
    assert "after" in body["message"]
    assert_error(api.get("/api/v1/reports/travel?colour=red", "adam"), 422)
    assert_error(api.get("/api/v1/reports/travel?format=pdf", "adam"), 422)
    assert "sales_performance" in assert_error(api.get("/api/v1/reports/nothing", "adam"),
                                               404)["message"]
    assert "travel" in api.get("/api/v1/reports/", "asha").json["reports"]  # type: ignore[index]


def test_targets_are_set_by_heads_and_admins(api: ApiClient) -> None:
    url = "/api/v1/reports/targets/asha/2026-11"
    assert api.put(url, "hema", json={"order_value": "4000.00", "orders": 3}).status_code == 204
    assert_error(api.put(url, "asha", json={"order_value": "9.00"}), 403)
    assert_error(api.put("/api/v1/reports/targets/bob/2026-11", "hema",
                         json={"order_value": "9.00"}), 403)
    assert_error(api.put(url, "adam", json={"order_value": "lots"}), 422)
    r = api.get(f"/api/v1/reports/sales_performance?{RANGE}", "asha")
    row = r.json["rows"][0]  # type: ignore[index]
    assert (row["target_value"], row["achievement_pct"]) == ("4000.00", "25.0")


def ask_to_cancel(api: ApiClient, order_id: str, owner: str, reason: str) -> None:
    """The engineer's request, as the worker projects it."""
    with transaction(api.services.sessions) as session:
        session.add(OrderCancellation(
            doc_id=cancellation_id(order_id), owner=owner, rev="1-c", rev_pos=1,
            db_name=engineer_db_name(api.services.settings.db_prefix, owner),
            created_at=MORNING, updated_at=MORNING, order_id=order_id, reason=reason,
            terms_hash=request_hash({"order_id": order_id, "reason": reason})))


def decide(api: ApiClient, order_id: str, outcome: str, note: str = "") -> str:
    """The head's decision on the request, through the API; the cancellation's status."""
    r = api.post(f"/api/v1/orders/{order_id}/cancellation/decision", "hema",
                 json={"outcome": outcome, "note": note})
    assert r.status_code == 201, r.json
    return str(r.json["status"])  # type: ignore[index]


def test_cancelled_orders_leave_sales_figures_targets_and_history(api: ApiClient) -> None:
    assert api.put("/api/v1/reports/targets/asha/2026-11", "hema",
                   json={"order_value": "4000.00", "orders": 1}).status_code == 204
    ask_to_cancel(api, "order:a1", "asha", "Customer went bankrupt")
    assert decide(api, "order:a1", "approved") == "cancelled"

    sales = api.get(f"/api/v1/reports/sales_performance?{RANGE}", "hema").json
    asha = {r["engineer"]: r for r in sales["rows"]}["asha"]  # type: ignore[index]
    assert (asha["orders"], asha["order_value"], asha["achievement_pct"]) == (0, "0.00", "0.0")
    assert sales["summary"]["orders"] == 1  # type: ignore[index]
    assert sales["summary"]["order_value"] == "200.00"  # type: ignore[index]

    history = api.get(f"/api/v1/reports/order_history?{RANGE}", "hema").json
    assert [r["order_id"] for r in history["rows"]] == ["order:r1"]  # type: ignore[index]
    assert history["summary"]["orders"] == 1  # type: ignore[index]
    assert history["summary"]["order_value"] == "200.00"  # type: ignore[index]
    assert history["summary"]["cancelled"] == {  # type: ignore[index]
        "orders": 1, "order_value": "1000.00"}
    rows = list(csv.DictReader(io.StringIO(api.get(
        f"/api/v1/reports/sales_performance?{RANGE}&format=csv", "adam").data.decode("utf-8-sig"))))
    assert {row["Engineer"]: row["Orders"] for row in rows} == {"asha": "0", "ravi": "1",
                                                                "bob": "1"}


def test_a_declined_cancellation_leaves_the_order_counted(api: ApiClient) -> None:
    ask_to_cancel(api, "order:r1", "ravi", "Wrong model")
    assert decide(api, "order:r1", "declined", "The chiller is installed") == "declined"
    history = api.get(f"/api/v1/reports/order_history?{RANGE}&engineer=ravi", "hema").json
    assert [r["order_id"] for r in history["rows"]] == ["order:r1"]  # type: ignore[index]
    assert history["summary"]["cancelled"] == {"orders": 0,  # type: ignore[index]
                                               "order_value": "0.00"}


def test_day_route_as_geojson(api: ApiClient) -> None:
    r = api.get(f"/api/v1/reports/route?engineer=asha&day={DAY}", "hema")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    collection = r.json
    assert collection["type"] == "FeatureCollection"  # type: ignore[index]
    kinds = {f["properties"]["kind"]: f for f in collection["features"]}  # type: ignore[index]
    assert kinds["track"]["geometry"]["type"] == "LineString"
    assert kinds["visit"]["properties"]["verification"] == "inside"
    assert kinds["order"]["properties"]["grand_total"] == "1000.00"
    assert_error(api.get(f"/api/v1/reports/route?engineer=asha&day={DAY}", "bob"), 403)
    assert_error(api.get("/api/v1/reports/route?day=yesterday", "asha"), 422)


def test_reports_are_in_the_openapi_document(api: ApiClient) -> None:
    paths = api.get("/api/openapi.json").json["paths"]  # type: ignore[index]
    assert {"/api/v1/reports/{name}", "/api/v1/reports/route"} <= set(paths)
