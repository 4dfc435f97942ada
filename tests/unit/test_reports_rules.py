"""Pure report rules: filter parsing, role scoping, funnel arithmetic, tables and exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from server.accounts.roles import Principal, Role
from server.reports import (
    Column,
    InvalidFilterError,
    OutOfScopeError,
    Person,
    ReportFilter,
    ReportTable,
    owners_in_scope,
    parse_filter,
)
from server.reports.export import check_format, to_csv, to_xlsx
from server.reports.funnel import conversions, medians
from server.reports.table import money, percent

TODAY = date(2026, 11, 29)
IST = ZoneInfo("Asia/Kolkata")
PEOPLE = [Person("asha", 1, "south"), Person("ravi", 1, "north"), Person("meena", 2, "west")]
ADMIN = Principal(1, "root", Role.ADMIN)
HEAD = Principal(2, "hema", Role.HEAD, team_id=1)
ASHA = Principal(3, "asha", Role.ENGINEER, team_id=1)


def test_default_range_is_the_last_thirty_days() -> None:
    f = parse_filter({}, TODAY)
    assert (f.date_from, f.date_to, f.limit) == (date(2026, 10, 31), TODAY, 1000)


@pytest.mark.parametrize(("args", "words"), [
    ({"date_from": "29/11/2026"}, "date_from must be a date"),
    ({"date_from": "2026-11-30", "date_to": "2026-11-01"}, "is after"),
    ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "at most 400 days"),
    ({"team": "x"}, "team must be a whole number"),
    ({"limit": "0"}, "limit must be a whole number from 1"),
    ({"engineer": "e" * 65}, "at most 64"),
    ({"colour": "red"}, "unknown filter colour"),
])
def test_bad_filters_say_what_is_wrong(args: dict[str, str], words: str) -> None:
    with pytest.raises(InvalidFilterError, match=words):
        parse_filter(args, TODAY)


def test_bounds_are_local_midnights_in_utc() -> None:
    start, end = ReportFilter(date(2026, 11, 1), date(2026, 11, 1)).bounds(IST)
    assert start == datetime(2026, 10, 31, 18, 30, tzinfo=UTC)
    assert end == datetime(2026, 11, 1, 18, 30, tzinfo=UTC)


def scope(viewer: Principal, **narrow: object) -> frozenset[str] | None:
    return owners_in_scope(viewer, PEOPLE, ReportFilter(TODAY, TODAY, **narrow))  # type: ignore[arg-type]


def test_admins_see_everyone_and_may_narrow() -> None:
    assert scope(ADMIN) is None
    assert scope(ADMIN, team_id=1) == {"asha", "ravi"}
    assert scope(ADMIN, territory="west") == {"meena"}
    assert scope(ADMIN, engineer="ravi") == {"ravi"}


def test_heads_see_their_team_only() -> None:
    assert scope(HEAD) == {"asha", "ravi"}
    assert scope(HEAD, territory="north") == {"ravi"}
    with pytest.raises(OutOfScopeError, match="not in hema's team"):
        scope(HEAD, engineer="meena")
    with pytest.raises(OutOfScopeError, match="not team 2"):
        scope(HEAD, team_id=2)
    assert scope(Principal(9, "lone", Role.HEAD)) == frozenset()


def test_engineers_see_themselves_only() -> None:
    assert scope(ASHA) == {"asha"}
    assert scope(ASHA, engineer="asha") == {"asha"}
    assert scope(ASHA, team_id=2) == frozenset()
    with pytest.raises(OutOfScopeError, match="only their own"):
        scope(ASHA, engineer="ravi")


def test_funnel_conversion_and_medians() -> None:
    converted = conversions({"potential": 4, "proposal": 2, "po": 1})
    assert converted["potential"] == Decimal("50.0") and converted["proposal"] == Decimal("50.0")
    assert converted["po"] == Decimal("0.0") and converted["advance"] is None
    assert converted["installation"] is None
    assert medians([("potential", 2), ("potential", 4), ("potential", 1), ("proposal", 4),
                    ("proposal", 2), ("po", -1)]) == {"potential": Decimal("2.0"),
                                                      "proposal": Decimal("3.0")}


def test_money_and_percent_are_exact() -> None:
    assert money(1062.0000001) == Decimal("1062.00") and money(None) == Decimal("0.00")
    assert percent(1062, Decimal("2000.00")) == Decimal("53.1")
    assert percent(1, 0) is None


TABLE = ReportTable("orders", "Orders", [
    Column("who", "Who"), Column("value", "Value", "money"), Column("at", "At", "datetime"),
    Column("day", "Day", "date")], [
    {"who": "=HYPERLINK(\"x\")", "value": Decimal("12.50"),
     "at": datetime(2026, 11, 29, 4, 45, tzinfo=UTC), "day": date(2026, 11, 29)},
    {"who": "Asha", "value": None, "at": None, "day": None}])


def test_csv_export_guards_against_formulas_and_shows_local_times() -> None:
    text = to_csv(TABLE, IST).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Who", "Value", "At", "Day"]
    assert rows[1] == ["'=HYPERLINK(\"x\")", "12.50", "2026-11-29T10:15:00+05:30", "2026-11-29"]
    assert rows[2] == ["Asha", "", "", ""]


def test_xlsx_export_has_typed_cells() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(TABLE, IST)))["orders"]
    header, first, _ = sheet.iter_rows(values_only=True)
    assert header == ("Who", "Value", "At", "Day")
    assert first[1] == 12.5 and first[2] == datetime(2026, 11, 29, 10, 15)
    assert sheet["B2"].number_format == "#,##0.00"


def test_json_form_keeps_money_as_strings() -> None:
    body = TABLE.as_json()
    assert body["rows"][0]["value"] == "12.50" and body["rows"][0]["day"] == "2026-11-29"


def test_only_known_formats() -> None:
    assert check_format(None) == "json" and check_format("XLSX") == "xlsx"
    with pytest.raises(InvalidFilterError, match="format must be one of"):
        check_format("pdf")
    with pytest.raises(ValueError, match="kind"):
        Column("x", "X", "colour")
