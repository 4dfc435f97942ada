"""The pure projection: document dict -> rows, for every type, and track point dropping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sync.documents.canonical import offer_hash
from sync.projection import LAYOUTS, ProjectionError, doc_type_of, project, rev_pos
from tests.support import projection_samples as samples

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_every_type_has_rows_for_exactly_its_tables() -> None:
    for doc in samples.every_type():
        projection = project(doc, "fs-eng-asha", NOW)
        assert set(projection.tables) == set(LAYOUTS[doc["type"]].tables), doc["type"]
        assert projection.doc_id == doc["_id"]


def test_offer_header_and_lines_are_converted() -> None:
    doc = samples.offer(rev="3-abc")
    rows = project(doc, "fs-eng-asha", NOW).tables
    header, lines = rows["offers"][0], rows["offer_lines"]
    assert header["rev"] == "3-abc" and header["rev_pos"] == 3
    assert header["db_name"] == "fs-eng-asha" and header["owner"] == "asha"
    assert header["grand_total"] == Decimal("1398.00") and header["gst"] == Decimal("198.00")
    assert header["valid_until"] == date(2026, 12, 31)
    assert header["created_at"] == datetime(2026, 11, 29, 4, 30, tzinfo=UTC)
    assert header["content_hash"] == offer_hash(doc)
    assert header["business_key"].startswith("C1|intra|1398.00|P1,2,500.00,10,18")
    assert header["max_discount_pct"] == Decimal("10")
    assert header["loc_lat"] == pytest.approx(12.9716) and header["loc_mock"] is False
    assert [line["line_no"] for line in lines] == [1, 2]
    assert lines[1]["quantity"] == Decimal("1.5") and lines[1]["offer_id"] == "offer:o1"
    assert all(type(v) is not float for v in lines[0].values() if isinstance(v, Decimal | float))


def test_money_is_decimal_never_float() -> None:
    for doc in samples.every_type():
        for table, rows in project(doc, "db", NOW).tables.items():
            for row in rows:
                for key in ("taxable", "total", "grand_total", "amount", "unit_price",
                            "expected_value", "po_amount"):
                    if row.get(key) is not None:
                        assert isinstance(row[key], Decimal), (table, key)


def test_order_approval_and_lead() -> None:
    offer = samples.offer()
    order = project(samples.order(offer), "db", NOW).tables
    assert order["orders"][0]["business_key"] == project(offer, "db", NOW).tables[
        "offers"][0]["business_key"]
    assert order["orders"][0]["delivery_date"] == date(2026, 12, 15)
    assert len(order["order_lines"]) == 2 and order["order_lines"][0]["order_id"] == "order:r1"
    approval = project(samples.approval(offer, "sha256:ab"), "db", NOW).tables
    assert approval["customer_approvals"][0]["signed_at"] == datetime(2026, 11, 29, 4, 50,
                                                                      tzinfo=UTC)
    lead = project(samples.lead(), "db", NOW).tables
    header = lead["leads"][0]
    assert header["customer_id"] is None and header["prospect_name"] == "Sri Lakshmi Mills"
    assert header["po_amount"] == Decimal("238000.00") and header["po_date"] == date(2026, 11, 20)
    assert header["proposal_value"] == Decimal("240000.00") and header["oa_number"] is None
    assert [h["stage"] for h in lead["lead_stage_history"]] == ["potential", "proposal", "po"]
    assert lead["lead_stage_history"][1]["loc_lat"] == pytest.approx(12.9716)
    assert lead["lead_stage_history"][0]["loc_lat"] is None


def test_visit_expense_todo() -> None:
    visit = project(samples.visit(), "db", NOW).tables["visits"][0]
    assert visit["check_in_at"] == datetime(2026, 11, 29, 5, 30, tzinfo=UTC)
    assert visit["check_out_lat"] == pytest.approx(12.9717)
    assert visit["next_action_date"] == date(2026, 12, 2)
    expense = project(samples.expense(), "db", NOW).tables["expenses"][0]
    assert expense["km"] == Decimal("146.5") and expense["amount"] == Decimal("1758.00")
    assert expense["has_receipt_photo"] is True
    no_photo = samples.expense()
    del no_photo["_attachments"]
    assert project(no_photo, "db", NOW).tables["expenses"][0]["has_receipt_photo"] is False
    todo = project(samples.todo(), "db", NOW).tables["todos"][0]
    assert todo["due_date"] == date(2026, 12, 1) and todo["loc_lat"] is None
    assert todo["lead_id"] is None


def test_rows_of_one_table_share_their_keys() -> None:
    # executemany takes the columns from the first row: every row must name the same ones.
    for doc in samples.every_type():
        for table, rows in project(doc, "db", NOW).tables.items():
            assert len({tuple(sorted(r)) for r in rows}) <= 1, table


def test_track_points_become_rows() -> None:
    projection = project(samples.track(), "fs-eng-asha", NOW)
    points = projection.tables["gps_points"]
    assert projection.dropped_points == 0
    assert [p["position"] for p in points] == [0, 1]
    assert points[0]["speed_mps"] == 3.2 and points[1]["speed_mps"] is None
    assert points[1]["mock"] is True and points[0]["owner"] == "asha"
    assert points[0]["at"] == datetime(2026, 11, 29, 4, 30, tzinfo=UTC)


def _point(**changes: object) -> dict[str, object]:
    return {"lat": 12.97, "lon": 77.59, "accuracy_m": 5, "at": "2026-11-29T10:00:00+05:30",
            "mock": False} | changes


@pytest.mark.parametrize("bad", [
    _point(lat=91), _point(lon=-180.5), _point(accuracy_m=-1), _point(lat="12.9"),
    _point(at="2026-11-29T10:00:00"), _point(at="yesterday"), _point(speed_mps=-2),
    _point(at="2026-11-30T10:00:00+05:30"), _point(lat=float("nan")), "not a point",
    _point(lat=True),
])
def test_bad_track_points_are_dropped_and_counted(bad: object) -> None:
    projection = project(samples.track(points=[_point(), bad]), "db", NOW)
    assert projection.dropped_points == 1
    assert [p["position"] for p in projection.tables["gps_points"]] == [0]


def test_repeated_points_are_dropped_and_a_slightly_fast_clock_is_tolerated() -> None:
    ahead = _point(at="2026-11-29T17:33:00+05:30")  # 3 minutes after NOW
    points = [_point(), _point(), _point(lat=12.98), ahead, _point(mock=True)]
    projection = project(samples.track(points=points), "db", NOW)
    assert projection.dropped_points == 2
    assert [p["position"] for p in projection.tables["gps_points"]] == [0, 2, 3]


def test_a_track_with_only_bad_points_has_no_rows_but_is_not_an_error() -> None:
    projection = project(samples.track(points=[_point(lat=100), _point(lat=100)]), "db", NOW)
    assert projection.tables["gps_points"] == [] and projection.dropped_points == 2


@pytest.mark.parametrize(("change", "field"), [
    ({"type": "invoice"}, "type"),
    ({"created_at": "2026-11-29 10:00"}, "created_at"),
    ({"totals": {"grand_total": 1398.0}}, "totals.taxable"),
    ({"valid_until": "31/12/2026"}, "valid_until"),
    ({"lines": []}, "lines"),
    ({"lines": [samples.offer()["lines"][0] | {"gst_rate": "NaN"}]}, "lines[0].gst_rate"),
    ({"loc": {"lat": "north"}}, "loc.lat"),
])
def test_unusable_documents_raise_with_the_field_at_fault(change: dict[str, object],
                                                          field: str) -> None:
    with pytest.raises(ProjectionError) as caught:
        project(samples.offer() | change, "db", NOW)
    assert caught.value.field == field


def test_money_as_a_number_is_refused() -> None:
    doc = samples.expense()
    doc["amount"] = 1758.0
    with pytest.raises(ProjectionError, match="amount"):
        project(doc, "db", NOW)


def test_server_written_documents_have_no_rows() -> None:
    receipt = {"_id": "receipt:offer:o1", "_rev": "1-r", "type": "receipt", "doc_id": "offer:o1"}
    projection = project(receipt, "db", NOW)
    assert projection.tables == {} and projection.doc_type == "receipt"


def test_ids_and_revisions() -> None:
    assert doc_type_of("offer:abc") == "offer" and doc_type_of("nocolon") == ""
    assert rev_pos("12-abc") == 12 and rev_pos("") == 0 and rev_pos("x-1") == 0
