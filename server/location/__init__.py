"""Location logic: breadcrumbs, distances, stops, geofence checks, GPS integrity and routes.

Pure: no web framework, database or HTTP client; jobs feed it points and store what it returns.
"""

from server.location.day import DayRules, DaySummary, split_days, summarise_day
from server.location.errors import InvalidRulesError, LocationError
from server.location.geo import Coordinates, geodesic_m, sphere_m, within_m
from server.location.integrity import (
    Gap,
    Integrity,
    IntegrityFacts,
    IntegrityRules,
    Reason,
    TimeWindow,
    score_integrity,
)
from server.location.points import Fix, GpsPoint, TrackBatch, clean_track, parse_fix, parse_time
from server.location.route import RouteMarker, day_route
from server.location.stops import Stop
from server.location.travel import Jump
from server.location.verify import (
    GeofenceRules,
    Verification,
    customer_position,
    verify_document,
    verify_fix,
)

__all__ = [
    "Coordinates", "DayRules", "DaySummary", "Fix", "Gap", "GeofenceRules", "GpsPoint",
    "Integrity", "IntegrityFacts", "IntegrityRules", "InvalidRulesError", "Jump",
    "LocationError", "Reason", "RouteMarker", "Stop", "TimeWindow", "TrackBatch",
    "Verification", "clean_track", "customer_position", "day_route", "geodesic_m", "parse_fix",
    "parse_time", "score_integrity", "sphere_m", "split_days", "summarise_day",
    "verify_document", "verify_fix", "within_m",
]
