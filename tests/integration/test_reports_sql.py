"""Every report on a small hand-checked data set, on SQLite and PostgreSQL, and its scoping."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from server.accounts.roles import Principal, Role
from server.bootstrap import Services
from server.location import GeofenceRules
from server.reports import OutOfScopeError, ReportFilter
from server.reports.errors import InvalidFilterError, InvalidTargetError
from server.reports.rollup import TravelRollup
from server.reports.service import REPORTS, ReportService
from server.reports.sqlutil import zone
from server.reports.verification import VerificationJob
from server.sql.models.accounts import LoginEvent, Team, User
from server.sql.models.conflicts import Conflict
from server.sql.models.documents import (
    CustomerApproval,
    Expense,
    Lead,
    LeadStageHistory,
    Offer,
    Order,
    Visit,
)
from server.sql.models.master import Customer, Territory
from server.sql.models.sales import HeadDecision
from server.sql.models.sync_state import DocumentStatus, RejectedDocument
from server.sql.session import transaction
from sync.sql_projection import Outcome, SqlProjection
from tests.factories import make_track

TZ = zone("Asia/Kolkata")
NOVEMBER = ReportFilter(date(2026, 11, 1), date(2026, 11, 30))
C1 = (12.9716, 77.5946)
ADMIN = Principal(100, "root", Role.ADMIN)


def ist(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def header(doc_id: str, owner: str, at: datetime, lat: float | None = None,
           lon: float | None = None) -> dict[str, Any]:
    return {"doc_id": doc_id, "db_name": f"fs-eng-{owner}", "owner": owner, "rev": "1-a",
            "rev_pos": 1, "created_at": at, "updated_at": at, "loc_lat": lat, "loc_lon": lon,
            "loc_accuracy_m": None if lat is None else 10.0, "loc_at": at if lat else None,
            "loc_mock": False if lat else None}


def totals(taxable: str, discount: str, grand: str) -> dict[str, Any]:
    gst = Decimal(grand) - Decimal(taxable)
    return {"supply": "intra", "taxable": Decimal(taxable), "discount": Decimal(discount),
            "cgst": gst / 2, "sgst": gst / 2, "igst": Decimal(0), "gst": gst,
            "grand_total": Decimal(grand)}


def offer(doc_id: str, owner: str, at: datetime, taxable: str, discount: str) -> Offer:
    return Offer(**header(doc_id, owner, at, *C1), **totals(taxable, discount, taxable),
                 customer_id="C-1", status="approved", valid_until=date(2026, 12, 31),
                 content_hash="sha256:0", business_key="k", max_discount_pct=Decimal(10))


def order(doc_id: str, offer_id: str, owner: str, at: datetime, grand: str, erp: str,
          customer: str = "C-1") -> Order:
    return Order(**header(doc_id, owner, at, *C1), **totals(grand, "0", grand),
                 offer_id=offer_id, approval_id="approval:x", customer_id=customer,
                 business_key="k", erp_status=erp,
                 erp_number="45001" if erp == "accepted" else None)


def lead(doc_id: str, owner: str, value: str, steps: list[tuple[str, datetime]],
         lost_reason: str | None = None) -> list[Any]:
    row = Lead(**header(doc_id, owner, steps[0][1]), title="Pump", expected_value=Decimal(value),
               stage=steps[-1][0], lost_reason=lost_reason, customer_id="C-1")
    return [row] + [LeadStageHistory(lead_id=doc_id, position=i, stage=s, at=at, by=owner)
                    for i, (s, at) in enumerate(steps)]


def visit(doc_id: str, owner: str, at: datetime, customer: str, lat: float,
          lon: float) -> Visit:
    return Visit(**header(doc_id, owner, at), customer_id=customer, purpose="demo",
                 check_in_at=at, check_in_lat=lat, check_in_lon=lon, check_in_accuracy_m=12.0,
                 check_out_at=at + timedelta(hours=1))


def people(session: Any) -> None:
    session.add_all([Territory(code="south", name="South"), Territory(code="west", name="West"),
                     Team(id=1, name="Bengaluru"), Team(id=2, name="Pune")])
    session.flush()
    for i, (name, role, team, territory) in enumerate([
            ("asha", "engineer", 1, "south"), ("ravi", "engineer", 1, "south"),
            ("meena", "engineer", 2, "west"), ("head1", "head", 1, None)]):
        session.add(User(id=i + 1, username=name, password_hash="x", role=role, team_id=team,
                         territory_code=territory, full_name=name.title()))
    session.add_all([
        Customer(customer_id="C-1", name="Kaveri Pumps", state_code="29", lat=C1[0],
                 lon=C1[1], territory_code="south"),
        Customer(customer_id="C-2", name="Deccan Agro", state_code="27", territory_code="west")])


def sales(session: Any) -> None:
    session.add_all([
        offer("offer:o0", "asha", ist(30, 10, month=10), "100.00", "0.00"),
        offer("offer:o1", "asha", ist(9, 10), "900.00", "100.00"),
        offer("offer:o2", "asha", ist(9, 11), "1800.00", "200.00"),
        offer("offer:o3", "ravi", ist(11, 10), "500.00", "0.00"),
        offer("offer:o4", "meena", ist(19, 10), "950.00", "50.00")])
    session.flush()
    session.add_all([
        order("order:r1", "offer:o1", "asha", ist(10, 12), "1062.00", "accepted"),
        order("order:r3", "offer:o3", "ravi", ist(12, 12), "590.00", "queued"),
        order("order:r4", "offer:o4", "meena", ist(20, 12), "1121.00", "failed", "C-2"),
        CustomerApproval(**header("approval:a1", "asha", ist(10, 11), *C1),
                         offer_id="offer:o1", offer_hash="sha256:0", signed_by="R. Kumar",
                         signed_at=ist(10, 11), signature="signature.png")])


def funnel(session: Any) -> None:
    for rows in (
            lead("lead:l1", "asha", "10000.00", [("potential", ist(1, 10)),
                                                 ("proposal", ist(3, 10)), ("po", ist(7, 10))]),
            lead("lead:l2", "asha", "5000.00", [("potential", ist(2, 10)),
                                                ("proposal", ist(6, 10)), ("lost", ist(8, 10))],
                 "price"),
            lead("lead:l3", "ravi", "2000.00", [("potential", ist(5, 10)), ("lost", ist(6, 10))],
                 "competitor"),
            lead("lead:l4", "meena", "1000.00", [("potential", ist(4, 10))])):
        session.add(rows[0])
        session.flush()
        session.add_all(rows[1:])


def field_work(session: Any) -> None:
    session.add_all([
        visit("visit:v1", "asha", ist(10, 10), "C-1", *C1),
        visit("visit:v2", "asha", ist(10, 14), "C-1", C1[0] + 0.045, C1[1]),  # about 5 km north
        visit("visit:v3", "ravi", ist(11, 10), "C-2", 18.52, 73.85),
        Expense(**header("expense:e1", "asha", ist(10, 19)), date=date(2026, 11, 10),
                from_place="Office", to_place="Kaveri", mode="bike", km=Decimal(30),
                amount=Decimal("300.00"), purpose="visits")])


def activity(session: Any) -> None:
    session.add_all([
        LoginEvent(username="asha", kind="failed", at=ist(10, 8, 59), user_agent="phone-A"),
        LoginEvent(username="asha", kind="login", at=ist(10, 9), user_agent="phone-A",
                   address="10.0.0.1"),
        LoginEvent(username="asha", kind="refresh", at=ist(10, 13), user_agent="phone-B",
                   address="10.0.0.1"),
        LoginEvent(username="ravi", kind="login", at=ist(11, 9), user_agent="phone-C"),
        Conflict(db_name="fs-eng-asha", doc_id="offer:o2", doc_type="offer", owner="asha",
                 winner_rev="2-a", status="open", open_key="x", opened_at=ist(15, 10)),
        Conflict(db_name="fs-eng-ravi", doc_id="offer:o3", doc_type="offer", owner="ravi",
                 winner_rev="2-a", status="resolved", opened_at=ist(16, 10))])
    for doc_id, at in (("order:r1", ist(10, 9, 5)), ("visit:v1", ist(10, 18))):
        session.add(DocumentStatus(db_name="fs-eng-asha", doc_id=doc_id, doc_type="x",
                                   owner="asha", rev="1-a", rev_pos=1, status="accepted",
                                   processed_at=at))
    for doc_id, kind, day in (("order:bad", "order", 16), ("visit:bad", "visit", 17)):
        session.add(RejectedDocument(db_name="fs-eng-asha", doc_id=doc_id, rev="1-a",
                                     doc_type=kind, owner="asha", reason="bad", body={},
                                     rejected_at=ist(day, 10)))


def tracks(services: Services) -> None:
    """Two days of breadcrumbs through the worker's own projection code."""
    north = [{"lat": 12.90 + i * 0.01, "lon": 77.60, "accuracy_m": 6.0, "mock": False,
              "at": (ist(10, 9) + timedelta(minutes=i)).isoformat()} for i in range(11)]
    mocked = [{"lat": 18.50 + i * 0.001, "lon": 73.85, "accuracy_m": 6.0, "mock": i % 2 == 0,
               "at": (ist(11, 9) + timedelta(minutes=i)).isoformat()} for i in range(10)]
    now = ist(30, 23)
    with transaction(services.sessions) as session:
        for owner, points in (("asha", north), ("ravi", mocked)):
            doc = {**make_track(points, owner=owner), "_rev": "1-a"}
            SqlProjection(clock=lambda: now).apply(session, f"fs-eng-{owner}",
                                                   [Outcome(doc=doc, status="accepted")])


