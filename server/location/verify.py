"""Where a document was written compared with its customer's coordinates: a flag, never a veto."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from server.location.errors import InvalidRulesError
from server.location.geo import Coordinates, geodesic_m, is_null_island, valid_position
from server.location.points import Fix, parse_fix, parse_time

INSIDE = "inside"
OUTSIDE = "outside"
UNKNOWN = "unknown"

# Why a verification is unknown; heads filter on these codes.
NO_FIX = "no_fix"
POOR_ACCURACY = "poor_accuracy"
STALE_FIX = "stale_fix"
MOCK_FIX = "mock_location"
NO_CUSTOMER_POSITION = "customer_without_coordinates"


@dataclass(frozen=True)
class GeofenceRules:
    """How near a customer a document must be written to count as written there."""

    radius_m: float = 300.0  # Settings.geofence_radius_m
    max_accuracy_m: float = 150.0  # a vaguer fix proves nothing either way
    max_fix_age_s: float = 900.0  # a fix this much older than the event may be from elsewhere

    def __post_init__(self) -> None:
        for name in ("radius_m", "max_accuracy_m", "max_fix_age_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidRulesError(f"geofence rule {name} must be a positive number, "
                                        f"not {value!r}")


@dataclass(frozen=True)
class Verification:
    """inside / outside / unknown, with the distance when known and why when unknown."""

    status: str
    distance_m: float | None
    reason: str | None
    message: str


def customer_position(lat: object, lon: object) -> Coordinates | None:
    """A customer's master-data position, or None when missing, invalid or exactly (0, 0)."""
    # SQL Numeric columns come back as Decimal; degrees need no decimal exactness.
    lat = float(lat) if isinstance(lat, Decimal) else lat
    lon = float(lon) if isinstance(lon, Decimal) else lon
    if not (isinstance(lat, int | float) and isinstance(lon, int | float)):
        return None
    if not valid_position(lat, lon) or is_null_island(lat, lon):
        return None
    return Coordinates(float(lat), float(lon))


def _unknown(reason: str, message: str, distance: float | None = None) -> Verification:
    return Verification(UNKNOWN, distance, reason, message)


def verify_fix(fix: Fix | None, customer: Coordinates | None, rules: GeofenceRules,
               event_at: datetime | None = None, *, no_fix: str | None = None) -> Verification:
    """Compare a fix with the customer's position; the fix's accuracy counts in its favour.

    `no_fix` is the phone's reason for having none ("no fix after 10 s"), shown to the head.
    """
    if fix is None:
        if no_fix:
            return _unknown(NO_FIX, f"written without a GPS fix; the phone said: {no_fix}")
        return _unknown(NO_FIX, "the document carries no usable location")
    if customer is None:
        return _unknown(NO_CUSTOMER_POSITION, "the customer has no coordinates in master data")
    distance = geodesic_m(fix.lat, fix.lon, customer.lat, customer.lon)
    if fix.mock:
        return _unknown(MOCK_FIX, "the location came from a mock-location app", distance)
    if fix.accuracy_m > rules.max_accuracy_m:
        return _unknown(POOR_ACCURACY, f"the fix was only accurate to {fix.accuracy_m:.0f} m "
                                       f"(limit {rules.max_accuracy_m:.0f} m)", distance)
    if event_at is not None and fix.at is not None:
        age = (event_at - fix.at).total_seconds()
        if age > rules.max_fix_age_s:
            return _unknown(STALE_FIX, f"the fix was taken {age / 60:.0f} min before the event",
                            distance)
    if distance <= rules.radius_m + fix.accuracy_m:
        return Verification(INSIDE, distance, None,
                            f"{distance:.0f} m from the customer (geofence {rules.radius_m:.0f} m)")
    return Verification(OUTSIDE, distance, None,
                        f"{distance / 1000:.1f} km from the customer "
                        f"(geofence {rules.radius_m:.0f} m)")


def _event(doc: Mapping[str, object]) -> tuple[object, object, object]:
    """The `loc` that places a document, the time of the event it records and the phone's
    reason for having no fix."""
    if doc.get("type") == "visit":
        check_in = doc.get("check_in")
        if not isinstance(check_in, Mapping):
            return None, None, None
        return check_in.get("loc"), check_in.get("at"), check_in.get("no_fix")
    if doc.get("type") == "approval":
        return doc.get("loc"), doc.get("signed_at"), doc.get("no_fix")
    return doc.get("loc"), doc.get("updated_at"), None


def verify_document(doc: Mapping[str, object], customer: Coordinates | None,
                    rules: GeofenceRules) -> Verification:
    """Verify an offer, approval, order or visit (its check-in) against its customer."""
    loc, at, no_fix = _event(doc)
    reason = no_fix if isinstance(no_fix, str) else None
    return verify_fix(parse_fix(loc), customer, rules, parse_time(at), no_fix=reason)
