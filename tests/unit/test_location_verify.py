"""Geofence verification: inside, outside with the distance, or unknown with the reason."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from geopy.distance import geodesic

from server.location import (
    Coordinates,
    Fix,
    GeofenceRules,
    InvalidRulesError,
    customer_position,
    verify_document,
    verify_fix,
)
from server.location.verify import (
    INSIDE,
    MOCK_FIX,
    NO_CUSTOMER_POSITION,
    NO_FIX,
    OUTSIDE,
    POOR_ACCURACY,
    STALE_FIX,
    UNKNOWN,
)

IST = timezone(timedelta(hours=5, minutes=30))
AT = datetime(2026, 11, 30, 11, 0, tzinfo=IST)
CUSTOMER = Coordinates(12.9716, 77.5946)
MYSURU = Coordinates(12.2958, 76.6394)
RULES = GeofenceRules(radius_m=300)


def fix_at(metres: float, accuracy: float = 10, mock: bool = False,
           at: datetime | None = AT) -> Fix:
    dest = geodesic(meters=metres).destination((CUSTOMER.lat, CUSTOMER.lon), 30)
    return Fix(dest.latitude, dest.longitude, accuracy, at, mock)


def test_a_fix_at_the_customer_is_inside() -> None:
    result = verify_fix(fix_at(0), CUSTOMER, RULES)
    assert (result.status, result.reason) == (INSIDE, None)
    assert result.distance_m == pytest.approx(0, abs=1e-6)


def test_a_fix_at_the_radius_is_inside_and_beyond_it_outside() -> None:
    assert verify_fix(fix_at(299, accuracy=0), CUSTOMER, RULES).status == INSIDE
    outside = verify_fix(fix_at(301, accuracy=0), CUSTOMER, RULES)
    assert outside.status == OUTSIDE
    assert outside.distance_m == pytest.approx(301, abs=1e-6)


def test_the_fix_accuracy_counts_in_the_engineers_favour() -> None:
    assert verify_fix(fix_at(340, accuracy=50), CUSTOMER, RULES).status == INSIDE
    assert verify_fix(fix_at(360, accuracy=50), CUSTOMER, RULES).status == OUTSIDE


def test_the_radius_is_configurable() -> None:
    assert verify_fix(fix_at(800), CUSTOMER, GeofenceRules(radius_m=1000)).status == INSIDE


def test_outside_reports_the_distance_for_people() -> None:
    fix = Fix(MYSURU.lat, MYSURU.lon, 8, AT, False)
    result = verify_fix(fix, CUSTOMER, RULES)
    assert result.status == OUTSIDE
    assert 126_000 <= (result.distance_m or 0) <= 128_500
    assert "127.9 km" in result.message


@pytest.mark.parametrize(("fix", "customer", "reason"), [
    (None, CUSTOMER, NO_FIX),
    (fix_at(10), None, NO_CUSTOMER_POSITION),
    (fix_at(10, accuracy=400), CUSTOMER, POOR_ACCURACY),
    (fix_at(10, accuracy=math.inf), CUSTOMER, POOR_ACCURACY),
    (fix_at(10, mock=True), CUSTOMER, MOCK_FIX),
])
def test_unknown_with_its_reason(fix: Fix | None, customer: Coordinates | None,
                                 reason: str) -> None:
    result = verify_fix(fix, customer, RULES)
    assert (result.status, result.reason) == (UNKNOWN, reason)
    assert result.message


def test_a_mock_fix_is_unknown_even_when_it_claims_to_be_inside() -> None:
    result = verify_fix(fix_at(5, mock=True), CUSTOMER, RULES)
    assert result.status == UNKNOWN
    assert result.distance_m == pytest.approx(5, abs=1e-6)


def test_a_fix_long_before_the_event_is_stale() -> None:
    old = fix_at(5, at=AT - timedelta(minutes=40))
    assert verify_fix(old, CUSTOMER, RULES, event_at=AT).reason == STALE_FIX
    recent = fix_at(5, at=AT - timedelta(minutes=10))
    assert verify_fix(recent, CUSTOMER, RULES, event_at=AT).status == INSIDE


@pytest.mark.parametrize(("lat", "lon"), [(None, 77.59), (0, 0), (0.0, 0.0), (91, 10),
                                          ("12.97", "77.59"), (math.nan, 77.59)])
def test_customers_without_usable_coordinates(lat: object, lon: object) -> None:
    assert customer_position(lat, lon) is None


def test_customer_coordinates_from_sql_decimals() -> None:
    assert customer_position(Decimal("12.9716"), Decimal("77.5946")) == CUSTOMER


def loc(metres: float, **changes: Any) -> dict[str, Any]:
    fix = fix_at(metres)
    value: dict[str, Any] = {"lat": fix.lat, "lon": fix.lon, "accuracy_m": 12,
                             "at": "2026-11-30T11:00:00+05:30", "mock": False}
    value.update(changes)
    return value


def test_documents_are_verified_by_their_loc() -> None:
    for kind in ("offer", "order"):
        doc = {"type": kind, "updated_at": "2026-11-30T11:05:00+05:30", "loc": loc(50)}
        assert verify_document(doc, CUSTOMER, RULES).status == INSIDE
    approval = {"type": "approval", "signed_at": "2026-11-30T11:02:00+05:30", "loc": loc(2000)}
    assert verify_document(approval, CUSTOMER, RULES).status == OUTSIDE


def test_a_visit_is_verified_by_its_check_in() -> None:
    visit = {"type": "visit", "check_in": {"at": "2026-11-30T11:00:00+05:30", "loc": loc(20)},
             "check_out": {"at": "2026-11-30T12:00:00+05:30", "loc": loc(5000)}}
    assert verify_document(visit, CUSTOMER, RULES).status == INSIDE
    assert verify_document({"type": "visit"}, CUSTOMER, RULES).reason == NO_FIX


def test_a_document_without_loc_or_with_a_stale_one_is_unknown() -> None:
    assert verify_document({"type": "offer"}, CUSTOMER, RULES).reason == NO_FIX
    stale = {"type": "order", "updated_at": "2026-11-30T14:00:00+05:30", "loc": loc(10)}
    assert verify_document(stale, CUSTOMER, RULES).reason == STALE_FIX


@pytest.mark.parametrize("change", [{"radius_m": 0}, {"max_accuracy_m": -5},
                                    {"max_fix_age_s": math.nan}])
def test_unusable_geofence_rules_are_refused(change: dict[str, float]) -> None:
    with pytest.raises(InvalidRulesError, match=next(iter(change))):
        GeofenceRules(**change)


def test_a_signature_or_check_in_without_a_fix_carries_the_phones_reason() -> None:
    approval = {"type": "approval", "signed_at": "2026-11-30T11:02:00+05:30",
                "no_fix": "no fix after 10 s"}
    seen = verify_document(approval, CUSTOMER, RULES)
    assert (seen.status, seen.reason) == ("unknown", NO_FIX)
    assert seen.message == "written without a GPS fix; the phone said: no fix after 10 s"
    visit = {"type": "visit", "check_in": {"at": "2026-11-30T11:00:00+05:30",
                                           "no_fix": "location permission denied"}}
    assert "location permission denied" in verify_document(visit, CUSTOMER, RULES).message