@pytest.fixture
def reports(services: Services) -> Iterator[ReportService]:
    with transaction(services.sessions) as session:
        people(session)
        sales(session)
        funnel(session)
        field_work(session)
        activity(session)
    tracks(services)
    service = ReportService(services.sessions, TZ)
    service.set_target(ADMIN, "asha", "2026-11", "2000.00", 2)
    TravelRollup(services.sessions, TZ).run()
    VerificationJob(services.sessions, GeofenceRules(radius_m=300)).run()
    yield service


def by(rows: list[dict[str, Any]], key: str = "engineer") -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_sales_performance(reports: ReportService) -> None:
    rows = by(reports.run("sales_performance", ADMIN, NOVEMBER).rows)
    asha, ravi, meena = rows["asha"], rows["ravi"], rows["meena"]
    assert (asha["offers"], asha["orders"], asha["order_value"]) == (2, 1, Decimal("1062.00"))
    assert asha["conversion_pct"] == Decimal("50.0")
    assert asha["avg_discount_pct"] == Decimal("10.0")  # 300 off 3000 gross
    assert asha["target_value"] == Decimal("2000.00") and asha["target_orders"] == 2
    assert asha["achievement_pct"] == Decimal("53.1")
    assert (ravi["conversion_pct"], ravi["avg_discount_pct"]) == (Decimal("100.0"), Decimal("0.0"))
    assert meena["avg_discount_pct"] == Decimal("5.0") and meena["achievement_pct"] is None


def test_order_history_with_erp_status(reports: ReportService) -> None:
    table = reports.run("order_history", ADMIN, NOVEMBER)
    assert [r["order_id"] for r in table.rows] == ["order:r4", "order:r3", "order:r1"]
    assert table.rows[2]["erp_number"] == "45001" and table.rows[2]["customer_name"] == \
        "Kaveri Pumps"
    assert table.summary["by_erp_status"] == {"accepted": 1, "queued": 1, "failed": 1}
    assert table.summary["order_value"] == Decimal("2773.00")
    per_customer = reports.run("order_history", ADMIN, ReportFilter(
        NOVEMBER.date_from, NOVEMBER.date_to, customer="C-2"))
    assert [r["order_id"] for r in per_customer.rows] == ["order:r4"]
    failed = reports.run("order_history", ADMIN, ReportFilter(
        NOVEMBER.date_from, NOVEMBER.date_to, status="failed", engineer="meena"))
    assert [r["erp_status"] for r in failed.rows] == ["failed"]


def test_lead_funnel(reports: ReportService) -> None:
    table = reports.run("lead_funnel", ADMIN, NOVEMBER)
    stages = {r["stage"]: r for r in table.rows if r["section"] == "stage"}
    assert stages["potential"]["leads"] == 1 and stages["potential"]["reached"] == 4
    assert stages["po"]["value"] == Decimal("10000.00")
    assert stages["lost"]["leads"] == 2 and stages["lost"]["value"] == Decimal("7000.00")
    assert stages["potential"]["conversion_pct"] == Decimal("50.0")  # 2 of 4 reached proposal
    assert stages["proposal"]["conversion_pct"] == Decimal("50.0")
    assert stages["po"]["conversion_pct"] == Decimal("0.0")
    assert stages["potential"]["median_days"] == Decimal("2.0")  # 2, 4 and 1 days
    assert stages["proposal"]["median_days"] == Decimal("3.0")  # 4 and 2 days
    lost = [(r["lost_reason"], r["leads"], r["value"]) for r in table.rows
            if r["section"] == "lost_reason"]
    assert lost == [("competitor", 1, Decimal("2000.00")), ("price", 1, Decimal("5000.00"))]


def test_visits_with_verification_flags(reports: ReportService) -> None:
    table = reports.run("visits", ADMIN, NOVEMBER)
    rows = {(r["engineer"], r["day"]): r for r in table.rows}
    asha = rows[("asha", date(2026, 11, 10))]
    assert (asha["visits"], asha["customers"], asha["inside"], asha["outside"]) == (2, 1, 1, 1)
    ravi = rows[("ravi", date(2026, 11, 11))]
    assert (ravi["visits"], ravi["unknown"], ravi["unverified"]) == (1, 1, 0)
    outside = reports.run("visits", ADMIN, ReportFilter(NOVEMBER.date_from, NOVEMBER.date_to,
                                                       status="outside"))
    assert [(r["engineer"], r["visits"]) for r in outside.rows] == [("asha", 1)]


def test_verifications_cover_offers_approvals_orders_and_visits(reports: ReportService) -> None:
    table = reports.run("verifications", ADMIN, NOVEMBER)
    found = {r["doc_id"]: r for r in table.rows}
    assert found["visit:v2"]["status"] == "outside"
    assert 4900 < found["visit:v2"]["distance_m"] < 5100
    assert found["visit:v3"]["reason"] == "customer_without_coordinates"
    assert found["approval:a1"]["status"] == "inside" and found["order:r1"]["status"] == "inside"
    assert found["order:r4"]["status"] == "unknown"  # C-2 has no coordinates
    assert "offer:o0" not in found  # October
    assert table.summary["by_status"]["outside"] == 1


def test_travel_against_expenses(reports: ReportService) -> None:
    table = reports.run("travel", ADMIN, NOVEMBER)
    asha = {(r["engineer"], r["day"]): r for r in table.rows}[("asha", date(2026, 11, 10))]
    assert asha["km"] == Decimal("11.1")  # ten steps of 0.01 degree of latitude
    assert asha["km_claimed"] == Decimal("30.0") and asha["amount_claimed"] == Decimal("300.00")
    assert asha["km_claimed_over_gps"] == Decimal("18.9")
    assert asha["moving_h"] == Decimal("0.2") and asha["integrity_score"] == 100


def test_integrity_scores_and_reasons(reports: ReportService) -> None:
    table = reports.run("integrity", ADMIN, NOVEMBER)
    ravi = table.rows[0]  # lowest score first
    assert ravi["engineer"] == "ravi" and ravi["score"] < 100
    assert "mock_location" in ravi["reason_codes"] and ravi["mock_points"] == 5
    assert "5 of 10 fixes came from a mock-location app" in ravi["reasons"]
    assert table.summary["days_by_reason"] == {"mock_location": 1}


def test_logins_and_syncs(reports: ReportService) -> None:
    rows = {(r["user"], r["day"]): r for r in reports.run("logins", ADMIN, NOVEMBER).rows}
    asha = rows[("asha", date(2026, 11, 10))]
    assert (asha["logins"], asha["failed"], asha["refreshes"], asha["devices"]) == (1, 1, 1, 2)
    assert asha["first_sync"] == ist(10, 9, 5) and asha["last_sync"] == ist(10, 18)
    assert asha["documents_synced"] == 2
    assert rows[("ravi", date(2026, 11, 11))]["logins"] == 1


def test_conflicts_and_rejections(reports: ReportService) -> None:
    rows = by(reports.run("conflicts", ADMIN, NOVEMBER).rows)
    assert (rows["asha"]["conflicts_open"], rows["asha"]["rejections"]) == (1, 2)
    assert rows["asha"]["rejections_by_type"] == "order: 1, visit: 1"
    assert (rows["ravi"]["conflicts"], rows["ravi"]["conflicts_resolved"]) == (1, 1)


HEAD = Principal(4, "head1", Role.HEAD, team_id=1)
ASHA = Principal(1, "asha", Role.ENGINEER, team_id=1, territory_code="south")


def engineers_in(table: Any) -> set[str]:
    key = "user" if table.name == "logins" else "engineer"
    return {row[key] for row in table.rows} if table.name != "lead_funnel" else set()


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_is_scoped_by_role(reports: ReportService, name: str) -> None:
    everyone = reports.run(name, ADMIN, NOVEMBER)
    team = reports.run(name, HEAD, NOVEMBER)
    own = reports.run(name, ASHA, NOVEMBER)
    if name == "lead_funnel":
        assert (everyone.summary["leads"], team.summary["leads"], own.summary["leads"]) == \
            (4, 3, 2)
        return
    assert engineers_in(team) <= {"asha", "ravi"} and engineers_in(own) <= {"asha"}
    assert "asha" in engineers_in(own)
    if name != "integrity":
        assert "meena" in engineers_in(everyone) or name in {"logins", "conflicts", "travel",
                                                            "visits"}
    with pytest.raises(OutOfScopeError):
        reports.run(name, HEAD, ReportFilter(NOVEMBER.date_from, NOVEMBER.date_to,
                                             engineer="meena"))
    with pytest.raises(OutOfScopeError):
        reports.run(name, ASHA, ReportFilter(NOVEMBER.date_from, NOVEMBER.date_to,
                                             engineer="ravi"))


def test_admin_filters_by_team_and_territory(reports: ReportService) -> None:
    team2 = reports.run("sales_performance", ADMIN, ReportFilter(
        NOVEMBER.date_from, NOVEMBER.date_to, team_id=2))
    assert [r["engineer"] for r in team2.rows] == ["meena"]
    south = reports.run("order_history", ADMIN, ReportFilter(
        NOVEMBER.date_from, NOVEMBER.date_to, territory="south"))
    assert {r["engineer"] for r in south.rows} == {"asha", "ravi"}
    first_week = reports.run("order_history", ADMIN, ReportFilter(date(2026, 11, 1),
                                                                  date(2026, 11, 10)))
    assert [r["order_id"] for r in first_week.rows] == ["order:r1"]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_exports_open_as_csv_and_xlsx(reports: ReportService, name: str) -> None:
    table = reports.run(name, ADMIN, NOVEMBER)
    csv_file = reports.export(table, "csv", NOVEMBER)
    assert csv_file.filename == f"{name}_2026-11-01_2026-11-30.csv"
    parsed = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert parsed[0] == [c.title for c in table.columns] and len(parsed) == len(table.rows) + 1
    book = openpyxl.load_workbook(io.BytesIO(reports.export(table, "xlsx").content))
    sheet = book[name]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == [c.title for c in table.columns]
    assert len(values) == len(table.rows) + 1
    if name == "sales_performance":
        asha = next(row for row in values if row[0] == "asha")
        assert asha[5] == 1062  # a number cell, not text


def test_bad_filters_and_targets_are_refused_with_reasons(reports: ReportService) -> None:
    with pytest.raises(InvalidFilterError, match="date_from"):
        reports.run_args("travel", ADMIN, {"date_from": "2026-13-01"})
    with pytest.raises(InvalidFilterError, match="format"):
        reports.run_args("travel", ADMIN, {"format": "pdf"})
    with pytest.raises(InvalidFilterError, match="status"):
        reports.run("visits", ADMIN, ReportFilter(date(2026, 11, 1), date(2026, 11, 2),
                                                  status="maybe"))
    with pytest.raises(InvalidTargetError, match="month"):
        reports.set_target(ADMIN, "asha", "Nov 2026", "10.00")
    with pytest.raises(InvalidTargetError, match="not an engineer"):
        reports.set_target(ADMIN, "head1", "2026-11", "10.00")
    with pytest.raises(OutOfScopeError):
        reports.set_target(HEAD, "meena", "2026-11", "10.00")
    with pytest.raises(OutOfScopeError):
        reports.set_target(ASHA, "asha", "2026-11", "10.00")


def test_a_cancelled_order_is_no_conversion(services: Services,
                                            reports: ReportService) -> None:
    """The offer whose order was cancelled counts as an offer, not as one that became an order
    (the head's approval of the cancellation is what counts)."""
    with transaction(services.sessions) as session:
        session.add(HeadDecision(subject_id="cancellation:r1", kind="cancellation",
                                 owner="asha", outcome="approved", decided_by="hema"))
    rows = by(reports.run("sales_performance", ADMIN, NOVEMBER).rows)
    assert (rows["asha"]["offers"], rows["asha"]["orders"]) == (2, 0)
    assert rows["asha"]["conversion_pct"] == Decimal("0.0")
    assert rows["ravi"]["conversion_pct"] == Decimal("100.0")
